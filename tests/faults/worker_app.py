"""The Celery app of the project with the slow test export registered, for fault tests."""

from jiaozhang.celery import app
from scoring.reports.registry import register
from tests.faults.slow_export import SLOW_PDF

register(SLOW_PDF)

__all__ = ["app"]
