"""Fault tests need the real services they stop: PostgreSQL (DATABASE_URL) and Redis.

Only tests marked `faults`: the checks of their date helpers (test_weeks.py) run anywhere.
"""

import os

import pytest
from django.db import connection

from tests.faults.workers import FaultWorkers

# The fixture of the tests that kill a worker (test_worker_killed.py): one worker each.
KILLS_A_WORKER = "two_workers"


@pytest.fixture(autouse=True)
def _real_services(request):
    if not request.node.get_closest_marker("faults"):
        return
    if not os.environ.get("REDIS_URL"):
        pytest.skip("需要 REDIS_URL（真实 Redis）")
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（DATABASE_URL）")


@pytest.fixture(scope="session")
def fault_workers(request, django_db_setup, tmp_path_factory):
    """The session's workers (tests/faults/workers.py), shared by the fault tests: one for
    each test that kills one, and one left. Stopped before the test database is dropped."""
    kills = sum(KILLS_A_WORKER in item.fixturenames for item in request.session.items)
    pool = FaultWorkers(tmp_path_factory.mktemp("fault-workers"), budget=kills + 1)
    yield pool
    pool.stop()
