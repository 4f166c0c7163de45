"""URLs of the weekly ledger, the reviewers' queue and the office's pages."""

from django.urls import include, path

from jiaozhang import ids  # noqa: F401  (registers <id:…>: ids the database can hold)

from .views import analysis, evidence, follow_ups, ledger, ledger_excel, office, review

urlpatterns = [
    path("ledger/", ledger.current_ledger, name="ledger-current"),
    path("ledger/week/<id:period_id>/", ledger.ledger_week, name="ledger-week"),
    path(
        "ledger/week/<id:period_id>/entry/<id:indicator_id>/draft/",
        ledger.autosave,
        name="ledger-autosave",
    ),
    path("ledger/week/<id:period_id>/ledger.xlsx", ledger_excel.download, name="ledger-xlsx"),
    path("ledger/week/<id:period_id>/upload/", ledger_excel.upload, name="ledger-xlsx-upload"),
    path("ledger/entry/<id:entry_id>/evidence/", evidence.upload, name="evidence-upload"),
    path("evidence/<id:evidence_id>/", evidence.download, name="evidence-file"),
    path(
        "evidence/<id:evidence_id>/thumbnail/",
        evidence.download,
        {"thumbnail": True},
        name="evidence-thumbnail",
    ),
    path("evidence/<id:evidence_id>/delete/", evidence.delete, name="evidence-delete"),
    path("review/", review.queue, name="review-queue"),
    path("review/verify/", review.verify, name="review-verify"),
    path("review/entry/<id:entry_id>/verify/", review.verify_one, name="review-verify-entry"),
    path("review/entry/<id:entry_id>/correct/", review.correct, name="review-correct"),
    path("review/entry/<id:entry_id>/return/", review.send_back, name="review-return"),
    path("review/entry/<id:entry_id>/inspect/", review.inspect, name="review-inspect"),
    path("office/completeness/", office.completeness, name="completeness"),
    # office/completeness.xlsx ("completeness-xlsx") is served by scoring's export registry.
    path("office/reopen/<id:unit_id>/<id:period_id>/", office.reopen, name="ledger-reopen"),
    path("office/entry/<id:entry_id>/history/", office.entry_history, name="entry-history"),
    path("office/ledger/<id:unit_id>/<id:period_id>/", office.ledger_view, name="ledger-view"),
    # 督查督办 (issue 12): the list, the 交办 form, a thread, a draft, and each step (POST).
    # 用好帐: comparisons and weak items (their Excel through scoring's export registry)
    path("analysis/compare/", analysis.comparison, name="comparison"),
    path("analysis/weak-items/", analysis.weak_items, name="weak-items"),
    # The campaign registers (issue 13): 重点项目, 招商签约, 试点村, the 分包 view.
    path("registers/", include("campaigns.registers.urls")),
    path("follow-ups/", follow_ups.follow_up_index, name="follow-up-list"),
    path("follow-ups/new/", follow_ups.follow_up_new, name="follow-up-new"),
    path("follow-ups/<id:pk>/", follow_ups.follow_up_detail, name="follow-up-detail"),
    path("follow-ups/<id:pk>/edit/", follow_ups.follow_up_edit, name="follow-up-edit"),
    path(
        "follow-ups/<id:pk>/<slug:action>/",
        follow_ups.follow_up_action,
        name="follow-up-action",
    ),
]
