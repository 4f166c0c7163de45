"""Celery tasks of scoring: thin wrappers that load ids and call the scoring services."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from accounts.models import User

from .errors import NeedsConfirmation, ScoringError
from .models import QuarterlyEvaluation
from .services.briefings import generate_weekly_briefing
from .services.escalation import escalate_overdue_follow_ups
from .services.evaluations import compute_quarter


@shared_task(bind=True, acks_late=True)
def compute_quarter_task(self, evaluation_id: int, user_id: int, reason: str = "", confirm=False):
    """Compute a quarter in the background, reporting progress through the result backend.

    Not strictly idempotent: every run that succeeds stores a new version (that is what a
    computation is — DESIGN §3), so a task redelivered after a worker died (acks_late) may
    leave one extra version with the same figures. That is harmless: versions are cheap, the
    newest becomes current, and the old ones stay readable. A refused computation (published,
    or periods still open without `confirm`) changes nothing and returns why.
    """
    self.update_state(state="PROGRESS", meta={"percent": 0, "message": "正在读取已核实的数据"})
    evaluation = QuarterlyEvaluation.objects.get(pk=evaluation_id)
    user = User.objects.get(pk=user_id)
    self.update_state(state="PROGRESS", meta={"percent": 10, "message": "正在计分并保存结果"})
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
