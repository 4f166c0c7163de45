"""URLs of the quarterly evaluations."""

from django.urls import path

from jiaozhang import ids  # noqa: F401  (registers <id:…>: ids the database can hold)

from .views import (
    annual,
    appeals,
    briefings,
    dashboards,
    evaluations,
    files,
    office,
    reports,
    results,
    showcase,
)

urlpatterns = [
    path("evaluations/", evaluations.evaluation_list, name="evaluation-list"),
    path("evaluations/open/", evaluations.evaluation_open, name="evaluation-open"),
    path("evaluations/<id:evaluation_id>/", evaluations.evaluation_detail,
         name="evaluation-detail"),
    # Before "evaluation-action": its <str:action> would otherwise catch these three.
    path("evaluations/<id:evaluation_id>/what-if/", office.whatif, name="whatif"),
    path("evaluations/<id:evaluation_id>/adjustments/", office.evaluation_adjustments,
         name="evaluation-adjustments"),
    path("evaluations/<id:evaluation_id>/appeal/", appeals.appeal_file, name="appeal-file"),
    path(
        "evaluations/<id:evaluation_id>/compute/<str:task_id>/",
        evaluations.compute_status,
        name="evaluation-compute",
    ),
    path("evaluations/<id:evaluation_id>/<str:action>/", evaluations.evaluation_action,
         name="evaluation-action"),
    path("evaluations/<id:evaluation_id>/unit/<id:unit_id>/", evaluations.unit_score,
         name="unit-score"),
    path("results/", results.results_list, name="results-list"),
    path("results/<id:evaluation_id>/", results.results_detail, name="results-detail"),
    path("results/<id:evaluation_id>/showcase/", showcase.showcase, name="showcase"),
    path("results/export/<str:identifier>/", results.download_export, name="results-export"),
    # The completeness page's download keeps its address, through the same registry export.
    path("office/completeness.xlsx", results.completeness_download, name="completeness-xlsx"),
    path("years/<id:year_id>/annual/", annual.annual_evaluation, name="annual-evaluation"),
    path("years/<id:year_id>/annual/<str:action>/", annual.annual_action,
         name="annual-action"),
    path("files/", files.file_list, name="file-list"),
    path("files/add/", files.file_add, name="file-add"),
    path("files/unit/<id:unit_id>/", files.file_unit, name="file-unit"),
    path("files/<id:entry_id>/evidence/", files.file_evidence, name="file-evidence"),
    path("evaluations/<id:evaluation_id>/versions/<id:a>/<id:b>/", office.version_diff,
         name="version-diff"),
    path("evaluations/<id:evaluation_id>/unit/<id:unit_id>/appeals/", appeals.unit_appeals,
         name="unit-appeals"),
    path("appeals/", appeals.appeal_list, name="appeal-list"),
    path("appeals/<id:appeal_id>/decide/", appeals.appeal_decide, name="appeal-decide"),
    path("appeals/<id:appeal_id>/evidence/", appeals.appeal_evidence, name="appeal-evidence"),
    # The weekly briefing (周通报): generated each Monday, edited and issued by the office.
    path("briefings/", briefings.briefing_list_page, name="briefing-list"),
    path("briefings/generate/", briefings.briefing_generate, name="briefing-generate"),
    path("briefings/<id:pk>/", briefings.briefing_detail, name="briefing-detail"),
    path("briefings/<id:pk>/edit/", briefings.briefing_edit, name="briefing-edit"),
    path("briefings/<id:pk>/issue/", briefings.briefing_issue, name="briefing-issue"),
    # Report jobs (PDF and Excel documents rendered in Celery): request, watch, download.
    path("reports/request/", reports.report_request, name="report-request"),
    path("reports/<id:job_id>/", reports.report_job, name="report-job"),
    path("reports/<id:job_id>/status/", reports.report_job_status, name="report-job-status"),
    path("reports/<id:job_id>/download/", reports.report_download, name="report-download"),
    # Dashboards (issue 12): the leaders' (leaders and the office) and the office's own.
    path("dashboard/", dashboards.leader, name="dashboard-leader"),
    path("dashboard/office/", dashboards.office, name="dashboard-office"),
]  # fmt: skip
