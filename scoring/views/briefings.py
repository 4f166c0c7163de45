"""The weekly briefing pages: the list, one briefing (text, tables, downloads), and the office's
generate, edit and issue (POSTs that call scoring.services.briefings and redirect)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import acts_as_office, role_required
from accounts.roles import Role
from campaigns.selectors import chosen_year, periods_visible_to
from jiaozhang.ids import as_id, id_param

from ..briefings.prose import body_blocks, fact_tables, week_text
from ..briefings.selectors import briefing_list, briefings_visible_to, weeks_to_generate
from ..errors import ScoringError
from ..models import WeeklyBriefing
from ..reports.registry import get_export
from ..selectors import finished_report
from ..services.briefings import (
    BODY_MAX,
    body_was_edited,
    edit_briefing,
    generate_briefing,
    issue_briefing,
)

Status = WeeklyBriefing.Status


class BriefingForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(
        label="通报正文",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 24}),
        help_text="段落之间空一行；以“一、”“二、”开头的一行为小标题。",
    )


@login_required
def briefing_list_page(request):
    user = request.user
    office = acts_as_office(user)
    year = chosen_year(user, as_id(request.GET.get("year")))
    rows = briefing_list(user, year=year)
    return render(
        request,
        "scoring/briefings/list.html",
        {
            "year": year,
            "rows": rows,
            "is_office": office,
            "weeks": weeks_to_generate(year, timezone.localdate()) if office else [],
        },
    )


def _briefing(user, pk) -> WeeklyBriefing:
    return get_object_or_404(briefings_visible_to(user), pk=pk)


def _pdf_link(user, briefing) -> str | None:
    """One click when a report job has already made this text's PDF; else None (the page
    offers to make it)."""
    export = get_export("weekly_briefing")
    params = {"briefing_id": briefing.pk}
    if (
        export.allowed(user, params)
        or finished_report("weekly_briefing", export.cache_key(params)) is None
    ):
        return None
    return f"{reverse('results-export', args=['weekly_briefing'])}?briefing_id={briefing.pk}"


@login_required
def briefing_detail(request, pk):
    user = request.user
    briefing = _briefing(user, pk)
    facts = briefing.facts or {}
    office = acts_as_office(user)
    return render(
        request,
        "scoring/briefings/detail.html",
        {
            "briefing": briefing,
            "is_office": office,
            "draft": briefing.status == Status.DRAFT,
            "edited": office and body_was_edited(briefing),
            "blocks": body_blocks(briefing.body),
            "facts": facts,
            "tables": fact_tables(facts),
            "week": week_text(facts) if facts.get("period") else str(briefing.period),
            "xlsx_url": f"{reverse('results-export', args=['weekly_briefing_xlsx'])}"
            f"?briefing_id={briefing.pk}",
            "pdf_url": _pdf_link(user, briefing),
        },
    )


@role_required(Role.OFFICE)
def briefing_edit(request, pk):
    briefing = _briefing(request.user, pk)
    if briefing.status != Status.DRAFT:
        messages.error(request, "该周通报已经签发，不能再修改。")
        return redirect("briefing-detail", briefing.pk)
    form = BriefingForm(
        request.POST or None, initial={"title": briefing.title, "body": briefing.body}
    )
    if request.method == "POST" and form.is_valid():
        try:
            edit_briefing(
                briefing=briefing,
                user=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ScoringError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "通报正文已保存。")
            return redirect("briefing-detail", briefing.pk)
    return render(request, "scoring/briefings/edit.html", {"briefing": briefing, "form": form})


@require_POST
@role_required(Role.OFFICE)
def briefing_generate(request):
    period = periods_visible_to(request.user).filter(pk=id_param(request.POST, "period")).first()
    if period is None:
        raise Http404("没有这个帐期。")
    try:
        briefing = generate_briefing(
            period=period, user=request.user, rewrite_body=request.POST.get("rewrite") == "1"
        )
    except ScoringError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("briefing-list")
    messages.success(request, f"已按最新核实数据生成{period}周通报。")
    return redirect("briefing-detail", briefing.pk)


@require_POST
@role_required(Role.OFFICE)
def briefing_issue(request, pk):
    briefing = _briefing(request.user, pk)
    try:
        briefing = issue_briefing(briefing=briefing, user=request.user)
    except ScoringError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已签发{briefing.document_number}，并通知各单位和县领导。")
    return redirect("briefing-detail", briefing.pk)
