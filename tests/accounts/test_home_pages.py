"""Each role lands on its own home page and is refused every other role's page."""

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.helpers import make_user

HOME_URL = {role: reverse(f"home-{role.value.replace('_', '-')}") for role in Role}


@pytest.mark.parametrize("role", list(Role))
def test_home_redirects_to_the_role_page(client, role_users, role):
    client.force_login(role_users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == HOME_URL[role]


@pytest.mark.parametrize("role", list(Role))
def test_role_page_shows_who_and_which_unit(client, role_users, role):
    user = role_users[role]
    client.force_login(user)
    page = client.get(HOME_URL[role]).content.decode()
    assert f"{role.label}工作台" in page
    assert user.full_name in page
    if user.unit:
        assert user.unit.name in page


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("other", list(Role))
def test_other_roles_pages_are_refused(client, role_users, role, other):
    if role == other:
        return
    client.force_login(role_users[role])
    response = client.get(HOME_URL[other])
    assert response.status_code == 403
    assert f"此页面仅供“{other.label}”使用" in response.content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(HOME_URL[Role.REPORTER])
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_role_gets_a_chinese_explanation(client, county):
    client.force_login(make_user("nobody", unit=county.units[0]))
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "尚未分配角色" in response.content.decode()


def test_user_with_two_roles_lands_on_the_wider_one_and_may_open_both(client, county):
    user = make_user("both", Role.REPORTER, Role.UNIT_HEAD, unit=county.units[0])
    client.force_login(user)
    assert client.get(reverse("home")).url == HOME_URL[Role.UNIT_HEAD]
    assert client.get(HOME_URL[Role.REPORTER]).status_code == 200


def test_reporter_sees_colleagues_of_own_unit_only(client, role_users, county):
    make_user("colleague", Role.REPORTER, unit=county.units[0], full_name="同单位同事")
    make_user("stranger", Role.REPORTER, unit=county.units[1], full_name="别单位的人")
    client.force_login(role_users[Role.REPORTER])
    page = client.get(HOME_URL[Role.REPORTER]).content.decode()
    assert "同单位同事" in page
    assert "别单位的人" not in page


def test_office_page_counts_accounts_per_role(client, role_users):
    client.force_login(role_users[Role.OFFICE])
    response = client.get(HOME_URL[Role.OFFICE])
    counts = dict(response.context["role_counts"])
    assert counts == {role: 1 for role in Role}


def test_leader_page_lists_every_group_with_its_units(client, role_users, county):
    client.force_login(role_users[Role.LEADER])
    groups = client.get(HOME_URL[Role.LEADER]).context["groups"]
    assert sum(len(g.visible_units) for g in groups) == len(county.units)


def test_deactivated_user_cannot_open_the_page(client, role_users):
    user = role_users[Role.REPORTER]
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(HOME_URL[Role.REPORTER]).status_code == 302
