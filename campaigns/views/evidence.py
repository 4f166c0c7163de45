"""Evidence files: upload to an entry, and serve files only to those who may see the entry.

From the week page, upload and delete are htmx requests (`HX-Request`): the answer is the
entry's evidence list, swapped in place, so whatever else is typed on the page stays.
Without htmx they redirect back to the week page as before.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from jiaozhang.downloads import uploaded_file_response

from ..errors import LedgerError
from ..selectors import entries_visible_to, evidence_visible_to
from ..services.evidence import attach_evidence, delete_evidence
from ..services.ledger import editable_indicator_ids


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _fragment(request, entry, notes):
    """The entry's evidence list (and its upload/delete forms, swapped out of band)."""
    entry = get_object_or_404(
        entries_visible_to(request.user)
        .select_related("ledger__period", "indicator")
        .prefetch_related("evidence"),
        pk=entry.pk,
    )
    editable = entry.indicator_id in editable_indicator_ids(entry.ledger, now=timezone.now())
    return render(
        request,
        "campaigns/_evidence_fragment.html",
        {"entry": entry, "editable": editable, "notes": notes},
    )


@require_POST
@role_required(Role.REPORTER, Role.UNIT_HEAD)
def upload(request, entry_id):
    entry = get_object_or_404(entries_visible_to(request.user), pk=entry_id)
    files = request.FILES.getlist("files")
    notes: list[tuple[str, str]] = []  # (level, text), shown beside the list
    if not files:
        notes.append(("warning", "请选择要上传的照片或 PDF 文件。"))
    for upload_file in files:
        try:
            attach_evidence(entry=entry, upload=upload_file, user=request.user)
        except LedgerError as error:
            notes += [("danger", f"「{upload_file.name}」未上传：{m}") for m in error.messages]
        else:
            notes.append(("success", f"已上传「{upload_file.name}」。"))
    if _is_htmx(request):
        return _fragment(request, entry, notes)
    for level, text in notes:
        messages.add_message(request, _LEVELS[level], text)
    return redirect("ledger-week", entry.ledger.period_id)


_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "danger": messages.ERROR}


@require_POST
@role_required(Role.REPORTER, Role.UNIT_HEAD)
def delete(request, evidence_id):
    evidence = get_object_or_404(evidence_visible_to(request.user), pk=evidence_id)
    entry = evidence.entry
    period_id = entry.ledger.period_id if entry else None
    try:
        delete_evidence(evidence=evidence, user=request.user)
    except LedgerError as error:
        notes = [("danger", message) for message in error.messages]
    else:
        notes = [("success", f"已删除「{evidence.original_name}」。")]
    if _is_htmx(request) and entry is not None:
        return _fragment(request, entry, notes)
    for level, text in notes:
        messages.add_message(request, _LEVELS[level], text)
    return redirect("ledger-week", period_id) if period_id else redirect("home")


@login_required
def download(request, evidence_id, thumbnail=False):
    evidence = get_object_or_404(evidence_visible_to(request.user), pk=evidence_id)
    stored = evidence.thumbnail if thumbnail else evidence.file
    if not stored:
        raise Http404("没有缩略图。")
    return uploaded_file_response(stored, filename=evidence.original_name)
