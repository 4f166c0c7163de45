"""Register pages: the lists of 重点项目 / 招商签约 / 试点村, a row's page, the Excel import.

Lists are for everyone who works with registers (each sees the rows scope.py gives it); a
row's page answers 404 for a row outside the user's scope (the administrator reads no
ledgers, so no registers either). The Excel export is the registry's (results-export); the
import is the office's (the county's project and village lists are set up by 考核办).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from accounts.permissions import acts_as_office, role_required
from accounts.roles import Role
from jiaozhang.downloads import download_response

from ...errors import LedgerError
from ...registers import selectors
from ...services.registers import importing

WHO = (Role.REPORTER, Role.UNIT_HEAD, Role.REVIEWER, Role.OFFICE, Role.LEADER)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_url(user, identifier: str, filters: dict) -> str:
    """The list's 导出 Excel link: the page's filters and the viewer's id (the export renders
    that user's scope, and only for that user; see scoring.reports.register_sheets)."""
    params = {**filters, "viewer": user.pk}
    return f"{reverse('results-export', args=[identifier])}?{urlencode(params)}"


PAGE_SIZE = 50  # a city's list runs to thousands of rows (issue 14); the workbook holds them all


def _list(request, rows, template: str, identifier: str):
    page = rows(request.user, request.GET, today=timezone.localdate(), per_page=PAGE_SIZE)
    paging = request.GET.copy()
    paging.pop("page", None)
    return render(
        request,
        template,
        {
            "page": page,
            "querystring": paging.urlencode(),
            "export_url": export_url(request.user, identifier, page.filters),
            "may_import": acts_as_office(request.user),
        },
    )


@role_required(*WHO)
def project_list(request):
    return _list(
        request, selectors.project_rows, "registers/projects.html", "register_projects_xlsx"
    )


@role_required(*WHO)
def signed_list(request):
    return _list(request, selectors.signed_rows, "registers/signed.html", "register_signed_xlsx")


@role_required(*WHO)
def village_list(request):
    return _list(
        request, selectors.village_rows, "registers/villages.html", "register_villages_xlsx"
    )


def _row(page, template: str, request):
    if page is None:
        raise Http404("没有找到该台帐记录，或您无权查看。")
    return render(request, template, {"page": page})


@login_required
def project_detail(request, pk):
    page = selectors.project_page(request.user, pk, today=timezone.localdate())
    return _row(page, "registers/project.html", request)


@login_required
def signed_detail(request, pk):
    return _row(selectors.signed_page(request.user, pk), "registers/signed_detail.html", request)


@login_required
def village_detail(request, pk):
    page = selectors.village_page(request.user, pk, today=timezone.localdate())
    return _row(page, "registers/village.html", request)


@role_required(Role.OFFICE)
def register_import(request):
    """The office uploads a project or village list (all or nothing)."""
    errors: list[str] = []
    kind = request.POST.get("kind") or request.GET.get("kind") or "projects"
    if kind not in importing.KINDS:
        kind = "projects"
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要导入的 Excel 文件。"]
        elif upload.size > importing.MAX_UPLOAD_BYTES:
            errors = ["文件过大：请上传不超过 5 MB 的 Excel 工作簿。"]
        else:
            try:
                result = importing.import_register(kind=kind, file=upload, user=request.user)
            except LedgerError as error:
                errors = list(error.messages)
            else:
                messages.success(request, f"导入完成：{result}。")
                return redirect("register-projects" if kind == "projects" else "register-villages")
    return render(
        request,
        "registers/import.html",
        {
            "kind": kind,
            "kinds": importing.KINDS,
            "kind_label": importing.KINDS[kind],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


@role_required(Role.OFFICE)
def register_import_template(request):
    kind = request.GET.get("kind", "projects")
    if kind not in importing.KINDS:
        kind = "projects"
    filename, content = importing.template(kind=kind)
    return download_response(content, filename=filename, content_type=XLSX)


urlpatterns = [
    path("projects/", project_list, name="register-projects"),
    path("projects/<id:pk>/", project_detail, name="register-project"),
    path("signed/", signed_list, name="register-signed"),
    path("signed/<id:pk>/", signed_detail, name="register-signed-detail"),
    path("villages/", village_list, name="register-villages"),
    path("villages/<id:pk>/", village_detail, name="register-village"),
    path("import/", register_import, name="register-import"),
    path("import/template/", register_import_template, name="register-import-template"),
]
