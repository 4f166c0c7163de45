"""manage.py seed_demo: a realistic county, idempotent, and careful outside DEBUG."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import RankingGroup, Unit, User
from accounts.roles import Role


def _seed(**options) -> str:
    # One week of ledgers keeps these tests fast; tests/campaigns/test_demo_year.py covers the
    # year itself.
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"weeks": 1, **options})
    return out.getvalue()


def test_builds_the_county_and_one_account_per_role_two_for_the_office(db, settings):
    settings.DEBUG = True
    output = _seed()
    assert RankingGroup.objects.count() == 5
    kinds = dict(Unit.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[Unit.Kind.TOWNSHIP] >= 18 and kinds[Unit.Kind.DEPARTMENT] >= 40
    assert kinds[Unit.Kind.PARK] >= 3
    for group in RankingGroup.objects.all():
        assert group.units.exists(), group
    for role in Role:
        # The year adds reviewers per lead unit and a submitter per unit, all without a
        # usable password: exactly one account per role can sign in, two for the office, so
        # one can approve what the other entered (four eyes), and six county leaders, each
        # contracting projects and villages (issue 13).
        holders = User.objects.filter(groups__name=role.group_name)
        wanted = {Role.OFFICE: 2, Role.LEADER: 6}.get(role, 1)
        assert sum(user.has_usable_password() for user in holders) == wanted, role
    # Each printed password really signs its account in.
    printed = dict(re.findall(r"用户名 (\w+)\s+密码 (\w+)", output))
    assert len(printed) == 12
    assert {"office", "office2", "leader", "leader6"} <= set(printed)
    year = timezone.localdate().isocalendar().year  # the demo year follows the calendar
    assert re.search(rf"{year}年度：4 个会战，\d+ 项指标", output)
    for username, password in printed.items():
        account = User.objects.get(username=username)
        # A printed password is changed at the first sign-in (issue 14).
        assert account.check_password(password) and account.must_change_password


def test_second_run_changes_nothing_and_keeps_passwords(db, settings):
    settings.DEBUG = True
    _seed(password="Demo-pass-2026")
    counts = (Unit.objects.count(), User.objects.count(), Unit.history.count())
    output = _seed()
    assert (Unit.objects.count(), User.objects.count(), Unit.history.count()) == counts
    assert "密码未改动" in output
    assert User.objects.get(username="reporter").check_password("Demo-pass-2026")


def test_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG 已关闭"):
        _seed()
    assert not Unit.objects.exists()
    _seed(force=True)
    assert Unit.objects.exists()


def test_reset_passwords_gives_new_ones(db, settings):
    settings.DEBUG = True
    _seed(password="Demo-pass-2026")
    # --no-password-change (benchmarks, the load test): the accounts are usable at once.
    _seed(reset_passwords=True, password="Other-pass-2026", no_password_change=True)
    office = User.objects.get(username="office")
    assert office.check_password("Other-pass-2026") and not office.must_change_password
