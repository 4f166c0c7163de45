"""App config for scoring: rules, quarterly and annual evaluations, the merit-and-fault file."""

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "考评与绩误档案"

    def ready(self):
        from campaigns.services.years import freeze_deadlines

        # The services start tasks by name (jiaozhang.tasking.task_named), so every process
        # registers them here: `tasks`, and `report_tasks`, which Celery's autodiscovery (it
        # imports only `tasks` modules) would miss. The report jobs' admin sits beside
        # scoring's own admin module.
        from . import admin_reports, report_tasks, tasks  # noqa: F401
        from .services.evaluations import published_quarter_freezes_deadline

        # Campaigns asks before a deadline moves and does not import scoring: scoring answers
        # for the weeks of a published quarter.
        freeze_deadlines(published_quarter_freezes_deadline)

        from . import todo

        # The home pages' 待办 items of scoring (accounts offers the registry).
        todo.register_items()

        from campaigns.demo import after_demo_built

        from .demo import build_results
        from .demo_supervision import build_supervision

        # Campaigns builds the demo and does not import scoring: scoring adds the demo's
        # computed and published quarters (seed_demo, build_demo(results=True)), then the
        # follow-ups those publications drafted and the weekly briefings, in that order.
        after_demo_built(build_results)
        after_demo_built(build_supervision)
