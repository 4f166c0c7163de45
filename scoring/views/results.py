"""Leaders' results pages (read-only, with charts) and the synchronous Excel download.

Downloads: Excel documents (up to ~10k rows, well under a second or two) render inside the
request through `download_export`; PDFs — and any document a user would otherwise wait on —
go through the report jobs (POST reports/request/, Celery, a cached file), built by the
report-jobs work. Both look exports up in the same registry and ask the export's `allowed`.
"""

import statistics
from decimal import Decimal
from itertools import groupby
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q, Value
from django.db.models.functions import Least
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from accounts.permissions import acts_as_office, reads_every_unit

from ..models import IndicatorScore, QuarterlyEvaluation
from ..reports.registry import get_export
from ..selectors import evaluations_visible_to, unit_scores_visible_to

Status = QuarterlyEvaluation.Status
COMPUTED = (Status.APPEAL, Status.REVIEWED, Status.PUBLISHED)
EXCEL_EXPORTS = ("ranking_xlsx", "indicator_detail_xlsx", "completeness_xlsx")


_is_office = acts_as_office


def _unit_only(user) -> bool:
    """Unit people (reporters, heads) without a county-wide role see only their own group."""
    return not user.sees_whole_county


def _results_visible_to(user):
    """Published quarters for everyone; the office also the computed, not yet published."""
    evaluations = evaluations_visible_to(user).filter(current_version__isnull=False)
    if _is_office(user):
        return evaluations.filter(status__in=COMPUTED)
    return evaluations.filter(status=Status.PUBLISHED)


def _report_request_url() -> str | None:
    """The report jobs' request URL once that feature exists; until then no PDF button."""
    try:
        return reverse("report-request")
    except NoReverseMatch:
        return None


@login_required
def results_list(request):
    user = request.user
    evaluations = _results_visible_to(user).order_by("-year__year", "-quarter")
    if not _unit_only(user):
        scores = "current_version__unit_scores"
        evaluations = evaluations.annotate(
            units=Count(scores),
            advanced=Count(scores, filter=Q(**{f"{scores}__tier": "advanced"})),
            lagging=Count(scores, filter=Q(**{f"{scores}__tier": "lagging"})),
        )
    evaluations = list(evaluations)
    own = {}
    if user.unit_id:
        own = {
            score.version_id: score
            for score in unit_scores_visible_to(user).filter(
                unit_id=user.unit_id, version__in=[e.current_version_id for e in evaluations]
            )
        }
    rows = [(evaluation, own.get(evaluation.current_version_id)) for evaluation in evaluations]
    return render(
        request,
        "scoring/results_list.html",
        {"rows": rows, "unit_only": _unit_only(user), "is_office": _is_office(user)},
    )


def _box(totals: list[float]) -> list[float]:
    """min, lower quartile, median, upper quartile, max (inclusive quartiles)."""
    if len(totals) == 1:
        return [totals[0]] * 5
    q1, median, q3 = statistics.quantiles(totals, n=4, method="inclusive")
    return [min(totals), round(q1, 2), round(median, 2), round(q3, 2), max(totals)]


def _chart_data(groups, campaigns) -> dict:
    data = {"groups": [], "campaigns": campaigns}
    for group, rows in groups:
        totals = [round(float(s.total), 2) for s in rows if s.total is not None]
        data["groups"].append(
            {
                "id": group.pk,
                "name": group.name,
                "units": [s.unit.short_name or s.unit.name for s in rows],
                "totals": [None if s.total is None else round(float(s.total), 2) for s in rows],
                "tiers": [s.tier for s in rows],
                "vetoed": [s.vetoed for s in rows],
                "box": _box(totals) if totals else None,
            }
        )
    return data


def _campaign_progress(scores) -> list[dict]:
    """Average rate per campaign over the scored indicators of the given unit scores (capped at
    100 % per item, so one unit's 300 % does not hide others' shortfall), and the share of items
    on schedule — one aggregate query."""
    rows = (
        IndicatorScore.objects.filter(unit_score__in=scores.values("pk"), rate__isnull=False)
        .values("indicator__campaign__name", "indicator__campaign__sort_order")
        .annotate(
            average=Avg(Least("rate", Value(Decimal(1)))),
            items=Count("pk"),
            on_track=Count("pk", filter=Q(rate__gte=1)),
        )
        .order_by("indicator__campaign__sort_order", "indicator__campaign__name")
    )
    return [
        {
            "name": row["indicator__campaign__name"],
            "average": round(float(row["average"]) * 100, 1),
            "on_track": round(100 * row["on_track"] / row["items"], 1),
            "items": row["items"],
        }
        for row in rows
    ]


@login_required
def results_detail(request, evaluation_id):
    user = request.user
    evaluation = get_object_or_404(_results_visible_to(user), pk=evaluation_id)
    scores = unit_scores_visible_to(user).filter(version=evaluation.current_version_id)
    if _unit_only(user):
        # Published: the unit's own group. (The appeal-window pages are the units' score pages.)
        scores = scores.filter(group_id=user.unit.group_id) if user.unit_id else scores.none()
    ordered = scores.order_by("group__sort_order", "group_id", "position", "sort_order")
    groups = [(group, list(rows)) for group, rows in groupby(ordered, key=lambda s: s.group)]
    all_rows = [s for _group, rows in groups for s in rows]
    own = next((s for s in all_rows if s.unit_id == user.unit_id), None) if user.unit_id else None
    campaigns = _campaign_progress(scores)
    summary = {
        "units": len(all_rows),
        "advanced": sum(s.tier == "advanced" for s in all_rows),
        "lagging": sum(s.tier == "lagging" for s in all_rows),
        "vetoed": sum(s.vetoed for s in all_rows),
    }
    downloads = _downloads(user, evaluation, own)
    return render(
        request,
        "scoring/results_detail.html",
        {
            "evaluation": evaluation,
            "groups": groups,
            "own": own,
            "summary": summary,
            "chart_data": _chart_data(groups, campaigns),
            "campaigns": campaigns,
            "downloads": downloads,
            "report_request_url": _report_request_url(),
            "is_office": _is_office(user),
            "unit_only": _unit_only(user),
        },
    )


def _downloads(user, evaluation, own) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the Excel documents this user may have; no query per link —
    the page offers only what `allowed` would grant, by the same rules."""
    base = reverse("results-export", args=["ranking_xlsx"])
    detail = reverse("results-export", args=["indicator_detail_xlsx"])
    links = []
    if _unit_only(user):
        if own is not None:
            links.append(("本组排名 Excel", f"{base}?evaluation_id={evaluation.pk}"
                          f"&group_id={own.group_id}", "bi-trophy"))  # fmt: skip
            links.append(("本单位指标得分 Excel", f"{detail}?evaluation_id={evaluation.pk}"
                          f"&unit_id={own.unit_id}", "bi-list-check"))  # fmt: skip
        return links
    links.append(("考评排名 Excel", f"{base}?evaluation_id={evaluation.pk}", "bi-trophy"))
    links.append(("指标得分明细 Excel", f"{detail}?evaluation_id={evaluation.pk}", "bi-list-check"))
    if reads_every_unit(user):
        url = reverse("results-export", args=["completeness_xlsx"])
        links.append(("周帐完成情况 Excel", f"{url}?year_id={evaluation.year_id}", "bi-grid-3x3"))
    return links


def attachment(filename: str, fallback: str) -> str:
    """Content-Disposition with an ASCII fallback and the real (Chinese) name per RFC 5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@login_required
def download_export(request, identifier):
    """Render a registered Excel export within the request, if the export allows this user."""
    if identifier not in EXCEL_EXPORTS:
        raise Http404("没有这个下载项。")
    export = get_export(identifier)
    if export is None:
        raise Http404("没有这个下载项。")
    params = request.GET.dict()
    reason = export.allowed(request.user, params)
    if reason:
        raise PermissionDenied(reason)
    filename, content_type, content = export.render(params)
    response = HttpResponse(content, content_type=content_type)
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    response["Content-Disposition"] = attachment(filename, f"{identifier}.{extension}")
    response["Cache-Control"] = "private, no-store"
    return response
