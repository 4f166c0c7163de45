"""Appeals through the pages: a unit head files in the window, the office upholds or rejects.

The quarter is test_whatif's (`computed_quarter`). C(白沙镇) has 1.5 verified on 固定资产投资
完成额 (T = 3, r 0.5 → 5 of 10 points; total 61.67). Upholding its claim of 2.4 gives
r 0.8 → 8 points, base 100 × 13/15 = 86.67, total 81.67, in a new version 2.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from scoring.models import (
    Appeal,
    EvaluationVersion,
    IndicatorScore,
    QuarterlyEvaluation,
    UnitScore,
)
from scoring.services.appeals import file_appeal
from tests.campaigns.test_entry_history import history_rows
from tests.helpers import make_user, pdf_bytes
from tests.scoring.test_whatif import computed_quarter

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
pytestmark = pytest.mark.clock("2026-04-15 10:00")

D = Decimal


@pytest.fixture
def quarter(db):
    quarter = computed_quarter()
    quarter.head_c = make_user("head-c", Role.UNIT_HEAD, unit=quarter.c)
    quarter.head_b = make_user("head-b", Role.UNIT_HEAD, unit=quarter.b)
    return quarter


def appeal_post(quarter, **extra):
    return {
        "unit": quarter.c.pk,
        "indicator": quarter.small.investment.pk,
        "claim": "第13周投资有发票为证，应为2.4亿元",
        "claimed_value": "2.4",
        **extra,
    }


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def filed(quarter) -> Appeal:
    return file_appeal(
        evaluation=quarter.evaluation,
        indicator=quarter.small.investment,
        user=quarter.head_c,
        claim="发票为证",
        claimed_value="2.4",
    )


def test_the_head_files_in_the_window_and_the_office_sees_it(client, quarter):
    client.force_login(quarter.head_c)
    panel = client.get(reverse("unit-appeals", args=[quarter.evaluation.pk, quarter.c.pk]))
    assert 'data-testid="appeal-form"' in panel.content.decode()
    response = client.post(
        reverse("appeal-file", args=[quarter.evaluation.pk]),
        appeal_post(quarter, evidence=SimpleUploadedFile("发票.pdf", pdf_bytes())),
    )
    assert response.status_code == 302
    assert any("已提交" in m for m in said(response))
    appeal = Appeal.objects.get()
    assert (appeal.unit, appeal.claimed_value, appeal.status) == (quarter.c, D("2.4"), "pending")
    assert appeal.evidence
    # The unit sees it on its page; the office in its list, with the evidence.
    panel = client.get(reverse("unit-appeals", args=[quarter.evaluation.pk, quarter.c.pk]))
    assert "待处理" in panel.content.decode()
    client.force_login(quarter.small.office)
    page = client.get(reverse("appeal-list") + f"?evaluation={quarter.evaluation.pk}")
    assert page.status_code == 200 and page.context["pending"] == 1
    assert "应为2.4亿元" in page.content.decode()
    evidence = client.get(reverse("appeal-evidence", args=[appeal.pk]))
    assert b"".join(evidence.streaming_content) == pdf_bytes()
    # A PDF may carry JavaScript: it downloads under its Chinese name, never renders inline.
    assert evidence["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%8F%91%E7%A5%A8.pdf" in evidence["Content-Disposition"]
    assert evidence["X-Content-Type-Options"] == "nosniff"
    assert Notification.objects.filter(recipient=quarter.small.office, kind="appeal").exists()


@pytest.mark.parametrize(
    ("content", "actual"),
    [
        (b"MZ\x90\x00" + b"\x00" * 60, "Windows 可执行程序"),
        (b"<html><script>alert(1)</script></html>", "无法识别的文件类型"),
    ],
)
def test_evidence_in_disguise_is_refused_and_nothing_saved(
    client, quarter, settings, content, actual
):
    """A renamed program or an HTML page called x.pdf: the ledger evidence checker refuses it."""
    client.force_login(quarter.head_c)
    response = client.post(
        reverse("appeal-file", args=[quarter.evaluation.pk]),
        appeal_post(quarter, evidence=SimpleUploadedFile("x.pdf", content)),
    )
    assert response.status_code == 302
    assert any("申诉未提交" in m and "不是 PDF" in m and actual in m for m in said(response))
    assert not Appeal.objects.exists()
    assert not any(settings.MEDIA_ROOT.rglob("*.*"))


def test_an_appeal_after_the_window_is_refused(client, quarter):
    QuarterlyEvaluation.objects.filter(pk=quarter.evaluation.pk).update(
        appeal_deadline=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(quarter.head_c)
    panel = client.get(reverse("unit-appeals", args=[quarter.evaluation.pk, quarter.c.pk]))
    assert "appeal-form" not in panel.content.decode() and "已截止" in panel.content.decode()
    response = client.post(
        reverse("appeal-file", args=[quarter.evaluation.pk]), appeal_post(quarter)
    )
    assert any("申诉期已于" in m for m in said(response))
    assert not Appeal.objects.exists()


def test_another_units_head_cannot_appeal_for_this_unit(client, quarter):
    client.force_login(quarter.head_b)
    url = reverse("appeal-file", args=[quarter.evaluation.pk])
    assert client.post(url, appeal_post(quarter)).status_code == 404
    panel = reverse("unit-appeals", args=[quarter.evaluation.pk, quarter.c.pk])
    assert client.get(panel).status_code == 404
    assert not Appeal.objects.filter(unit=quarter.c).exists()
    # A reporter (not the head) of the unit itself may not appeal either.
    client.force_login(make_user("rep-c2", Role.REPORTER, unit=quarter.c))
    assert client.post(url, appeal_post(quarter)).status_code == 403
    assert not Appeal.objects.exists()


def test_the_office_upholds_a_new_version_and_the_old_one_stays_readable(client, quarter):
    appeal = filed(quarter)
    client.force_login(quarter.small.office)
    response = client.post(
        reverse("appeal-decide", args=[appeal.pk]),
        {"outcome": "uphold", "corrected_value": "2.4", "decision": "发票属实"},
    )
    assert any("已采纳" in m for m in said(response))
    evaluation = QuarterlyEvaluation.objects.get(pk=quarter.evaluation.pk)
    assert evaluation.current_version.number == 2
    assert "采纳" in evaluation.current_version.reason
    c_scores = {s.version.number: s.total for s in UnitScore.objects.filter(unit=quarter.c)}
    assert c_scores[1].quantize(D("0.01")) == D("61.67")
    assert c_scores[2].quantize(D("0.01")) == D("81.67")
    diff = client.get(reverse("version-diff", args=[evaluation.pk, 1, 2]))
    assert diff.status_code == 200 and diff.context["changed_count"] == 1
    rows = [d for _, rows in diff.context["groups"] for d in rows]
    assert [d.unit for d in rows] == [quarter.c]
    assert [i.name for i, _, _ in rows[0].indicators] == ["固定资产投资完成额"]
    assert "发票属实" in diff.content.decode()
    notice = Notification.objects.get(recipient=quarter.head_c, kind="appeal")
    assert "已采纳" in notice.title
    page = client.get(reverse("unit-appeals", args=[evaluation.pk, quarter.c.pk]))
    assert "已采纳" in page.content.decode() and "发票属实" in page.content.decode()


def test_a_rejection_keeps_the_version(client, quarter):
    appeal = filed(quarter)
    client.force_login(quarter.small.office)
    url = reverse("appeal-decide", args=[appeal.pk])
    response = client.post(url, {"outcome": "reject", "decision": ""})
    assert any("未处理" in m for m in said(response))
    assert Appeal.objects.get().status == "pending"
    client.post(url, {"outcome": "reject", "decision": "发票日期在季度之后"})
    assert Appeal.objects.get().status == "rejected"
    assert EvaluationVersion.objects.count() == 1
    evaluation = QuarterlyEvaluation.objects.get(pk=quarter.evaluation.pk)
    assert evaluation.current_version.number == 1
    notice = Notification.objects.get(recipient=quarter.head_c, kind="appeal")
    assert "已驳回" in notice.title and "发票日期在季度之后" in notice.body


def test_an_upheld_appeal_leaves_old_value_new_value_who_when_and_why_in_the_history(
    client, quarter
):
    appeal = filed(quarter)
    entry = IndicatorScore.objects.get(
        unit_score__unit=quarter.c, indicator=quarter.small.investment
    ).entry
    office = quarter.small.office
    client.force_login(office)
    decided_at = timezone.now()
    with time_machine.travel(decided_at, tick=False):
        client.post(
            reverse("appeal-decide", args=[appeal.pk]),
            {"outcome": "uphold", "corrected_value": "2.4", "decision": "发票属实"},
        )
    rows = history_rows(client, entry)
    moment = timezone.localtime(decided_at)
    assert rows[-1] == (
        f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M} | {office.full_name} | "
        f"申诉更正：发票属实 | 审核意见：{entry.review_comment or '（空）'} → "
        f"申诉采纳（{office.full_name}）：发票属实核实值：1.5 → 2.4"
    )


def test_the_score_page_links_each_figure_to_its_entry(client, quarter):
    url = reverse("unit-score", args=[quarter.evaluation.pk, quarter.c.pk])
    period = quarter.small.year.periods.filter(quarter=1).order_by("-iso_week").first()
    client.force_login(quarter.head_c)
    page = client.get(url).content.decode()
    assert reverse("ledger-week", args=[period.pk]) in page
    assert reverse("unit-appeals", args=[quarter.evaluation.pk, quarter.c.pk]) in page
    client.force_login(quarter.small.office)
    page = client.get(url).content.decode()
    entry = IndicatorScore.objects.get(
        unit_score__unit=quarter.c, indicator=quarter.small.investment
    ).entry_id
    assert reverse("entry-history", args=[entry]) in page
    assert reverse("ledger-week", args=[period.pk]) not in page
