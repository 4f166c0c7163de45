"""The lead department's queue: verify, correct, return entries; record on-site checks.

核实 / 核减 / 退回 of one row come from the queue as htmx requests (`HX-Request`): the answer is
that row in its new state — its form open again with the field errors when refused — and the
messages out of band, so the page, its scroll position and its filters stay. Without htmx they
redirect back to the queue with its query string (`next`), as 核实所选 and a recorded on-site
check (实地查看) do.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from jiaozhang.ids import id_list, id_param

from ..errors import LedgerError
from ..forms import CorrectForm, InspectionForm, ReturnForm
from ..models import LedgerEntry
from ..review_rows import PagedByIds, review_rows
from ..selectors import (
    UNIT_PICKER_LIMIT,
    campaigns_visible_to,
    current_year,
    entries_visible_to,
    periods_visible_to,
    review_queue,
    review_queue_units,
)
from ..services.evidence import attach_evidence
from ..services.review import record_inspection, return_entry, verify_entries, verify_selected
from ..versions import parse_version

PAGE_SIZE = 50


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _filters(request):
    status = request.GET.get("status", LedgerEntry.ReviewStatus.PENDING)
    if status not in LedgerEntry.ReviewStatus.values and status != "all":
        status = LedgerEntry.ReviewStatus.PENDING
    return {
        "period_id": id_param(request.GET, "period"),
        "unit_id": id_param(request.GET, "unit"),
        "unit_name": request.GET.get("unit_name", "").strip()[:40],
        "campaign_id": id_param(request.GET, "campaign"),
        "status": None if status == "all" else status,
    }


@role_required(Role.REVIEWER)
def queue(request):
    user = request.user
    filters = _filters(request)
    queue = PagedByIds(review_queue(user, **filters))
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    year = current_year()
    paging = request.GET.copy()
    paging.pop("page", None)
    units = review_queue_units(user, year=year)
    # A short list is a drop-down; a city's long one a name search (UNIT_PICKER_LIMIT).
    units = list(units[: UNIT_PICKER_LIMIT + 1])
    return render(
        request,
        "campaigns/review_queue.html",
        {
            "page": page,
            "entries": review_rows(page.object_list),
            "filters": filters,
            "status_filter": request.GET.get("status", LedgerEntry.ReviewStatus.PENDING),
            "statuses": LedgerEntry.ReviewStatus.choices,
            "periods": periods_visible_to(user).filter(year=year).order_by("-iso_week")
            if year
            else [],
            "units": units if len(units) <= UNIT_PICKER_LIMIT else None,
            "campaigns": campaigns_visible_to(user).filter(year=year) if year else [],
            "querystring": paging.urlencode(),
            "back": request.get_full_path(),
        },
    )


def _queue_path(request) -> str:
    """Where to go back to: the queue page the form came from (filters kept), never elsewhere."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    queue_path = reverse("review-queue")
    return target if target.startswith(queue_path) else queue_path


def _back(request):
    return redirect(_queue_path(request))


def _entry(request, entry_id) -> LedgerEntry:
    return get_object_or_404(entries_visible_to(request.user), pk=entry_id)


def _label(entry: LedgerEntry) -> str:
    week = entry.ledger.period.iso_week
    return f"{entry.ledger.unit.short_name}「{entry.indicator.name}」（第{week}周）"


def _report(request, selection) -> None:
    """Say what 核实 did: verified, skipped for want of acknowledgement, already handled."""
    if len(selection.verified) == 1:
        messages.success(request, f"已核实{_label(selection.verified[0])}。")
    elif selection.verified:
        messages.success(request, f"已核实 {len(selection.verified)} 条。")
    if selection.unacknowledged:
        named = "；".join(
            f"{_label(e)}：{'、'.join(flag.label for flag in selection.flags[e.pk])}"
            for e in selection.unacknowledged
        )
        messages.warning(
            request,
            f"以下 {len(selection.unacknowledged)} 条带有提示，未勾选「已知悉该提示」，"
            f"本次未核实：{named}。请查看提示后逐条勾选再核实。",
        )
    for text in selection.changed.values():
        messages.warning(request, text)
    if len(selection.not_pending) > len(selection.changed):
        quiet = len(selection.not_pending) - len(selection.changed)
        messages.info(request, f"{quiet} 条已不是待核实状态，未重复处理。")


def _seen_versions(request, entry_ids) -> dict[int, int | None]:
    """The versions the page showed: `version` on a row's own form, `version-<id>` on 核实所选."""
    if "version" in request.POST and len(entry_ids) == 1:
        return {entry_ids[0]: parse_version(request.POST["version"])}
    return {pk: parse_version(request.POST.get(f"version-{pk}")) for pk in entry_ids}


def _form_errors(form) -> dict[str, list[str]]:
    """The form's errors, each naming its field (请填写核减理由。), keyed by field name."""
    errors = {}
    for name, field_errors in form.errors.as_data().items():
        label = form.fields[name].label if name in form.fields else ""
        errors["form" if name == "__all__" else name] = [
            f"请填写{label}。" if error.code == "required" else f"{label}：{message}"
            for error in field_errors
            for message in error.messages
        ]
    return errors


def _service_errors(error: LedgerError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: list(texts) for name, texts in error.message_dict.items()}
    return {"form": error.messages}


def _answer(request, entry_id, *, errors=None, open_form=None):
    """The row in its new state for htmx (messages out of band), else back to the queue."""
    if not _is_htmx(request):
        for texts in (errors or {}).values():
            for text in texts:
                messages.error(request, text)
        return _back(request)
    errors = errors or {}
    for text in errors.get("form", []):
        messages.error(request, text)
    # The form opens again only where a field of it is to be put right.
    open_form = open_form if set(errors) - {"form"} else None
    (entry,) = review_rows([get_object_or_404(review_queue(request.user), pk=entry_id)])
    return render(
        request,
        "campaigns/_review_answer.html",
        {
            "e": entry,
            "back": _queue_path(request),
            "errors": errors,
            "open_form": open_form,
            "typed": request.POST,
        },
    )


@require_POST
@role_required(Role.REVIEWER)
def verify(request):
    """核实所选: the ticked rows; flagged ones only with their 已知悉该提示 ticked too."""
    ids = id_list(request.POST, "entry")
    if not ids:
        messages.warning(request, "请先勾选要核实的条目。")
        return _back(request)
    visible = list(entries_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    try:
        selection = verify_selected(
            entry_ids=visible or [-1],
            user=request.user,
            acknowledged=id_list(request.POST, "acknowledged"),
            versions=_seen_versions(request, visible),
        )
    except LedgerError as error:
        for message in error.messages:
            messages.error(request, message)
        return _back(request)
    _report(request, selection)
    return _back(request)


@require_POST
@role_required(Role.REVIEWER)
def verify_one(request, entry_id):
    """核实 of one row, as 核实所选 of that row alone (a flagged row needs its 已知悉该提示)."""
    entry = _entry(request, entry_id)
    try:
        selection = verify_selected(
            entry_ids=[entry.pk],
            user=request.user,
            acknowledged=id_list(request.POST, "acknowledged"),
            versions=_seen_versions(request, [entry.pk]),
        )
    except LedgerError as error:
        return _answer(request, entry.pk, errors=_service_errors(error))
    _report(request, selection)
    return _answer(request, entry.pk)


@require_POST
@role_required(Role.REVIEWER)
def correct(request, entry_id):
    entry = _entry(request, entry_id)
    form = CorrectForm(request.POST)
    if not form.is_valid():
        return _answer(request, entry.pk, errors=_form_errors(form), open_form="correct")
    value = form.cleaned_data["verified_value"]
    try:
        verify_entries(
            entry_ids=[entry.pk],
            user=request.user,
            corrections={entry.pk: value},
            comment=form.cleaned_data["comment"],
            versions=_seen_versions(request, [entry.pk]),
        )
    except LedgerError as error:
        return _answer(request, entry.pk, errors=_service_errors(error), open_form="correct")
    messages.success(request, f"已按核实值 {value.normalize():f} 核实{_label(entry)}。")
    return _answer(request, entry.pk)


@require_POST
@role_required(Role.REVIEWER)
def send_back(request, entry_id):
    entry = _entry(request, entry_id)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _answer(request, entry.pk, errors=_form_errors(form), open_form="return")
    try:
        return_entry(
            entry=entry,
            user=request.user,
            comment=form.cleaned_data["comment"],
            expected_version=parse_version(request.POST.get("version")),
        )
    except LedgerError as error:
        return _answer(request, entry.pk, errors=_service_errors(error), open_form="return")
    messages.success(request, f"已退回{_label(entry)}。")
    return _answer(request, entry.pk)


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
            drafted = (
                "，并已起草交办单（草稿），请到“督查督办”审核后发出"
                if inspection.differs_from_ledger
                else ""
            )
            messages.success(request, f"已记录对{_label(entry)}的实地查看{drafted}。")
            return _back(request)
    return render(
        request,
        "campaigns/inspection_form.html",
        {"entry": entry, "form": form, "back": _queue_path(request)},
    )
