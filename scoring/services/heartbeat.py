"""The heartbeat of a background job (report or quarter computation) while a worker runs it.

A job whose heartbeat stops was lost with its worker (killed, machine restarted); the sweepers
(`sweep_stalled_reports`, `sweep_stalled_computations`) hand it out again.
"""

import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone


def stalled_after() -> timedelta:
    """How long a running job may go without a heartbeat before it counts as lost."""
    return timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)


def requeue_stalled(jobs, *, now, limit: int, **reset) -> list[int]:
    """Put the running jobs of `jobs` (ReportJob or ComputeJob rows) whose heartbeat stopped
    back to queued, with `reset` fields; the ids put back. Each reset is conditional on the
    stale heartbeat, so a job that beat meanwhile is never taken from its live worker."""
    cutoff = now - stalled_after()
    stalled = jobs.filter(status="running", heartbeat_at__lt=cutoff)
    return [
        job_id
        for job_id in list(stalled.values_list("pk", flat=True)[:limit])
        if jobs.filter(pk=job_id, status="running", heartbeat_at__lt=cutoff).update(
            status="queued", **reset
        )
    ]


@contextmanager
def beating(running, *, name: str):
    """While the block runs, a thread stamps `heartbeat_at` on the rows of `running` (a
    queryset: the job while it is running), since a job may go a long time between progress
    steps; the thread stops, closing its own database connection, when the block ends."""
    stop = threading.Event()
    every = min(30.0, stalled_after().total_seconds() / 4)

    def beat():
        try:
            while not stop.wait(every):
                running.update(heartbeat_at=timezone.now())
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"{name}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
