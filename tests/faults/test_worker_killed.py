"""A worker killed (SIGKILL) mid-job: the sweeper hands the job out again, another worker
finishes it, and the page follows it through.

Each test takes two workers of the session's pool (tests/faults/workers.py), each on its own
queue: a job is sent to one, that one is killed while the job is running, and the sweeper
sends the job to the other. The report is a slow test PDF (tests/faults/slow_export.py:
twelve 0.25 s steps, each a heartbeat); the computation is held mid-way by a row lock the test
takes on the evaluation (compute_quarter locks it first), so each kill lands while its job is
running.
"""

import io
import time

import psycopg
import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from scoring.models import ComputeJob, EvaluationVersion, ReportJob
from scoring.reports import registry
from scoring.services.compute_jobs import sweep_stalled_computations
from scoring.services.evaluations import open_evaluation
from scoring.services.reports import request_report, sweep_stalled_reports
from tests.campaigns.builders import build_small_year
from tests.faults.slow_export import SLOW_PDF
from tests.faults.weeks import finished_year
from tests.helpers import make_user

pytestmark = [
    pytest.mark.faults,
    pytest.mark.real_clock(reason="kills and starts real worker processes"),
]


def wait_until(check, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def two_workers(fault_workers, transactional_db, settings):
    """(first queue, kill first, second queue) for one test, which kills the first: the
    session's pool (tests/faults/conftest.py) has one worker for each test asking for this."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.JOB_HEARTBEAT_TIMEOUT = 1
    settings.MEDIA_ROOT = fault_workers.media
    first, second = fault_workers.alive()[:2]
    return first, lambda: fault_workers.kill(first), second


def shown(client, url) -> str:
    return client.get(url).content.decode()


def test_report_job_of_a_killed_worker_is_swept_and_completes(
    client, two_workers, settings, monkeypatch
):
    first, kill_first, second = two_workers
    monkeypatch.setitem(registry._REGISTRY, SLOW_PDF.identifier, SLOW_PDF)
    settings.REPORT_QUEUE = first
    user = make_user("asker")
    client.force_login(user)
    job = request_report(identifier=SLOW_PDF.identifier, params={"run": first}, user=user)
    page = reverse("report-job", args=[job.pk])
    jobs = ReportJob.objects.filter(pk=job.pk)
    assert wait_until(lambda: jobs.filter(status="running", progress__gte=24).exists())
    assert jobs.get().heartbeat_at is not None
    kill_first()
    assert "生成中" in shown(client, page)
    assert sweep_stalled_reports() == 0  # its heartbeat is still fresh

    time.sleep(1.2)
    settings.REPORT_QUEUE = second
    assert sweep_stalled_reports() == 1
    assert wait_until(lambda: jobs.filter(status="running").exists())
    assert "生成中" in shown(client, page)
    assert wait_until(lambda: jobs.filter(status="done").exists())
    download = client.get(reverse("report-download", args=[job.pk]))
    assert download.status_code == 200
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(pdf.pages) == 1


def test_computation_of_a_killed_worker_is_swept_and_completes(client, two_workers, settings):
    first, kill_first, second = two_workers
    settings.CELERY_TASK_DEFAULT_QUEUE = first
    # The workers run on the real clock: last year's Q1 is over (no confirmation) on any date.
    small = build_small_year(year=finished_year())
    evaluation = open_evaluation(year=small.year, quarter=1)
    client.force_login(small.office)
    db = connection.settings_dict
    holder = psycopg.connect(
        dbname=db["NAME"], host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
    )  # fmt: skip
    try:
        # NO KEY UPDATE: the job row's foreign key to it may be written; FOR UPDATE waits.
        holder.execute(
            "SELECT 1 FROM scoring_quarterlyevaluation WHERE id = %s FOR NO KEY UPDATE",
            [evaluation.pk],
        )
        started = client.post(reverse("evaluation-action", args=[evaluation.pk, "compute"]))
        assert "/compute/" in started.url
        jobs = ComputeJob.objects.filter(evaluation=evaluation)
        assert wait_until(lambda: jobs.filter(status="running").exists())
        assert "正在计分并保存结果" in shown(client, started.url)
        kill_first()
    finally:
        holder.rollback()
        holder.close()

    time.sleep(1.2)
    settings.CELERY_TASK_DEFAULT_QUEUE = second
    assert sweep_stalled_computations() == 1
    assert jobs.get().status in ("queued", "running", "done")
    assert wait_until(lambda: jobs.filter(status="done").exists())
    finished = client.get(started.url)
    assert finished.url == reverse("evaluation-detail", args=[evaluation.pk])
    # The killed worker's transaction was rolled back: one version, from the second worker.
    assert EvaluationVersion.objects.filter(evaluation=evaluation).count() == 1
