"""App config for scoring: rules, quarterly and annual evaluations, the merit-and-fault file."""

from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = "考评与绩误档案"
