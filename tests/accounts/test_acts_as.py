"""One definition of who acts as whom (issue 9): `acts_as_office` and `user_acts_as` in
accounts/permissions.py, and one rule for superusers everywhere — a superuser is the system
administrator and does not act as the office, a reviewer or a leader."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.permissions import acts_as_office, reads_every_unit, user_acts_as
from accounts.roles import Role
from scoring.errors import ScoringError
from scoring.services.evaluations import require_office as _require_office
from tests.helpers import make_user

ROOT = Path(__file__).resolve().parents[2]
APPS = ["accounts", "campaigns", "scoring", "jiaozhang", "bench"]
HOME = "accounts/permissions.py"

# Ways of writing "acts as office" (or a superuser shortcut) by hand.
REIMPLEMENTATIONS = [
    re.compile(r"is_superuser\s+or\b"),
    re.compile(r"\bor\s+[\w.]*is_superuser\b"),
    re.compile(r"has_role\(\s*Role\.OFFICE\s*\)"),
    re.compile(r"Role\.OFFICE\s+in\s+[\w.]*roles\b"),
    re.compile(r"roles\s*&\s*\{[^}]*Role\.OFFICE"),
]


def test_no_module_reimplements_acts_as_office():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if name == HOME or "/migrations/" in name:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if any(pattern.search(line) for pattern in REIMPLEMENTATIONS):
                    found.append(f"{name}:{number}: {line.strip()}")
    assert not found, "use accounts.permissions.acts_as_office / user_acts_as:\n" + "\n".join(found)


def test_the_guard_sees_each_way_of_writing_it():
    for line in [
        "return user.is_superuser or user.has_role(Role.OFFICE)",
        "if user.has_role(Role.OFFICE) or request.user.is_superuser:",
        "return bool(user.roles & {Role.OFFICE, Role.LEADER})",
        "ok = Role.OFFICE in request.user.roles",
    ]:
        assert any(p.search(line) for p in REIMPLEMENTATIONS), line


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="x", full_name="超级用户")


def test_a_superuser_acts_as_the_administrator_only(superuser):
    assert user_acts_as(superuser, Role.ADMIN)
    assert superuser.may_use_admin_site and superuser.sees_whole_county
    for role in (Role.OFFICE, Role.LEADER, Role.REVIEWER, Role.UNIT_HEAD, Role.REPORTER):
        assert not user_acts_as(superuser, role), role
    assert not acts_as_office(superuser) and not reads_every_unit(superuser)


def test_a_superuser_is_refused_the_offices_operations(superuser):
    with pytest.raises(ScoringError, match="只有考核办"):
        _require_office(superuser)


def test_a_superuser_holding_the_office_role_acts_as_office(db, county):
    both = make_user("root2", Role.OFFICE, unit=county.units_named("县委办公室"))
    both.is_superuser = True
    both.save()
    assert acts_as_office(both) and user_acts_as(both, Role.ADMIN)


def test_inactive_and_anonymous_users_act_as_nobody(db, role_users):
    from django.contrib.auth.models import AnonymousUser

    office = role_users[Role.OFFICE]
    office.is_active = False
    assert not acts_as_office(office)
    assert not acts_as_office(AnonymousUser()) and not user_acts_as(AnonymousUser(), Role.ADMIN)


def test_a_superuser_sees_only_published_evaluations(superuser):
    """The office sees every evaluation; a superuser is not the office (it used to be, in
    scoring/selectors.py only)."""
    from scoring.selectors import evaluations_visible_to

    query = str(evaluations_visible_to(superuser).query)
    assert "WHERE" in query and "published" in query


def test_a_superuser_works_in_the_admin_as_the_administrator(client, superuser, county):
    client.force_login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:accounts_user_changelist") in index
    assert reverse("admin:scoring_adjustment_changelist") not in index
    assert reverse("admin:campaigns_indicator_changelist") not in index
    assert client.get(reverse("admin:scoring_adjustment_add")).status_code == 403
    assert client.get(reverse("admin:scoring_scoringrules_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
