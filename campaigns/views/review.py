"""The lead department's queue: verify, correct, return entries; record on-site checks."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from accounts.selectors import units_visible_to
from jiaozhang.ids import id_list, id_param

from ..errors import LedgerError
from ..flag_data import flags_for_entries
from ..forms import CorrectForm, InspectionForm, ReturnForm
from ..models import LedgerEntry
from ..selectors import (
    campaigns_visible_to,
    current_year,
    entries_visible_to,
    periods_visible_to,
    review_queue,
    trends_and_peers,
)
from ..services.evidence import attach_evidence
from ..services.review import record_inspection, return_entry, verify_entries

PAGE_SIZE = 50


def _filters(request):
    status = request.GET.get("status", LedgerEntry.ReviewStatus.PENDING)
    if status not in LedgerEntry.ReviewStatus.values and status != "all":
        status = LedgerEntry.ReviewStatus.PENDING
    return {
        "period_id": id_param(request.GET, "period"),
        "unit_id": id_param(request.GET, "unit"),
        "campaign_id": id_param(request.GET, "campaign"),
        "status": None if status == "all" else status,
    }


@role_required(Role.REVIEWER)
def queue(request):
    user = request.user
    filters = _filters(request)
    page = Paginator(review_queue(user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    trend, peers = trends_and_peers(entries)
    flags = flags_for_entries(entries)
    year = current_year()
    for entry in entries:
        entry.trend, entry.peers = trend.get(entry.pk, []), peers.get(entry.pk)
        entry.flags = flags.get(entry.pk, [])
    return render(
        request,
        "campaigns/review_queue.html",
        {
            "page": page,
            "entries": entries,
            "filters": filters,
            "status_filter": request.GET.get("status", LedgerEntry.ReviewStatus.PENDING),
            "statuses": LedgerEntry.ReviewStatus.choices,
            "periods": periods_visible_to(user).filter(year=year).order_by("-iso_week")
            if year
            else [],
            "units": units_visible_to(user).filter(active=True),
            "campaigns": campaigns_visible_to(user).filter(year=year) if year else [],
            "querystring": request.GET.urlencode(),
        },
    )


def _back(request):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith(reverse("review-queue")) else "review-queue")


@require_POST
@role_required(Role.REVIEWER)
def verify(request):
    ids = id_list(request.POST, "entry")
    if not ids:
        messages.warning(request, "请先勾选要核实的条目。")
        return _back(request)
    visible = list(entries_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    try:
        done = verify_entries(entry_ids=visible or [-1], user=request.user)
    except LedgerError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request)
    messages.success(request, f"已核实 {len(done)} 条。")
    return _back(request)


def _entry(request, entry_id) -> LedgerEntry:
    return get_object_or_404(entries_visible_to(request.user), pk=entry_id)


@require_POST
@role_required(Role.REVIEWER)
def correct(request, entry_id):
    entry = _entry(request, entry_id)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, f"「{entry.indicator.name}」{message}")
        return _back(request)
    try:
        verify_entries(
            entry_ids=[entry.pk],
            user=request.user,
            corrections={entry.pk: form.cleaned_data["verified_value"]},
            comment=form.cleaned_data["comment"],
        )
    except LedgerError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request)
    messages.success(request, f"已按核实值 {form.cleaned_data['verified_value']} 核实。")
    return _back(request)


@require_POST
@role_required(Role.REVIEWER)
def send_back(request, entry_id):
    entry = _entry(request, entry_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "退回时须写明退回理由。")
        return _back(request)
    try:
        return_entry(entry=entry, user=request.user, comment=form.cleaned_data["comment"])
    except LedgerError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request)
    messages.success(request, f"已退回{entry.ledger.unit.short_name}的「{entry.indicator.name}」。")
    return _back(request)


@role_required(Role.REVIEWER)
def inspect(request, entry_id):
    entry = _entry(request, entry_id)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # The record and its photos stand or fall together.
            with transaction.atomic():
                inspection = record_inspection(user=request.user, entry=entry, **form.cleaned_data)
                for photo in request.FILES.getlist("photos"):
                    attach_evidence(inspection=inspection, upload=photo, user=request.user)
        except LedgerError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "实地查看记录已保存。")
            return redirect("review-queue")
    return render(request, "campaigns/inspection_form.html", {"entry": entry, "form": form})
