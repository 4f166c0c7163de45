"""Fault tests need the real services they stop: PostgreSQL (DATABASE_URL) and Redis."""

import os

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def _real_services():
    if not os.environ.get("REDIS_URL"):
        pytest.skip("需要 REDIS_URL（真实 Redis）")
    if connection.vendor != "postgresql":
        pytest.skip("需要 PostgreSQL（DATABASE_URL）")
