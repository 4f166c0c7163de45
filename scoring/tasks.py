"""Celery tasks of scoring: thin wrappers that load ids and call the scoring services."""

from celery import shared_task

from accounts.models import User

from .errors import NeedsConfirmation, ScoringError
from .models import QuarterlyEvaluation
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
