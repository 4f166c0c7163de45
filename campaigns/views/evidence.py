"""Evidence files: upload to an entry, and serve files only to those who may see the entry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from jiaozhang.downloads import uploaded_file_response

from ..errors import LedgerError
from ..selectors import entries_visible_to, evidence_visible_to
from ..services.evidence import attach_evidence, delete_evidence


@require_POST
@role_required(Role.REPORTER, Role.UNIT_HEAD)
def upload(request, entry_id):
    entry = get_object_or_404(entries_visible_to(request.user), pk=entry_id)
    files = request.FILES.getlist("files")
    if not files:
        messages.warning(request, "请选择要上传的照片或 PDF 文件。")
    for upload_file in files:
        try:
            attach_evidence(entry=entry, upload=upload_file, user=request.user)
        except LedgerError as error:
            for message in error.messages:
                messages.error(request, f"「{upload_file.name}」未上传：{message}")
        else:
            messages.success(request, f"已上传「{upload_file.name}」。")
    return redirect("ledger-week", entry.ledger.period_id)


@require_POST
@role_required(Role.REPORTER, Role.UNIT_HEAD)
def delete(request, evidence_id):
    evidence = get_object_or_404(evidence_visible_to(request.user), pk=evidence_id)
    period_id = evidence.entry.ledger.period_id if evidence.entry else None
    try:
        delete_evidence(evidence=evidence, user=request.user)
    except LedgerError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已删除「{evidence.original_name}」。")
    return redirect("ledger-week", period_id) if period_id else redirect("home")


@login_required
def download(request, evidence_id, thumbnail=False):
    evidence = get_object_or_404(evidence_visible_to(request.user), pk=evidence_id)
    stored = evidence.thumbnail if thumbnail else evidence.file
    if not stored:
        raise Http404("没有缩略图。")
    return uploaded_file_response(stored, filename=evidence.original_name)
