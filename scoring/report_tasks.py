"""Celery tasks of the report jobs: thin wrappers around scoring.services.reports.

Kept out of scoring/tasks.py (Celery's autodiscovery imports only `tasks` modules), so
ScoringConfig.ready() imports this module: the worker, beat and the web process then all
know these task names.
"""

from celery import shared_task

from .services import reports


@shared_task(bind=True, acks_late=True, name="scoring.report_tasks.render_report")
def render_report(self, job_id: int) -> str:
    """Render one job's document; progress goes to the job row and to the result backend."""

    def progress(percent: int) -> None:
        if self.request.id and not self.request.is_eager:
            self.update_state(state="PROGRESS", meta={"percent": percent})

    heartbeat = not self.request.is_eager
    return reports.run_report(job_id, progress=progress, heartbeat=heartbeat).status


@shared_task(acks_late=True, name="scoring.report_tasks.dispatch_queued_reports")
def dispatch_queued_reports() -> int:
    """Every five minutes (beat): send again the jobs left queued while the broker was down."""
    return reports.dispatch_queued_reports()


@shared_task(acks_late=True, name="scoring.report_tasks.sweep_stalled_reports")
def sweep_stalled_reports() -> int:
    """Every minute (beat): hand out again the jobs whose worker died while rendering."""
    return reports.sweep_stalled_reports()
