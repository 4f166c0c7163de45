"""The reporter's week page and the reviewer's queue, through HTTP as users use them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import LedgerEntry, WeeklyLedger
from campaigns.selectors import current_year, period_containing
from tests.campaigns.builders import build_small_year


@pytest.fixture
def small(db):
    return build_small_year()


@pytest.fixture
def this_week(small):
    return period_containing(current_year(), timezone.now())


def form_data(small, action="save", investment="3.5", cases="4", flood=""):
    return {
        "action": action,
        f"e{small.investment.pk}-value": investment,
        f"e{small.investment.pk}-progress": "城关镇安置小区主体完工",
        f"e{small.investment.pk}-problem_category": "land",
        f"e{small.cases.pk}-value": cases,
        f"e{small.flood.pk}-done_on": flood,
    }


def test_current_ledger_redirects_to_this_week(client, small, this_week):
    client.force_login(small.reporter)
    response = client.get(reverse("ledger-current"))
    assert response.url == reverse("ledger-week", args=[this_week.pk])


def test_week_page_shows_indicators_deadline_and_time_left(client, small, this_week):
    client.force_login(small.reporter)
    page = client.get(reverse("ledger-week", args=[this_week.pk])).content.decode()
    for text in ("固定资产投资完成额", "刑事案件发案数", "防汛物资到位", "填报截止"):
        assert text in page


def test_save_and_submit_through_the_form(client, small, this_week):
    client.force_login(small.reporter)
    url = reverse("ledger-week", args=[this_week.pk])
    response = client.post(url, form_data(small, action="submit"))
    assert response.status_code == 302, response.content.decode()[:3000]
    ledger = WeeklyLedger.objects.get(unit=small.reporter.unit, period=this_week)
    assert ledger.status == "submitted"
    entry = ledger.entries.get(indicator=small.investment)
    assert (entry.value, entry.problem_category) == (Decimal("3.5"), "land")


def test_bad_figure_is_refused_in_chinese_and_nothing_is_saved(client, small, this_week):
    client.force_login(small.reporter)
    url = reverse("ledger-week", args=[this_week.pk])
    response = client.post(url, form_data(small, action="submit", investment="三点五"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "应为数字，实际为“三点五”" in page
    assert 'value="三点五"' in page  # what the user typed is still there
    assert not LedgerEntry.objects.filter(value__isnull=False).exists()


def test_incomplete_submit_keeps_the_draft(client, small, this_week):
    client.force_login(small.reporter)
    url = reverse("ledger-week", args=[this_week.pk])
    response = client.post(url, form_data(small, action="submit", cases=""))
    assert response.status_code == 400
    assert "已保存为草稿，但未能提交" in response.content.decode()
    ledger = WeeklyLedger.objects.get(unit=small.reporter.unit, period=this_week)
    assert ledger.status == "draft"
    assert ledger.entries.get(indicator=small.investment).value == Decimal("3.5")


@pytest.mark.clock("2026-06-10 10:00")  # a week with a next week in the same ISO year
def test_future_week_is_not_open(client, small, this_week):
    client.force_login(small.reporter)
    future = small.year.periods.get(iso_week=this_week.iso_week + 1)
    assert client.get(reverse("ledger-week", args=[future.pk])).status_code == 404


def test_reviewer_queue_verify_and_return(client, small, this_week):
    client.force_login(small.reporter)
    client.post(reverse("ledger-week", args=[this_week.pk]), form_data(small, action="submit"))
    entry = LedgerEntry.objects.get(indicator=small.investment, ledger__period=this_week)
    client.force_login(small.reviewer)
    queue = client.get(reverse("review-queue"))
    assert queue.status_code == 200
    assert [e.pk for e in queue.context["entries"]] == [
        e.pk for e in LedgerEntry.objects.filter(
            ledger__period=this_week, indicator__lead_unit=small.reviewer.unit,
            ledger__status="submitted",
        )
    ]  # fmt: skip
    back = client.post(reverse("review-return", args=[entry.pk]), {"comment": "请附开工照片"})
    assert back.status_code == 302
    entry.refresh_from_db()
    assert entry.review_status == "returned"
    # The reporter sees the comment on the week page.
    client.force_login(small.reporter)
    page = client.get(reverse("ledger-week", args=[this_week.pk])).content.decode()
    assert "请附开工照片" in page


def test_reviewer_cannot_touch_entries_of_indicators_it_does_not_lead(client, small, this_week):
    client.force_login(small.reporter)
    client.post(reverse("ledger-week", args=[this_week.pk]), form_data(small, action="submit"))
    other = LedgerEntry.objects.get(indicator=small.cases, ledger__period=this_week)
    client.force_login(small.reviewer)
    url = reverse("review-return", args=[other.pk])
    assert client.post(url, {"comment": "x"}).status_code == 404
    response = client.post(reverse("review-verify"), {"entry": [other.pk]}, follow=True)
    other.refresh_from_db()
    assert other.review_status == "pending"
    assert "不存在或无权查看" in response.content.decode()


def test_completeness_matrix_shows_states(client, small, this_week):
    client.force_login(small.reporter)
    client.post(reverse("ledger-week", args=[this_week.pk]), form_data(small, action="submit"))
    client.force_login(small.office)
    response = client.get(reverse("completeness"))
    rows = dict((unit.name, cells) for unit, cells in response.context["rows"])
    mine = rows[small.reporter.unit.name]
    assert mine[-1][1] == "on_time"
    assert mine[0][1] == "missing"  # week 1 long locked, never handed in
    xlsx = client.get(reverse("completeness-xlsx"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_inspection_with_photo_and_a_bad_photo_saves_nothing(
    client, small, this_week, settings, tmp_path
):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from campaigns.models import Evidence, Inspection

    settings.MEDIA_ROOT = tmp_path
    client.force_login(small.reporter)
    client.post(reverse("ledger-week", args=[this_week.pk]), form_data(small, action="submit"))
    entry = LedgerEntry.objects.get(indicator=small.investment, ledger__period=this_week)
    client.force_login(small.reviewer)
    url = reverse("review-inspect", args=[entry.pk])
    data = {"visited_on": this_week.starts_on.isoformat(), "place": "安置小区", "findings": "属实"}
    bad = client.post(url, {**data, "photos": SimpleUploadedFile("site.jpg", b"not an image")})
    assert bad.status_code == 200 and "内容不是图片" in bad.content.decode()
    assert not Inspection.objects.exists()
    buffer = BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "JPEG")
    ok = client.post(url, {**data, "photos": SimpleUploadedFile("site.jpg", buffer.getvalue())})
    assert ok.status_code == 302
    assert Evidence.objects.get().inspection == Inspection.objects.get()
    entry.refresh_from_db()
    assert entry.checked_on_site
