"""App config for scoring: rules, quarterly and annual evaluations, the merit-and-fault file."""

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "考评与绩误档案"

    def ready(self):
        # Celery's autodiscovery imports only `tasks` modules; the report tasks live in
        # report_tasks, and the report jobs' admin beside scoring's own admin module.
        from . import admin_reports, report_tasks  # noqa: F401
