"""Shared fixtures: a county of any size, one user per role, and the CI no-skip guard."""

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.demo import build_county
from accounts.models import User
from accounts.roles import Role
from tests.helpers import celery_worker, make_user
from tests.template_db import migrated_template


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On PostgreSQL every test database is a copy of one migrated template (template_db)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        db.setdefault("TEST", {})["TEMPLATE"] = migrated_template(db)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is not under test; the real hasher would make every login 100 ms.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# JZ_TEST_NOW="2026-12-31 10:00" runs the whole suite with the clock set there (Asia/Shanghai,
# ticking), so a test that silently depends on today's date fails on the day CI chooses, not
# on the day the calendar happens to reach it (.ci/run runs two such dates).
FIXED_NOW = os.environ.get("JZ_TEST_NOW", "").strip()
REAL_CLOCK_FIXTURES = {
    "worker": "a separate Celery worker process runs on the real clock",
    "report_worker": "a separate Celery worker process runs on the real clock",
}
REAL_CLOCK_BROWSER = "Chromium and its page scripts run on the real clock"


def pytest_collection_modifyitems(config, items):
    """Mark tests whose other process cannot share a travelled clock; deselect them in
    fixed-clock runs (deselected, not skipped: under CI nothing may skip)."""
    for item in items:
        reason = next(
            (why for name, why in REAL_CLOCK_FIXTURES.items() if name in item.fixturenames),
            REAL_CLOCK_BROWSER if item.get_closest_marker("browser") else None,
        )
        if reason and not item.get_closest_marker("real_clock"):
            item.add_marker(pytest.mark.real_clock(reason=reason))
    if not FIXED_NOW:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("real_clock") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config):
    if FIXED_NOW:
        return f"JZ_TEST_NOW: tests run from {FIXED_NOW} Asia/Shanghai; real_clock deselected"
    return None


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    """The clock for this test: its `clock` marker's moment (a test that needs "now" in a
    given week pins it), else JZ_TEST_NOW, else the real clock. A real_clock test shares the
    clock with another process and is never moved."""
    marker = request.node.get_closest_marker("clock")
    text = marker.args[0] if marker else FIXED_NOW
    if not text or request.node.get_closest_marker("real_clock"):
        yield
        return
    moment = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        yield


# Tests write uploads into temporary media roots, never into the real `media/`: every test gets
# one (tests that need a known path still set their own), other processes a session-wide one,
# and the session fails if anything appeared or changed under the real directory anyway.
REAL_MEDIA_DIRS: dict = {}
PROCESS_MEDIA_ROOT = tempfile.mkdtemp(prefix="jz-test-media-")


def _media_snapshot(root):
    if not root.is_dir():
        return {}
    return {str(path): path.stat().st_mtime_ns for path in root.rglob("*") if path.is_file()}


def pytest_sessionstart(session):
    from django.conf import settings

    roots = {Path(settings.MEDIA_ROOT).resolve(), (Path(settings.BASE_DIR) / "media").resolve()}
    for root in roots:
        REAL_MEDIA_DIRS[root] = _media_snapshot(root)
    # Workers and manage.py subprocesses read MEDIA_ROOT from the environment.
    os.environ["MEDIA_ROOT"] = PROCESS_MEDIA_ROOT


@pytest.fixture(autouse=True)
def _temporary_media_root(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


def _real_media_writes() -> list[str]:
    written = []
    for root, before in REAL_MEDIA_DIRS.items():
        after = _media_snapshot(root)
        written += sorted(path for path, stamp in after.items() if before.get(path) != stamp)
    return written


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
    """Nothing may be written into the real media directory; under CI every test must run: a
    skip means a service or package is missing."""
    shutil.rmtree(PROCESS_MEDIA_ROOT, ignore_errors=True)
    written = _real_media_writes()
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.write_line(f"测试写入了真实的媒体目录（应使用临时 MEDIA_ROOT）：{written}")
        session.exitstatus = 1
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; under CI nothing may skip.")
        session.exitstatus = 1
