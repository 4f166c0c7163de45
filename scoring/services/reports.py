"""Report jobs: request a document, render it in Celery into a stored file, reuse it per version.

One path for every export (PDF or sheet) whoever asks: a view, the admin's "regenerate"
action or beat's re-dispatch. `request_report` checks the export's permission and either
hands back a finished copy of the same document (same identifier and cache key — for a
quarter, its evaluation version) or queues a job; `run_report` renders it (called by the task).

If the broker is down when a job is queued, the job stays queued with a note for the page;
beat's `dispatch_queued_reports` sends it again once the broker is back.
"""

import inspect
import logging
from collections.abc import Callable
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.permissions import acts_as_office
from jiaozhang.tasking import BROKER_ERRORS, runs_eagerly, send, task_named

from ..models import ReportJob
from ..reports.registry import get_export
from .heartbeat import beating, requeue_stalled

logger = logging.getLogger(__name__)

Status = ReportJob.Status
BROKER_DOWN_NOTE = "后台任务服务暂不可用，报表已排队，恢复后自动生成。"
RENDER_FAILED = "报表生成失败，请稍后重试或联系考核办。"
# A queued job older than this was not picked up (broker down, worker lost): send it again.
RESEND_AFTER = timedelta(minutes=1)
# Started by name through jiaozhang.tasking: scoring.report_tasks imports this module, not back.
RENDER_REPORT = "scoring.report_tasks.render_report"


class ReportRefused(Exception):
    """The user may not have this document; the message is the Chinese reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def report_jobs_visible_to(user) -> QuerySet[ReportJob]:
    """A job and its file belong to whoever asked; the office sees every job."""
    jobs = ReportJob.objects.select_related("requested_by")
    if not user.is_authenticated or not user.is_active:
        return jobs.none()
    if acts_as_office(user):
        return jobs
    return jobs.filter(requested_by=user)


def _stored(job: ReportJob) -> bool:
    return bool(job.file) and job.file.storage.exists(job.file.name)


def request_report(*, identifier: str, params: dict, user) -> ReportJob:
    """A finished copy of the document if one exists for the same key, else a queued job.

    Raises ReportRefused with the export's reason when the user may not have it. The job
    returned may carry `note` (a Chinese sentence for the page) and `reused` (True when an
    existing file was handed back without rendering).
    """
    export = get_export(identifier)
    if export is None:
        raise ReportRefused("没有这种报表。")
    reason = export.allowed(user, params)
    if reason:
        raise ReportRefused(reason)
    key = export.cache_key(params)
    done = ReportJob.objects.filter(identifier=identifier, cache_key=key, status=Status.DONE)
    for cached in done.exclude(file="").order_by("-finished_at", "-id")[:3]:
        if _stored(cached):
            job = ReportJob.objects.create(
                requested_by=user,
                identifier=identifier,
                params=params,
                cache_key=key,
                status=Status.DONE,
                progress=100,
                file=cached.file.name,
                filename=cached.filename,
                content_type=cached.content_type,
                finished_at=timezone.now(),
            )
            job.reused, job.note = True, ""
            return job
    job = ReportJob.objects.create(
        requested_by=user, identifier=identifier, params=params, cache_key=key
    )
    job.reused, job.note = False, ""
    transaction.on_commit(lambda: _dispatch_noting(job))
    return job


def _dispatch_noting(job: ReportJob) -> None:
    if not send_report_job(job.pk):
        job.note = BROKER_DOWN_NOTE
        job.error = BROKER_DOWN_NOTE


def send_report_job(job_id: int) -> bool:
    """Hand the job to Celery; False (and the job noted, still queued) if the broker is down."""
    render_report = task_named(RENDER_REPORT)
    if runs_eagerly():
        render_report.apply(args=[job_id])
        return True
    try:
        send(render_report, args=[job_id], queue=getattr(settings, "REPORT_QUEUE", ""))
    except BROKER_ERRORS as error:
        logger.warning("report job %s stays queued, broker unavailable: %s", job_id, error)
        ReportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(error=BROKER_DOWN_NOTE)
        return False
    ReportJob.objects.filter(pk=job_id, status=Status.QUEUED, error=BROKER_DOWN_NOTE).update(
        error=""
    )
    return True


def dispatch_queued_reports(*, now=None) -> int:
    """Send again the jobs still queued after RESEND_AFTER; returns how many were sent.

    Sending twice is harmless: `run_report` claims a job atomically, so a second delivery of
    the same job finds it running or done and does nothing.
    """
    now = now or timezone.now()
    sent = 0
    stale = ReportJob.objects.filter(status=Status.QUEUED, created_at__lte=now - RESEND_AFTER)
    for job_id in stale.order_by("created_at").values_list("pk", flat=True)[:500]:
        if not send_report_job(job_id):
            break  # the broker is still down: the next beat run tries again
        sent += 1
    return sent


def sweep_stalled_reports(*, now=None) -> int:
    """Put running jobs whose heartbeat stopped (worker killed) back in the queue and send them.

    The reset is conditional on the stale heartbeat, so a job that is still alive is never
    taken from its worker; a job sent while the broker is down stays queued for
    `dispatch_queued_reports`. Returns how many jobs were handed out again.
    """
    requeued = requeue_stalled(
        ReportJob.objects.all(), now=now or timezone.now(), limit=500, progress=0
    )
    for job_id in requeued:
        logger.warning("report job %s lost its worker, sent again", job_id)
        if not send_report_job(job_id):
            break
    return len(requeued)


def run_report(
    job_id: int, progress: Callable[[int], None] | None = None, *, heartbeat: bool = False
) -> ReportJob:
    """Render the job's document into its file; done or failed, never left running.

    Claims the job with a conditional UPDATE (queued → running), so duplicate deliveries of
    one job render it once. `heartbeat` (a real worker) keeps the heartbeat going between
    progress steps.
    """
    running = ReportJob.objects.filter(pk=job_id, status=Status.RUNNING)
    with beating(running, name=f"report-{job_id}") if heartbeat else nullcontext():
        return _run_claimed(job_id, progress)


def _run_claimed(job_id: int, progress: Callable[[int], None] | None) -> ReportJob:
    claimed = ReportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=5, error="", heartbeat_at=timezone.now()
    )
    job = ReportJob.objects.get(pk=job_id)
    if not claimed:
        return job

    def report(percent: int) -> None:
        # The heartbeat rides on every progress step: a job whose heartbeat stops was lost
        # with its worker, and `sweep_stalled_reports` hands it out again.
        ReportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            progress=max(0, min(99, percent)), heartbeat_at=timezone.now()
        )
        if progress:
            progress(percent)

    export = get_export(job.identifier)
    try:
        if export is None:
            raise LookupError(f"unknown export {job.identifier!r}")
        report(10)
        render = export.render
        accepts_progress = "progress" in inspect.signature(render).parameters
        filename, content_type, content = (
            render(job.params, progress=report) if accepts_progress else render(job.params)
        )
        report(95)
        job.file.save(
            f"{job.identifier}-{job.cache_key or job.pk}.{_suffix(filename)}",
            ContentFile(content),
            save=False,
        )
    except Exception:
        logger.exception("report job %s (%s) failed", job_id, job.identifier)
        ReportJob.objects.filter(pk=job_id).update(
            status=Status.FAILED, error=RENDER_FAILED, finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    job.filename, job.content_type = filename, content_type
    job.status, job.progress, job.finished_at = Status.DONE, 100, timezone.now()
    job.save(
        update_fields=["file", "filename", "content_type", "status", "progress", "finished_at"]
    )
    if progress:
        progress(100)
    return job


def _suffix(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"


def regenerate_reports(*, jobs, user=None) -> int:
    """Render the jobs' documents again (the admin's action): reset to queued and send.

    The old file stays in storage, since other requesters' copies may point at it; the new
    render gets a new stored name and becomes the newest cached copy for its key.
    """
    ids = []
    for job in jobs:
        export = get_export(job.identifier)
        # The key is taken again: a draft notice regenerated after publication is the
        # published one now.
        key = export.cache_key(job.params) if export else job.cache_key
        ReportJob.objects.filter(pk=job.pk).update(
            status=Status.QUEUED, progress=0, error="", finished_at=None, file="", cache_key=key
        )
        ids.append(job.pk)
    transaction.on_commit(lambda: [send_report_job(job_id) for job_id in ids])
    return len(ids)
