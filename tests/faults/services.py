"""Stop and start the real PostgreSQL cluster and Redis the suite runs on (fault tests).

Each service is found from the suite's own DATABASE_URL / REDIS_URL (CI: 5432 and 6379; a
developer's private copies elsewhere), stopped with the issue's commands, and ALWAYS started
again on the way out, waiting until it answers, whatever the test did.
"""

import os
import subprocess
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

READY_TIMEOUT = 30


def _wait(check, *, up: bool, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if check() == up:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not {'come up' if up else 'stop'} in {READY_TIMEOUT} s")


def redis_port() -> int:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("需要 REDIS_URL（真实 Redis）")
    return urlparse(url).port or 6379


def redis_answers(port: int) -> bool:
    ping = subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), "ping"],
        capture_output=True,
        text=True,
        check=False,
    )
    return ping.stdout.strip() == "PONG"


def start_redis(port: int) -> None:
    if redis_answers(port):
        return
    # CI's Redis keeps .ci/run's directories; any other port (a developer's copy) uses /tmp.
    workdir, log = ("/var/lib/redis", "/var/log/redis/ci.log")
    if port != 6379:
        workdir, log = "/tmp", f"/tmp/redis{port}.log"
    os.makedirs(workdir, exist_ok=True)
    os.makedirs(os.path.dirname(log), exist_ok=True)
    subprocess.run(
        [
            *("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1"),
            *("--port", str(port), "--save", "", "--appendonly", "no"),
            *("--dir", workdir, "--logfile", log),
        ],
        check=True,
        capture_output=True,
    )
    _wait(lambda: redis_answers(port), up=True, what="Redis")


@contextmanager
def redis_stopped():
    """Redis down for the block; started again (and answering) afterwards, always."""
    port = redis_port()
    try:
        subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(port), "shutdown", "nosave"],
            capture_output=True,
            check=False,
        )
        _wait(lambda: redis_answers(port), up=False, what="Redis")
        yield port
    finally:
        start_redis(port)


def postgres_cluster(port: int) -> tuple[str, str]:
    """(version, name) of the local cluster listening on `port` (pg_lsclusters)."""
    listing = subprocess.run(
        ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
    )
    for line in listing.stdout.splitlines():
        version, name, cluster_port, *_ = line.split()
        if int(cluster_port) == port:
            return version, name
    pytest.skip(f"端口 {port} 上没有本机 PostgreSQL 集群")


def postgres_answers(port: int) -> bool:
    ready = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(port), "-q"], check=False)
    return ready.returncode == 0


def pg_ctl(port: int, action: str) -> None:
    version, name = postgres_cluster(port)
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action],
        check=True,
        capture_output=True,
    )


def ensure_postgres(port: int) -> None:
    if not postgres_answers(port):
        pg_ctl(port, "start")
    _wait(lambda: postgres_answers(port), up=True, what="PostgreSQL")
