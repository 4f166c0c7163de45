"""The compute button: in-process when tasks run eagerly, through a real worker otherwise."""

import os
import time
from datetime import date

import pytest
from django.urls import reverse

from scoring.models import EvaluationVersion
from scoring.services.evaluations import open_evaluation
from tests.campaigns.builders import build_small_year

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")


def test_eager_compute_goes_straight_back_to_the_evaluation(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    small = build_small_year()
    evaluation = open_evaluation(year=small.year, quarter=1)
    client.force_login(small.office)
    response = client.post(reverse("evaluation-action", args=[evaluation.pk, "compute"]))
    assert response.url == reverse("evaluation-detail", args=[evaluation.pk])
    assert EvaluationVersion.objects.filter(evaluation=evaluation).count() == 1


def test_open_periods_ask_before_computing(client, db, settings):
    from django.utils import timezone

    settings.CELERY_TASK_ALWAYS_EAGER = True
    small = build_small_year()
    today = timezone.localdate()
    quarter = small.year.periods.get(starts_on__lte=today, ends_on__gte=today).quarter
    evaluation = open_evaluation(year=small.year, quarter=quarter)
    client.force_login(small.office)
    url = reverse("evaluation-action", args=[evaluation.pk, "compute"])
    page = client.post(url).content.decode()
    assert "尚未锁定" in page and not EvaluationVersion.objects.exists()
    client.post(url, {"confirm": "1"})
    assert EvaluationVersion.objects.count() == 1


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="需要 REDIS_URL（真实 Redis）")
def test_worker_computes_while_the_page_shows_progress(client, worker, settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = worker
    # The worker runs on the real clock: last year's Q1 is over (no confirmation) on any date.
    small = build_small_year(year=date.today().isocalendar().year - 1)
    evaluation = open_evaluation(year=small.year, quarter=1)
    client.force_login(small.office)
    started = client.post(reverse("evaluation-action", args=[evaluation.pk, "compute"]))
    assert "/compute/" in started.url
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = client.get(started.url)
        if page.status_code == 302:
            break
        assert "正在计算" in page.content.decode()
        time.sleep(0.5)
    assert page.url == reverse("evaluation-detail", args=[evaluation.pk])
    assert EvaluationVersion.objects.filter(evaluation=evaluation).count() == 1
