"""Report pages: ask for a document, watch its job (htmx polling), download the file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from jiaozhang.downloads import stored_file_response
from jiaozhang.ids import id_param

from ..models import ReportJob
from ..reports.registry import get_export
from ..services.reports import ReportRefused, report_jobs_visible_to, request_report

# The parameters a report form may send; every one is a whole number (an id or a year id).
PARAM_KEYS = ("evaluation_id", "unit_id", "year_id", "briefing_id")
POLL_SECONDS = 2


@require_POST
@login_required
def report_request(request):
    params = {}
    for key in PARAM_KEYS:
        value = id_param(request.POST, key)
        if value is not None:
            params[key] = value
    try:
        job = request_report(
            identifier=request.POST.get("identifier", ""), params=params, user=request.user
        )
    except ReportRefused as refused:
        raise PermissionDenied(refused.reason) from None
    if job.reused:
        messages.info(request, "该版本的报表此前已生成，可直接下载。")
    elif job.note:
        messages.warning(request, job.note)
    return redirect("report-job", job.pk)


def _job(request, job_id) -> ReportJob:
    return get_object_or_404(report_jobs_visible_to(request.user), pk=job_id)


def _context(job):
    export = get_export(job.identifier)
    return {"job": job, "label": export.label if export else job.identifier,
            "poll_seconds": POLL_SECONDS}  # fmt: skip


@require_GET
@login_required
def report_job(request, job_id):
    job = _job(request, job_id)
    return render(request, "reports/job.html", _context(job))


@require_GET
@login_required
def report_job_status(request, job_id):
    """The polling partial: it keeps asking every two seconds until the job is finished."""
    job = _job(request, job_id)
    return render(request, "reports/_job_status.html", _context(job))


@require_GET
@login_required
def report_download(request, job_id):
    job = _job(request, job_id)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404("报表尚未生成。")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("报表文件已不存在，请重新生成。") from None
    return stored_file_response(handle, filename=job.filename, content_type=job.content_type)
