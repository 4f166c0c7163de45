"""The results page for a county leader: names link to scorecards (only those the reader may
open), a 通报 already made downloads in one click, and the charts' data (a histogram of totals
in place of the box plot).

Quarter: tests.scoring.test_results_pages.published_quarter — 城关镇 108.33 先进,
青山镇 75.00 达标, 白沙镇 55.00 后进 (one group, 乡镇组).
"""

import json

import pytest
from django.urls import reverse

from accounts.roles import Role
from scoring.models import ReportJob
from scoring.services.reports import request_report
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.clock("2026-04-15 10:00")


@pytest.fixture
def published(db):
    return published_quarter()


@pytest.fixture
def eager(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    return settings


def _page(client, evaluation):
    response = client.get(reverse("results-detail", args=[evaluation.pk]))
    assert response.status_code == 200
    return response


def test_a_leader_opens_every_units_scorecard_from_the_ranking(client, published):
    _small, evaluation, units = published
    client.force_login(make_user("leader", Role.LEADER))
    html = _page(client, evaluation).content.decode()
    for unit in units:
        url = reverse("unit-score", args=[evaluation.pk, unit.pk])
        assert f'href="{url}"' in html, unit.name
        assert f'data-testid="scorecard-{unit.pk}"' in html
        assert client.get(url).status_code == 200  # and the page opens


def test_a_unit_links_only_its_own_scorecard(client, published):
    """A reporter of 城关镇 sees its group's ranking; only its own name is a link (the others'
    indicator figures are not its to read)."""
    small, evaluation, (a, b, c) = published
    client.force_login(small.reporter)
    html = _page(client, evaluation).content.decode()
    assert f'data-testid="scorecard-{a.pk}"' in html
    assert f'data-testid="scorecard-{b.pk}"' not in html
    assert f'data-testid="scorecard-{c.pk}"' not in html
    assert b.name in html and c.name in html  # still listed, as text
    assert client.get(reverse("unit-score", args=[evaluation.pk, b.pk])).status_code == 404


def test_a_notice_already_made_downloads_in_one_click(
    client, published, eager, django_capture_on_commit_callbacks
):
    """Before any job: the button posts a report request. After another leader's job made
    the PDF of this version: the button is a plain link that downloads that very file."""
    _small, evaluation, _units = published
    leader = make_user("leader", Role.LEADER)
    client.force_login(leader)
    page = _page(client, evaluation)
    direct = reverse("results-export", args=["quarter_notice"])
    assert page.context["notice_url"] is None
    html = page.content.decode()
    assert 'name="identifier" value="quarter_notice"' in html and direct not in html
    # Nothing made yet: the direct address says so instead of rendering in the request.
    missing = client.get(direct, {"evaluation_id": evaluation.pk})
    assert missing.status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        job = request_report(
            identifier="quarter_notice",
            params={"evaluation_id": evaluation.pk},
            user=make_user("other", Role.LEADER),
        )
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    jobs_before = ReportJob.objects.count()

    page = _page(client, evaluation)
    url = f"{direct}?evaluation_id={evaluation.pk}"
    assert page.context["notice_url"] == url
    html = page.content.decode()
    assert f'href="{url}"' in html and 'value="quarter_notice"' not in html
    response = client.get(direct, {"evaluation_id": evaluation.pk})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    job.file.open("rb")
    assert body.startswith(b"%PDF") and body == job.file.read()
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert ReportJob.objects.count() == jobs_before  # no new job, nothing rendered again


def test_the_one_click_address_asks_the_exports_permission(
    client, db, eager, django_capture_on_commit_callbacks
):
    """The office printed the draft 通报 of a quarter not yet published: the file exists, yet a
    leader asking for it at the direct address is refused with the export's reason."""
    small, evaluation, _units = published_quarter(publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        request_report(
            identifier="quarter_notice", params={"evaluation_id": evaluation.pk}, user=small.office
        )
    assert ReportJob.objects.get().status == ReportJob.Status.DONE
    direct = reverse("results-export", args=["quarter_notice"])
    client.force_login(make_user("leader", Role.LEADER))
    refused = client.get(direct, {"evaluation_id": evaluation.pk})
    assert refused.status_code == 403
    client.force_login(small.office)
    assert client.get(direct, {"evaluation_id": evaluation.pk}).status_code == 200
    assert _page(client, evaluation).context["notice_url"] is not None


def test_the_histogram_counts_totals_by_band_and_tier(client, published):
    """108.33 → 100分及以上 (先进); 75.00 → 70–80分 (达标); 55.00 → 60分以下 (后进)."""
    _small, evaluation, (a, b, c) = published
    client.force_login(make_user("leader", Role.LEADER))
    page = _page(client, evaluation)
    data = page.context["chart_data"]
    histogram = data["histogram"]
    assert histogram["bands"] == [
        "60分以下", "60–70分", "70–80分", "80–90分", "90–100分", "100分及以上",
    ]  # fmt: skip
    assert histogram["counts"]["advanced"] == [0, 0, 0, 0, 0, 1]
    assert histogram["counts"]["standard"] == [0, 0, 1, 0, 0, 0]
    assert histogram["counts"]["lagging"] == [1, 0, 0, 0, 0, 0]
    names = [a.short_name or a.name, b.short_name or b.name, c.short_name or c.name]
    assert histogram["names"] == [[names[2]], [], [names[1]], [], [], [names[0]]]
    assert all("box" not in group for group in data["groups"])
    html = page.content.decode()
    assert 'id="chart-histogram"' in html and "boxplot" not in html
    script = html[html.index('id="results-data"') :]
    assert json.loads(script[script.index(">") + 1 : script.index("</script>")]) == data
