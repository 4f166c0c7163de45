"""Start a quarter's computation in Celery, or in-process when tasks run eagerly.

The page then follows the task through the result backend. A county quarter computes in about
0.3 s and a city's in about 2.6 s (docs/benchmarks.md), so when the broker is down the office
still gets its result: the computation runs in the request instead.
"""

import logging

from django.conf import settings

from jiaozhang.tasking import BROKER_ERRORS, runs_eagerly, send, task_named

logger = logging.getLogger(__name__)
# Started by name through jiaozhang.tasking: services never import tasks modules.
COMPUTE_QUARTER = "scoring.tasks.compute_quarter_task"


def start_compute(
    *, evaluation, user, reason: str, confirm: bool
) -> tuple[str | None, dict | None]:
    """(task id, None) while it runs in a worker; (None, outcome) when it already ran here."""
    args = [evaluation.pk, user.pk, reason, confirm]
    compute_quarter_task = task_named(COMPUTE_QUARTER)
    if runs_eagerly():
        return None, compute_quarter_task.apply(args=args).result
    try:
        result = send(
            compute_quarter_task,
            args=args,
            queue=getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None),
        )
    except BROKER_ERRORS as error:
        logger.warning("computing in the request, broker unavailable: %s", error)
        return None, compute_quarter_task.apply(args=args).result
    return result.id, None


def compute_progress(task_id: str, evaluation_id: int) -> dict:
    """State of a running computation: percent, message, and the outcome once finished."""
    result = task_named(COMPUTE_QUARTER).AsyncResult(task_id)
    info = result.info if isinstance(result.info, dict) else {}
    if result.state == "SUCCESS":
        outcome = result.result or {}
        if outcome.get("evaluation_id", evaluation_id) != evaluation_id:
            return {"state": "FAILURE", "messages": ["任务与该季度考评不符。"]}
        return {"state": "SUCCESS", "percent": 100, "outcome": outcome}
    if result.state in ("FAILURE", "REVOKED"):
        return {"state": "FAILURE", "messages": ["计算失败，请重试或联系系统管理员。"]}
    return {
        "state": result.state,
        "percent": info.get("percent", 0),
        "message": info.get("message", "排队等待后台计算服务"),
    }
