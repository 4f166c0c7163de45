"""Shared fixtures: a county of any size, one user per role, and the CI no-skip guard."""

import os

import pytest

from accounts.demo import build_county
from accounts.models import User
from accounts.roles import Role
from tests.helpers import celery_worker, make_user


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not under test; the real hasher would make every login 100 ms.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def county(db):
    """The standard demo county (18 townships, 40 departments, 3 parks)."""
    return build_county()


@pytest.fixture
def small_county(db):
    return build_county(townships=3, departments=5, parks=2)


@pytest.fixture
def role_users(county) -> dict[Role, User]:
    """One user per role; unit people sit in the first township, the reviewer in 发改委."""
    township = county.units[0]
    reviewer_unit = county.units_named("县发展和改革委员会")
    return {
        Role.REPORTER: make_user("r1", Role.REPORTER, unit=township),
        Role.UNIT_HEAD: make_user("h1", Role.UNIT_HEAD, unit=township),
        Role.REVIEWER: make_user("v1", Role.REVIEWER, unit=reviewer_unit),
        Role.OFFICE: make_user("o1", Role.OFFICE, unit=county.units_named("县委办公室")),
        Role.LEADER: make_user("l1", Role.LEADER),
        Role.ADMIN: make_user("a1", Role.ADMIN),
    }


@pytest.fixture
def worker(transactional_db):
    """The queue of a real worker started for this test (see tests.helpers.celery_worker)."""
    with celery_worker() as queue:
        yield queue


@pytest.fixture
def report_worker(transactional_db, settings, tmp_path):
    """A real worker rendering report jobs into this test's MEDIA_ROOT."""
    with celery_worker(name="test-reports", env={"MEDIA_ROOT": str(tmp_path)}) as queue:
        settings.MEDIA_ROOT = tmp_path
        settings.REPORT_QUEUE = queue
        settings.CELERY_TASK_ALWAYS_EAGER = False
        yield queue


def pytest_sessionfinish(session, exitstatus):
    """Under CI every test must run: a skip means a service or package is missing."""
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; under CI nothing may skip.")
        session.exitstatus = 1
