"""The role groups exist after migrate and hold exactly the permissions listed for them."""

from django.contrib.auth.models import Group

from accounts.roles import ROLE_PERMISSIONS, Role, sync_role_permissions


def _granted(role):
    group = Group.objects.get(name=role.group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_six_role_groups_exist(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {r.group_name for r in Role}


def test_each_role_holds_exactly_its_permissions(db):
    for role, perms in ROLE_PERMISSIONS.items():
        assert _granted(role) == set(perms), role


def test_sync_removes_permissions_granted_by_hand(db):
    from django.contrib.auth.models import Permission

    group = Group.objects.get(name=Role.REPORTER.group_name)
    group.permissions.add(Permission.objects.get(codename="delete_unit"))
    sync_role_permissions()
    assert _granted(Role.REPORTER) == set()


def test_office_may_manage_units_but_not_delete_them(role_users):
    office = role_users[Role.OFFICE]
    assert office.has_perm("accounts.change_unit")
    assert not office.has_perm("accounts.delete_unit")
    assert not role_users[Role.REPORTER].has_perm("accounts.view_unit")
