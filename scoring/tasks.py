"""Celery tasks of scoring: thin wrappers that load ids and call the scoring services."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from .services import compute_jobs
from .services.briefings import generate_weekly_briefing
from .services.escalation import escalate_overdue_follow_ups


@shared_task(bind=True, acks_late=True)
def compute_quarter_task(
    self, evaluation_id: int, user_id: int, reason: str = "", confirm=False, job_id=None
):
    """Compute a quarter: the page's ComputeJob `job_id` (claimed, heartbeat, outcome stored),
    or without one (the shell, eager runs) just the computation's outcome."""
    if job_id is None:
        return compute_jobs.compute_outcome(evaluation_id, user_id, reason, confirm)
    return compute_jobs.run_compute_job(job_id, heartbeat=not self.request.is_eager)


@shared_task(acks_late=True)
def sweep_stalled_computations() -> int:
    """Every minute (beat): send again the computations whose worker died."""
    return compute_jobs.sweep_stalled_computations()


@shared_task(acks_late=True)
def escalate_follow_ups(now_iso: str | None = None) -> dict:
    """Beat (working days 08:30, then hourly): 黄牌/红牌 for overdue follow-ups; idempotent.

    `now_iso` replays a moment (tests move the clock with it; operators may too)."""
    now = parse_datetime(now_iso) if now_iso else None
    return escalate_overdue_follow_ups(now=now).as_dict()


@shared_task(acks_late=True)
def generate_briefing_task(at: str | None = None) -> int | None:
    """Beat (Mondays 07:30): last week's 周通报 as a draft for the office; idempotent (a rerun
    refreshes the draft, an issued one stays). `at` replays a moment (ISO time)."""
    briefing = generate_weekly_briefing(now=parse_datetime(at) if at else None)
    return briefing.pk if briefing else None
