"""Leaders' results pages (read-only, with charts) and the synchronous export download.

Downloads: an export that declares itself `synchronous` in the registry (the Excel documents)
renders inside the request through `download_export` while it is small (`renders_inline`: a
few thousand rows); a bigger one is made by a report job and the user is sent to its page.
PDFs — and any document a user would otherwise wait on — go through the report jobs (POST
reports/request/, Celery, a cached file). Once a report job has made a PDF for the current
version, the same address hands that file out directly (one click, no job). Both look
exports up in the same registry and ask the export's `allowed`.
"""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.permissions import acts_as_office, reads_every_unit
from jiaozhang.downloads import download_response, stored_file_response
from jiaozhang.ids import id_param

from ..display import rounded, shown
from ..reports.registry import get_export, renders_inline
from ..selectors import (
    campaign_progress,
    finished_report,
    result_scores,
    results_rows,
    results_summary,
    results_visible_to,
    scorecard_unit_ids,
    scored_groups,
)
from ..services.reports import ReportRefused, request_report
from .group_picker import picked_group

_is_office = acts_as_office


def _unit_only(user) -> bool:
    """Unit people (reporters, heads) without a county-wide role see only their own group."""
    return not user.sees_whole_county


@login_required
def results_list(request):
    user = request.user
    return render(
        request,
        "scoring/results_list.html",
        {"rows": results_rows(user), "unit_only": _unit_only(user), "is_office": _is_office(user)},
    )


# The histogram's score bands: 60 is the 后进 line (rule 10), 85 the 先进 line falls inside
# 80–90; a band includes its lower bound. Totals may pass 100 (rates are capped at 1.2).
BANDS = [(None, 60, "60分以下"), (60, 70, "60–70分"), (70, 80, "70–80分"),
         (80, 90, "80–90分"), (90, 100, "90–100分"), (100, None, "100分及以上")]  # fmt: skip


def _histogram(rows) -> dict:
    """How many units' totals fall in each band, split by tier (the bars stack in tier
    colours), and the units of each band (the tooltip names them). Totals are compared as the
    table shows them, rounded once (scoring/display.py), so 59.996 — shown 60.00 — counts in
    60–70 as a reader of the table would count it."""
    counts = {tier: [0] * len(BANDS) for tier in ("advanced", "standard", "lagging", "")}
    names: list[list[str]] = [[] for _band in BANDS]
    for score in rows:
        if score.total is None:
            continue
        total = rounded(score.total)
        for index, (low, high, _label) in enumerate(BANDS):
            if (low is None or total >= low) and (high is None or total < high):
                counts[score.tier if score.tier in counts else ""][index] += 1
                names[index].append(score.unit.short_name or score.unit.name)
                break
    return {"bands": [label for _low, _high, label in BANDS], "counts": counts, "names": names}


def _chart_data(groups, campaigns) -> dict:
    """The charts' JSON. Totals are rounded once, in Decimal, by scoring/display.py: `totals`
    are those numbers (for the bars' lengths), `labels` the same figures as text, which the
    charts print as they are — 93.455 is 93.46 in the chart as in the table."""
    data = {"groups": [], "campaigns": campaigns}
    for group, rows in groups:
        data["groups"].append(
            {
                "id": group.pk,
                "name": group.name,
                "units": [s.unit.short_name or s.unit.name for s in rows],
                "totals": [None if s.total is None else float(rounded(s.total)) for s in rows],
                "labels": [shown(s.total) or None for s in rows],
                "tiers": [s.tier for s in rows],
                "vetoed": [s.vetoed for s in rows],
            }
        )
    data["histogram"] = _histogram(s for _group, rows in groups for s in rows)
    return data


@login_required
def results_detail(request, evaluation_id):
    user = request.user
    evaluation = get_object_or_404(results_visible_to(user), pk=evaluation_id)
    scores = result_scores(user, evaluation)
    own = None
    if user.unit_id:
        own = scores.filter(unit_id=user.unit_id).select_related(None).first()
    # One ranking group a page (a city has ~900 units); the summary counts every unit.
    choices = scored_groups(scores)
    group = picked_group(request, choices, own_group_id=own.group_id if own else None)
    shown_scores = scores.filter(group=group) if group else scores.none()
    ordered = shown_scores.order_by("group__sort_order", "group_id", "position", "sort_order")
    groups = [(group, list(rows)) for group, rows in groupby(ordered, key=lambda s: s.group)]
    campaigns = campaign_progress(scores)
    summary = results_summary(scores)
    downloads = _downloads(user, evaluation, own)
    notice_url = _ready_document(user, "quarter_notice", {"evaluation_id": evaluation.pk})
    return render(
        request,
        "scoring/results_detail.html",
        {
            "evaluation": evaluation,
            "groups": groups,
            "group_choices": choices,
            "group": group,
            "own": own,
            "summary": summary,
            "chart_data": _chart_data(groups, campaigns),
            "campaigns": campaigns,
            "downloads": downloads,
            "notice_url": notice_url,
            "scorecard_units": scorecard_unit_ids(user, evaluation),
            "report_request_url": reverse("report-request"),
            "is_office": _is_office(user),
            "unit_only": _unit_only(user),
        },
    )


def _ready_document(user, identifier: str, params: dict) -> str | None:
    """The address that downloads the document in one click if a report job has already made
    it for these params (the current version) and the user may have it; else None (the page
    offers to make it)."""
    export = get_export(identifier)
    if export is None or export.allowed(user, params):
        return None
    if finished_report(identifier, export.cache_key(params)) is None:
        return None
    query = "&".join(f"{key}={value}" for key, value in sorted(params.items()))
    return f"{reverse('results-export', args=[identifier])}?{query}"


def _downloads(user, evaluation, own) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the Excel documents this user may have; no query per link —
    the page offers only what `allowed` would grant, by the same rules."""
    base = reverse("results-export", args=["ranking_xlsx"])
    detail = reverse("results-export", args=["indicator_detail_xlsx"])
    links = []
    if _unit_only(user):
        if own is not None:
            links.append(
                (
                    "本组排名 Excel",
                    f"{base}?evaluation_id={evaluation.pk}&group_id={own.group_id}",
                    "bi-trophy",
                )
            )
            links.append(
                (
                    "本单位指标得分 Excel",
                    f"{detail}?evaluation_id={evaluation.pk}&unit_id={own.unit_id}",
                    "bi-list-check",
                )
            )
        return links
    links.append(("考评排名 Excel", f"{base}?evaluation_id={evaluation.pk}", "bi-trophy"))
    links.append(("指标得分明细 Excel", f"{detail}?evaluation_id={evaluation.pk}", "bi-list-check"))
    if reads_every_unit(user):
        url = reverse("results-export", args=["completeness_xlsx"])
        links.append(("周帐完成情况 Excel", f"{url}?year_id={evaluation.year_id}", "bi-grid-3x3"))
    return links


@login_required
def download_export(request, identifier):
    """Render a registered export within the request — one that declares itself synchronous —
    if the export allows this user."""
    return _render_export(request, identifier, request.GET.dict())


@login_required
def completeness_download(request):
    """The completeness page's 导出 Excel, at the address it has always had: the registry's
    completeness_xlsx export for the page's filter (`group`, an id: anything else is a 400)."""
    group_id = id_param(request.GET, "group")
    return _render_export(request, "completeness_xlsx", {"group_id": group_id} if group_id else {})


def _render_export(request, identifier: str, params: dict):
    export = get_export(identifier)
    if export is None:
        raise Http404("没有这个下载项。")
    reason = export.allowed(request.user, params)
    if reason:
        raise PermissionDenied(reason)
    if export.synchronous and not renders_inline(export, params):
        return _through_report_job(request, identifier, params)
    if not export.synchronous:
        # A PDF is made by a report job; one already made for these params (this version)
        # is handed out here, whoever asked for it first.
        job = finished_report(identifier, export.cache_key(params))
        if job is None:
            raise Http404("该报表尚未生成，请先点击生成。")
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404("报表文件已不存在，请重新生成。") from None
        return stored_file_response(handle, filename=job.filename, content_type=job.content_type)
    filename, content_type, content = export.render(params)
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return download_response(
        content, filename=filename, fallback=f"{identifier}.{extension}", content_type=content_type
    )


def _through_report_job(request, identifier: str, params: dict):
    """A workbook too big for a web worker (a city's indicator detail, ~12k rows): made by a
    report job, whose page shows its progress and then the download. A copy already made for
    the same key (the same evaluation version, the same ledgers) is handed out at once."""
    try:
        job = request_report(identifier=identifier, params=params, user=request.user)
    except ReportRefused as refused:
        raise PermissionDenied(refused.reason) from None
    if job.reused:
        return stored_file_response(
            job.file.open("rb"), filename=job.filename, content_type=job.content_type
        )
    messages.info(request, "数据量较大，报表转入后台生成，完成后可在本页下载。")
    if job.note:
        messages.warning(request, job.note)
    return redirect("report-job", job.pk)
