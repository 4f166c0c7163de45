"""The reporter's week as Excel: download it prefilled, upload it filled in."""

import re

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from jiaozhang.downloads import download_response

from ..errors import LedgerError
from ..services.ledger_workbook import import_ledger_workbook, ledger_workbook
from .ledger import UNIT_ROLES, unit_week

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ERRORS = 50  # the service lists up to 200; a page of 50 is enough to start fixing


@role_required(*UNIT_ROLES)
def download(request, period_id):
    period, ledger = unit_week(request, period_id, now=timezone.now())
    if ledger is None:
        messages.warning(request, "本帐期已锁定，本单位未报送周帐，没有可下载的表格。")
        return redirect("ledger-week", period.pk)
    content = ledger_workbook(ledger=ledger)
    short = re.sub(r'[\\/:*?"<>|\s]+', "_", ledger.unit.short_name or ledger.unit.name)
    week = f"{period.year.year}-W{period.iso_week:02d}"
    return download_response(
        content,
        filename=f"周帐-{short}-{week}.xlsx",
        fallback=f"ledger-{ledger.unit_id}-{week}.xlsx",
        content_type=XLSX,
    )


@require_POST
@role_required(*UNIT_ROLES)
def upload(request, period_id):
    """Import the workbook, then back to the week page with the outcome as messages.

    Errors go out as one message per problem (the first SHOWN_ERRORS) rather than re-rendering
    the week page here: the page keeps one place that builds it, and a reload after an upload
    does not post the file again.
    """
    period, ledger = unit_week(request, period_id, now=timezone.now())
    upload_file = request.FILES.get("file")
    if ledger is None:
        messages.error(request, "本帐期已锁定，不能再导入；如需补报，请联系考核办重新开放。")
    elif upload_file is None:
        messages.warning(request, "请选择要上传的周帐 Excel 文件（.xlsx）。")
    else:
        try:
            result = import_ledger_workbook(ledger=ledger, file=upload_file, user=request.user)
        except LedgerError as error:
            lines = error.messages
            messages.error(request, "Excel 未导入，周帐没有任何改动。请修改以下问题后重新上传：")
            for line in lines[:SHOWN_ERRORS]:
                messages.error(request, line)
            if len(lines) > SHOWN_ERRORS:
                messages.error(request, f"……另有 {len(lines) - SHOWN_ERRORS} 处问题未列出。")
        else:
            messages.success(request, str(result))
    return redirect("ledger-week", period.pk)
