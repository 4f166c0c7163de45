"""Start a quarter's computation in Celery, or in-process when tasks run eagerly.

Each computation asked for from the page is a ComputeJob row the page follows by its key: the
worker claims it (queued → running), stamps a heartbeat while it computes and stores the
outcome. A job whose heartbeat stopped (worker killed) is put back in the queue and sent again
by `sweep_stalled_computations` (beat, every minute). A county quarter computes in about 0.3 s
and a city's in about 2.6 s (docs/benchmarks.md), so when the broker is down the office still
gets its result: the computation runs in the request instead.
"""

import logging
import uuid
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from jiaozhang.tasking import BROKER_ERRORS, runs_eagerly, send, task_named

from ..errors import NeedsConfirmation, ScoringError
from ..models import ComputeJob, QuarterlyEvaluation
from .evaluations import compute_quarter
from .heartbeat import beating, requeue_stalled

logger = logging.getLogger(__name__)
Status = ComputeJob.Status
# Started by name through jiaozhang.tasking: services never import tasks modules.
COMPUTE_QUARTER = "scoring.tasks.compute_quarter_task"
# A queued job not picked up after this (broker was down, message lost) is sent again.
RESEND_AFTER = timedelta(minutes=1)


def start_compute(
    *, evaluation, user, reason: str, confirm: bool
) -> tuple[str | None, dict | None]:
    """(job key, None) while it runs in a worker; (None, outcome) when it already ran here."""
    compute_quarter_task = task_named(COMPUTE_QUARTER)
    args = [evaluation.pk, user.pk, reason, confirm]
    if runs_eagerly():
        return None, compute_quarter_task.apply(args=args).result
    job = ComputeJob.objects.create(
        evaluation=evaluation,
        requested_by=user,
        key=uuid.uuid4().hex,
        reason=reason[:500],
        confirm=confirm,
    )
    if not send_compute_job(job):
        return None, compute_quarter_task.apply(args=[*args, job.pk]).result
    return job.key, None


def send_compute_job(job: ComputeJob) -> bool:
    """Hand the job to Celery; False if the broker is down (the job stays queued)."""
    args = [job.evaluation_id, job.requested_by_id, job.reason, job.confirm, job.pk]
    try:
        send(
            task_named(COMPUTE_QUARTER),
            args=args,
            queue=getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None),
        )
    except BROKER_ERRORS as error:
        logger.warning("computation %s stays queued, broker unavailable: %s", job.pk, error)
        return False
    return True


def compute_outcome(evaluation_id: int, user_id: int, reason: str, confirm: bool) -> dict:
    """Compute the quarter; what the page shows: the new version, or why it was refused.

    Not strictly idempotent: every run that succeeds stores a new version (that is what a
    computation is — DESIGN §3), so a computation delivered twice may leave one extra version
    with the same figures. That is harmless: versions are cheap, the newest becomes current,
    and the old ones stay readable. A refused computation changes nothing and returns why.
    """
    evaluation = QuarterlyEvaluation.objects.get(pk=evaluation_id)
    user = User.objects.get(pk=user_id)
    try:
        version = compute_quarter(
            evaluation=evaluation, user=user, reason=reason, confirm_open_periods=confirm
        )
    except NeedsConfirmation as question:
        return {
            "ok": False, "needs_confirmation": True, "messages": question.messages,
            "evaluation_id": evaluation_id,
        }  # fmt: skip
    except ScoringError as error:
        return {
            "ok": False, "needs_confirmation": False, "messages": error.messages,
            "evaluation_id": evaluation_id,
        }  # fmt: skip
    return {
        "ok": True,
        "evaluation_id": evaluation_id,
        "percent": 100,
        "version_id": version.pk,
        "number": version.number,
        "units": version.unit_scores.count(),
    }


def run_compute_job(job_id: int, *, heartbeat: bool) -> dict | None:
    """Claim the job (queued → running) and compute it; None if another delivery has it.

    `heartbeat` (a real worker) stamps the job while it computes, so the sweeper can tell a
    computation still running from one whose worker died.
    """
    claimed = ComputeJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        progress=10,
        message="正在计分并保存结果",
        heartbeat_at=timezone.now(),
    )
    if not claimed:
        return None
    job = ComputeJob.objects.get(pk=job_id)
    running = ComputeJob.objects.filter(pk=job_id, status=Status.RUNNING)
    try:
        with beating(running, name=f"compute-{job_id}") if heartbeat else nullcontext():
            outcome = compute_outcome(
                job.evaluation_id, job.requested_by_id, job.reason, job.confirm
            )
    except Exception:
        logger.exception("computation %s failed", job_id)
        running.update(status=Status.FAILED, finished_at=timezone.now())
        raise
    running.update(status=Status.DONE, progress=100, outcome=outcome, finished_at=timezone.now())
    return outcome


def compute_progress(key: str, evaluation_id: int) -> dict:
    """State of a computation: percent, message, and the outcome once finished."""
    job = ComputeJob.objects.filter(key=key, evaluation_id=evaluation_id).first()
    if job is None:
        return {"state": "FAILURE", "messages": ["任务与该季度考评不符。"]}
    if job.status == Status.DONE:
        return {"state": "SUCCESS", "percent": 100, "outcome": job.outcome}
    if job.status == Status.FAILED:
        return {"state": "FAILURE", "messages": ["计算失败，请重试或联系系统管理员。"]}
    if job.status == Status.QUEUED:
        return {"state": "PENDING", "percent": 0, "message": "排队等待后台计算服务"}
    return {"state": "PROGRESS", "percent": job.progress, "message": job.message}


def sweep_stalled_computations(*, now=None) -> int:
    """Send again the computations lost with their worker (running, heartbeat stopped) or
    never picked up (queued past RESEND_AFTER); how many were sent.

    A second delivery is harmless: the worker claims a job with a conditional update.
    """
    now = now or timezone.now()
    lost = requeue_stalled(ComputeJob.objects.all(), now=now, limit=100, progress=0, message="")
    for job_id in lost:
        logger.warning("computation %s lost its worker, queued again", job_id)
    waiting = ComputeJob.objects.filter(status=Status.QUEUED).exclude(
        created_at__gt=now - RESEND_AFTER, heartbeat_at=None
    )
    sent = 0
    for job in waiting.order_by("created_at")[:100]:
        if not send_compute_job(job):
            break
        sent += 1
    return sent
