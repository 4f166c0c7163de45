"""A workbook too big for a web worker goes through a report job; a small one downloads at once.

The size is estimated before rendering (the export's `cells`, one COUNT) and compared with
settings.EXPORT_INLINE_MAX_CELLS. build_small_year's published Q1 has 3 units × 3 indicators:
the indicator detail is 9 rows × 14 columns = 126 cells, the ranking 3 rows × 9 = 27 cells.
Jobs render in-process (CELERY_TASK_ALWAYS_EAGER), as in test_report_jobs.
"""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import Role
from scoring.models import ReportJob
from scoring.reports.registry import get_export
from tests.helpers import make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.clock("2026-04-15 10:00")

DETAIL = "indicator_detail_xlsx"


@pytest.fixture
def leader_client(db, client, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path
    _small, evaluation, _units = published_quarter()
    client.force_login(make_user("leader", Role.LEADER))
    return client, evaluation


def _rows(content: bytes) -> list[tuple]:
    book = load_workbook(BytesIO(content), read_only=True)
    return [tuple(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


def test_the_estimate_is_the_documents_size(leader_client):
    """Estimated before rendering, the cells are the rendered workbook's data rows × columns:
    the detail 9 × 14, the ranking 3 × 9, the completeness matrix units × (weeks begun + 2)."""
    _client, evaluation = leader_client
    cases = [
        ("indicator_detail_xlsx", {"evaluation_id": str(evaluation.pk)}, 9 * 14),
        ("ranking_xlsx", {"evaluation_id": str(evaluation.pk)}, 3 * 9),
        ("completeness_xlsx", {"year_id": str(evaluation.year_id)}, None),
    ]
    for identifier, params, expected in cases:
        export = get_export(identifier)
        rows = _rows(export.render(params)[2])
        assert export.cells(params) == (len(rows) - 1) * len(rows[0]), identifier
        if expected:
            assert export.cells(params) == expected, identifier


def test_a_small_workbook_downloads_at_once(leader_client, settings):
    client, evaluation = leader_client
    settings.EXPORT_INLINE_MAX_CELLS = 9 * 14  # exactly at the limit: still inline
    url = reverse("results-export", args=[DETAIL])
    response = client.get(url, {"evaluation_id": evaluation.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert len(_rows(response.content)) == 1 + 9
    assert not ReportJob.objects.exists()


def test_a_big_workbook_goes_through_a_report_job(
    leader_client, settings, django_capture_on_commit_callbacks
):
    client, evaluation = leader_client
    url = reverse("results-export", args=[DETAIL])
    inline = client.get(url, {"evaluation_id": evaluation.pk}).content
    settings.EXPORT_INLINE_MAX_CELLS = 9 * 14 - 1  # one cell over: a job
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"evaluation_id": evaluation.pk})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("report-job", args=[job.pk])
    assert (job.identifier, job.status) == (DETAIL, ReportJob.Status.DONE)
    page = client.get(response.url)
    assert "数据量较大，报表转入后台生成" in page.content.decode()
    download = client.get(reverse("report-download", args=[job.pk]))
    assert download.status_code == 200
    assert _rows(b"".join(download.streaming_content)) == _rows(inline)

    # Asked again for the same version: the file the job made, at once, no second render.
    again = client.get(url, {"evaluation_id": evaluation.pk})
    assert again.status_code == 200
    assert _rows(b"".join(again.streaming_content)) == _rows(inline)
    assert ReportJob.objects.filter(status=ReportJob.Status.DONE).exclude(file="").count() == 2

    # The completeness matrix's workbook takes the same path when it is big (a city's).
    settings.EXPORT_INLINE_MAX_CELLS = 0
    matrix = reverse("results-export", args=["completeness_xlsx"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(matrix, {"year_id": evaluation.year_id})
    job = ReportJob.objects.get(identifier="completeness_xlsx")
    assert response.url == reverse("report-job", args=[job.pk])
    assert job.status == ReportJob.Status.DONE and job.filename.endswith("周帐完成情况.xlsx")
