"""The office manages units, the system administrator users, in the Chinese admin; every
change is recorded."""

from django.urls import reverse

from accounts.models import Unit, User
from accounts.roles import Role


def test_admin_speaks_chinese(client, role_users):
    client.force_login(role_users[Role.OFFICE])
    page = client.get(reverse("admin:index")).content.decode()
    assert "交帐亮相 管理后台" in page
    assert "单位" in page and "考核组别" in page


def test_admin_creates_a_user_for_a_unit_with_a_role(client, role_users, county):
    from django.contrib.auth.models import Group

    client.force_login(role_users[Role.ADMIN])
    reporter_group = Group.objects.get(name=Role.REPORTER.group_name)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "qingshan01",
            "full_name": "周敏",
            "unit": county.units[1].pk,
            "title": "统计员",
            "phone": "13800000000",
            "groups": [reporter_group.pk],
            "usable_password": "true",
            "password1": "Qs-ledger-2026",
            "password2": "Qs-ledger-2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="qingshan01")
    assert user.unit == county.units[1]
    assert user.roles == {Role.REPORTER}
    assert user.check_password("Qs-ledger-2026")
    assert user.history.first().history_user == role_users[Role.ADMIN]
    change = user.role_changes.get()
    assert change.changed_by == role_users[Role.ADMIN] and change.added == "填报员"


def test_admin_resets_a_password(client, role_users):
    client.force_login(role_users[Role.ADMIN])
    target = role_users[Role.REPORTER]
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "New-pass-2026x", "password2": "New-pass-2026x", "usable_password": "true"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("New-pass-2026x")


def test_deactivate_action_keeps_the_user_and_records_who(client, role_users):
    sysadmin = role_users[Role.ADMIN]
    client.force_login(sysadmin)
    target = role_users[Role.REPORTER]
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate", "_selected_action": [target.pk, sysadmin.pk]},
    )
    target.refresh_from_db()
    sysadmin.refresh_from_db()
    assert not target.is_active
    assert sysadmin.is_active  # one cannot lock oneself out
    latest = target.history.first()
    assert latest.history_user == sysadmin and latest.is_active is False


def test_unit_change_is_recorded_and_shown_in_history(client, role_users, county):
    client.force_login(role_users[Role.OFFICE])
    unit = county.units[2]
    data = {
        "name": unit.name,
        "short_name": "新简称",
        "kind": unit.kind,
        "group": unit.group_id,
        "sort_order": unit.sort_order,
        "active": "on",
    }
    assert (
        client.post(reverse("admin:accounts_unit_change", args=[unit.pk]), data).status_code == 302
    )
    page = client.get(reverse("admin:accounts_unit_history", args=[unit.pk])).content.decode()
    assert "新简称" in page
    assert Unit.history.filter(id=unit.pk, history_user=role_users[Role.OFFICE]).exists()


def test_office_cannot_delete_units(client, role_users, county):
    client.force_login(role_users[Role.OFFICE])
    url = reverse("admin:accounts_unit_delete", args=[county.units[0].pk])
    assert client.get(url).status_code == 403


def test_user_list_filters_and_searches(client, role_users):
    client.force_login(role_users[Role.ADMIN])
    url = reverse("admin:accounts_user_changelist")
    page = client.get(url, {"q": "测试r1"}).content.decode()
    assert "r1" in page and "测试o1" not in page
    assert client.get(url, {"unit__group__id__exact": 1}).status_code == 200
