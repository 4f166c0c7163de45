"""visible_to selectors: who sees which units, groups and users."""

import pytest

from accounts.models import User
from accounts.roles import Role
from accounts.selectors import ranking_groups_visible_to, units_visible_to, users_visible_to
from tests.helpers import make_user


@pytest.mark.parametrize("role", [Role.REPORTER, Role.UNIT_HEAD])
def test_unit_people_see_only_their_unit_and_its_group(role_users, county, role):
    user = role_users[role]
    assert list(units_visible_to(user)) == [county.units[0]]
    assert list(ranking_groups_visible_to(user)) == [county.units[0].group]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.OFFICE, Role.LEADER, Role.ADMIN])
def test_county_wide_roles_see_every_unit(role_users, county, role):
    assert units_visible_to(role_users[role]).count() == len(county.units)
    assert ranking_groups_visible_to(role_users[role]).count() == 5


def test_unit_people_see_colleagues_not_strangers(role_users, county):
    stranger = make_user("s1", Role.REPORTER, unit=county.units[1])
    visible = set(users_visible_to(role_users[Role.REPORTER]))
    assert role_users[Role.UNIT_HEAD] in visible
    assert stranger not in visible


def test_reviewer_sees_its_own_units_accounts_only(role_users):
    visible = set(users_visible_to(role_users[Role.REVIEWER]))
    assert visible == {role_users[Role.REVIEWER]}


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER, Role.ADMIN])
def test_office_leader_admin_see_all_accounts(role_users, role):
    assert users_visible_to(role_users[role]).count() == User.objects.count()


def test_inactive_or_anonymous_see_nothing(role_users):
    from django.contrib.auth.models import AnonymousUser

    office = role_users[Role.OFFICE]
    office.is_active = False
    for user in (office, AnonymousUser()):
        assert not units_visible_to(user).exists()
        assert not users_visible_to(user).exists()
        assert not ranking_groups_visible_to(user).exists()


def test_unit_person_without_unit_sees_no_unit(county):
    loose = make_user("loose", Role.REPORTER)
    assert not units_visible_to(loose).exists()
    assert list(users_visible_to(loose)) == [loose]
