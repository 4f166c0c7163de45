"""Computing a quarter (and a year) costs the same number of queries for a small county and a
larger one (DESIGN §7), and the Celery task wraps compute_quarter.

The data is the shared demo builder's (campaigns.demo), three weeks of ledgers in January 2026;
the larger county is the smaller one grown in place (the builder adds the new units' targets
and ledgers and keeps the rest).
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import User
from campaigns.demo import build_demo
from scoring.models import EvaluationVersion, QuarterlyEvaluation, UnitScore
from scoring.services.annual import compute_year
from scoring.services.evaluations import compute_quarter, open_evaluation, record_skipped_quarter
from scoring.tasks import compute_quarter_task
from tests.helpers import count_queries

NOW = datetime(2026, 1, 26, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SMALL = {"townships": 3, "departments": 6, "parks": 1}
LARGER = {"townships": 12, "departments": 24, "parks": 4}


def _statements(queries) -> list[str]:
    """Queries other than INSERT batches: on SQLite Django splits a bulk insert into batches of
    999 parameters (~50 rows of a score), so only there do INSERTs grow with the rows."""
    kept = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "sqlite":
        kept = [sql for sql in kept if not sql.lstrip().upper().startswith("INSERT")]
    return kept


def _compute(year, office):
    evaluation = open_evaluation(year=year, quarter=1)
    with count_queries() as queries:
        version = compute_quarter(
            evaluation=evaluation, user=office, confirm_open_periods=True, now=NOW
        )
    return version, queries


@pytest.mark.django_db
def test_compute_quarter_queries_do_not_grow_with_the_county():
    demo = build_demo(**SMALL, weeks=3, now=NOW)
    office = User.objects.get(username="office")
    _compute(demo.year.year, office)  # the first run also creates the year's rules, caches roles
    small_version, small = _compute(demo.year.year, office)
    build_demo(**LARGER, weeks=3, now=NOW)
    larger_version, larger = _compute(demo.year.year, office)
    small_units = UnitScore.objects.filter(version=small_version).count()
    larger_units = UnitScore.objects.filter(version=larger_version).count()
    assert larger_units >= 3 * small_units  # the larger county really is larger
    assert len(_statements(larger)) == len(_statements(small))


@pytest.mark.django_db
def test_compute_year_queries_do_not_grow_with_the_county():
    demo = build_demo(**SMALL, weeks=3, now=NOW)
    office = User.objects.get(username="office")
    for quarter in (1, 2, 3, 4):  # the year waits for every quarter (published or skipped)
        record_skipped_quarter(year=demo.year.year, quarter=quarter, reason="测试", user=office)
    compute_year(year=demo.year.year, user=office, now=NOW)  # creates the evaluation, rules
    with count_queries() as small:
        compute_year(year=demo.year.year, user=office, now=NOW)
    build_demo(**LARGER, weeks=0, now=NOW)
    with count_queries() as larger:
        compute_year(year=demo.year.year, user=office, now=NOW)
    assert len(_statements(larger)) == len(_statements(small))


@pytest.mark.django_db
def test_compute_quarter_task():
    """Eager by default (no REDIS_URL); with a broker configured, `.apply()` still runs the task
    in this process, so the test needs no worker either way. Each run makes a new version."""
    demo = build_demo(**SMALL, weeks=3, now=NOW)
    office = User.objects.get(username="office")
    evaluation = open_evaluation(year=demo.year.year, quarter=1)
    task = compute_quarter_task
    kwargs = {"reason": "定时", "confirm": True}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        done = task.delay(evaluation.pk, office.pk, **kwargs).get()
    else:
        done = task.apply(args=(evaluation.pk, office.pk), kwargs=kwargs).get()
    assert done["ok"] is True and done["number"] == 1 and done["units"] > 0
    assert EvaluationVersion.objects.get(pk=done["version_id"]).reason == "定时"
    again = task.apply(args=(evaluation.pk, office.pk), kwargs={"confirm": True})
    assert again.successful() and again.get()["number"] == 2

    # a refusal changes nothing and says why
    QuarterlyEvaluation.objects.filter(pk=evaluation.pk).update(status="published")
    refused = task.apply(args=(evaluation.pk, office.pk), kwargs={"confirm": True}).get()
    assert refused == {
        "ok": False,
        "needs_confirmation": False,
        "messages": ["该季度考评已发布，结果已冻结，不能重新计算。"],
        "evaluation_id": evaluation.pk,
    }
    assert EvaluationVersion.objects.count() == 2
