"""Report jobs end to end: request → job → render → download; cache per version; refusals;
the broker being down; the admin's regenerate action; a real worker (PostgreSQL + Redis).

Most tests render in-process (CELERY_TASK_ALWAYS_EAGER, which the report service reads from
Django's settings at send time). The broker-down test points CELERY_BROKER_URL at a closed
port — a real refused connection, no mock.
"""

import time
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.roles import Role
from scoring.models import ReportJob
from scoring.services.evaluations import compute_quarter, open_evaluation
from scoring.services.reports import (
    BROKER_DOWN_NOTE,
    dispatch_queued_reports,
    request_report,
    run_report,
)
from tests.helpers import make_user
from tests.scoring.test_pdf_reports import build_published_quarter

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

NOTICE = "quarter_notice"


@pytest.fixture
def published(db):
    return build_published_quarter()


@pytest.fixture
def eager(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    return settings


def ask(client, capture, **data):
    with capture(execute=True):
        return client.post(reverse("report-request"), data)


def test_leader_requests_the_notice_and_downloads_it(
    client, published, eager, django_capture_on_commit_callbacks
):
    _small, evaluation, _ = published
    leader = make_user("lead", Role.LEADER)
    client.force_login(leader)
    response = ask(
        client, django_capture_on_commit_callbacks, identifier=NOTICE, evaluation_id=evaluation.pk
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("report-job", args=[job.pk])
    assert (job.status, job.progress, job.requested_by, job.cache_key) == (
        "done",
        100,
        leader,
        f"v{evaluation.current_version_id}",
    )
    page = client.get(response.url).content.decode()
    assert reverse("report-download", args=[job.pk]) in page and "hx-trigger" not in page
    download = client.get(reverse("report-download", args=[job.pk]))
    body = b"".join(download.streaming_content)
    assert download.status_code == 200 and body.startswith(b"%PDF")
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" in disposition
    assert "%E9%80%9A%E6%8A%A5" in disposition  # 通报, RFC 5987-encoded
    assert download["Content-Type"] == "application/pdf"


def test_same_version_is_reused_and_a_new_version_renders_anew(
    client, published, eager, django_capture_on_commit_callbacks
):
    small, evaluation, _ = published
    first = request_report(
        identifier=NOTICE,
        params={"evaluation_id": evaluation.pk},
        user=make_user("l1", Role.LEADER),
    )
    run_report(first.pk)
    first.refresh_from_db()
    again = request_report(
        identifier=NOTICE,
        params={"evaluation_id": evaluation.pk},
        user=make_user("l2", Role.LEADER),
    )
    assert again.reused and again.pk != first.pk and again.status == "done"
    assert again.file.name == first.file.name

    # An unpublished quarter, printed by the office, computed twice: two files.
    second_quarter = open_evaluation(year=small.year, quarter=2)
    compute_quarter(evaluation=second_quarter, user=small.office, confirm_open_periods=True)
    client.force_login(small.office)
    ask(
        client,
        django_capture_on_commit_callbacks,
        identifier=NOTICE,
        evaluation_id=second_quarter.pk,
    )
    v1 = ReportJob.objects.latest("id")
    compute_quarter(
        evaluation=second_quarter, user=small.office, reason="重算", confirm_open_periods=True
    )
    second_quarter.refresh_from_db()
    ask(
        client,
        django_capture_on_commit_callbacks,
        identifier=NOTICE,
        evaluation_id=second_quarter.pk,
    )
    v2 = ReportJob.objects.latest("id")
    assert v1.status == v2.status == "done"
    assert v1.cache_key != v2.cache_key == f"v{second_quarter.current_version_id}-appeal"
    assert v1.file.name != v2.file.name and "第2版" in v2.filename


def test_leader_is_refused_an_unpublished_notice(client, published, eager):
    small, _, _ = published
    draft = open_evaluation(year=small.year, quarter=2)
    compute_quarter(evaluation=draft, user=small.office, confirm_open_periods=True)
    client.force_login(make_user("lead", Role.LEADER))
    response = client.post(
        reverse("report-request"), {"identifier": NOTICE, "evaluation_id": draft.pk}
    )
    assert response.status_code == 403
    assert "该季度考评尚未发布，不能下载通报。" in response.content.decode()
    assert not ReportJob.objects.exists()


def test_a_unit_gets_its_own_scorecard_but_not_another_units(
    client, published, eager, django_capture_on_commit_callbacks
):
    small, evaluation, (a, b, _) = published
    client.force_login(small.reporter)  # 城关镇
    refused = client.post(
        reverse("report-request"),
        {"identifier": "unit_scorecard", "evaluation_id": evaluation.pk, "unit_id": b.pk},
    )
    assert refused.status_code == 403 and "无权下载该单位的得分卡" in refused.content.decode()
    own = ask(
        client,
        django_capture_on_commit_callbacks,
        identifier="unit_scorecard",
        evaluation_id=evaluation.pk,
        unit_id=a.pk,
    )
    assert own.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == "done" and job.filename.startswith(a.name)
    # Another user may neither watch nor download it; the office may.
    client.force_login(small.other_reporter)
    assert client.get(reverse("report-job", args=[job.pk])).status_code == 404
    assert client.get(reverse("report-download", args=[job.pk])).status_code == 404
    client.force_login(small.office)
    assert client.get(reverse("report-download", args=[job.pk])).status_code == 200


def test_bad_identifier_and_params_are_refused(client, published, eager):
    client.force_login(make_user("lead", Role.LEADER))
    url = reverse("report-request")
    assert client.post(url, {"identifier": "nope"}).status_code == 403
    # An id that is no id is a bad request (jiaozhang.ids), before any permission is weighed.
    assert client.post(url, {"identifier": NOTICE, "evaluation_id": "1 or 1"}).status_code == 400
    assert client.post(url, {"identifier": NOTICE}).status_code == 403
    assert client.get(url).status_code == 405


def test_broker_down_keeps_the_job_queued_and_beat_sends_it_later(
    client, published, settings, tmp_path, django_capture_on_commit_callbacks
):
    _small, evaluation, _ = published
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    client.force_login(make_user("lead", Role.LEADER))
    response = ask(
        client, django_capture_on_commit_callbacks, identifier=NOTICE, evaluation_id=evaluation.pk
    )
    job = ReportJob.objects.get()
    assert job.status == "queued" and job.error == BROKER_DOWN_NOTE
    page = client.get(response.url).content.decode()
    assert "后台任务服务暂不可用，报表已排队，恢复后自动生成" in page
    assert "hx-trigger" in page  # the page keeps polling

    # Beat's dispatcher waits a minute, then sends it once the broker is back.
    assert dispatch_queued_reports() == 0
    ReportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - timedelta(minutes=2))
    assert dispatch_queued_reports() == 0  # still down: stays queued
    settings.CELERY_TASK_ALWAYS_EAGER = True  # "back" (rendered in-process)
    assert dispatch_queued_reports() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.error == "" and job.file


def test_a_job_runs_once_and_a_broken_one_fails_in_chinese(published, eager):
    small, evaluation, _ = published
    job = ReportJob.objects.create(
        requested_by=small.office, identifier=NOTICE, params={"evaluation_id": evaluation.pk}
    )
    assert run_report(job.pk).status == "done"
    name = ReportJob.objects.get(pk=job.pk).file.name
    assert run_report(job.pk).file.name == name  # a second delivery renders nothing
    broken = ReportJob.objects.create(
        requested_by=small.office, identifier=NOTICE, params={"evaluation_id": 999999}
    )
    broken = run_report(broken.pk)
    assert broken.status == "failed" and "报表生成失败" in broken.error and broken.finished_at


def test_admin_regenerates_a_report(client, published, eager, django_capture_on_commit_callbacks):
    small, evaluation, _ = published
    job = request_report(
        identifier=NOTICE, params={"evaluation_id": evaluation.pk}, user=small.office
    )
    run_report(job.pk)
    old = ReportJob.objects.get(pk=job.pk).file.name
    client.force_login(small.office)
    changelist = reverse("admin:scoring_reportjob_changelist")
    assert client.get(changelist).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "regenerate", "_selected_action": [job.pk]})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.file.name != old


# --- a real worker through the real broker ---------------------------------------------------


def wait_for(job, *, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job.pk} still {job.status} after {seconds} s")


@pytest.mark.redis
def test_a_real_worker_renders_the_notice(report_worker):
    # The worker runs on the real clock: last year's Q1 is over (nothing to confirm) any day.
    _small, evaluation, _ = build_published_quarter(year=date.today().isocalendar().year - 1)
    job = request_report(
        identifier=NOTICE,
        params={"evaluation_id": evaluation.pk},
        user=make_user("lead", Role.LEADER),
    )
    job = wait_for(job)
    assert job.status == "done" and job.progress == 100
    assert job.file.open("rb").read(5) == b"%PDF-"
