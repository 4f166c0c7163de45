"""Register pages: the lead department's verification of register rows (台帐核实).

The queue lists the project reports, village reports and signings its unit verifies; 核实 /
核减 / 退回 are POST-only actions on one row (the row's kind in the form, its id in the path),
each calling campaigns.services.registers.review and redirecting back to the queue.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from accounts.selectors import units_visible_to
from jiaozhang.ids import id_param

from ...errors import LedgerError
from ...figures import FigureError, parse_figure
from ...models import ProjectReport
from ...register_models import ReviewStatus
from ...registers.review_rows import KINDS, register_review_queue, with_figures
from ...selectors import current_year, periods_visible_to
from ...services.registers.review import return_row, verify_row
from ...versions import parse_version

PAGE_SIZE = 50
KIND_LABELS = [("project", "重点项目周报"), ("village", "试点村周报"), ("signed", "招商签约")]
CORRECTED = ProjectReport._meta.get_field("verified_investment")


def _filters(request) -> dict:
    status = request.GET.get("status", ReviewStatus.PENDING)
    if status not in ReviewStatus.values and status != "all":
        status = ReviewStatus.PENDING
    kind = request.GET.get("kind") or None
    return {
        "kind": kind if kind in KINDS else None,
        "status": None if status == "all" else status,
        "period_id": id_param(request.GET, "period"),
        "unit_id": id_param(request.GET, "unit"),
    }


@role_required(Role.REVIEWER)
def queue(request):
    user = request.user
    filters = _filters(request)
    page = Paginator(register_review_queue(user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    year = current_year()
    paging = request.GET.copy()
    paging.pop("page", None)
    return render(
        request,
        "registers/review.html",
        {
            "page": page,
            "rows": with_figures(list(page.object_list)),
            "filters": filters,
            "status_filter": request.GET.get("status", ReviewStatus.PENDING),
            "statuses": ReviewStatus.choices,
            "kinds": KIND_LABELS,
            "periods": periods_visible_to(user).filter(year=year).order_by("-iso_week")
            if year
            else [],
            "units": units_visible_to(user).filter(active=True),
            "querystring": paging.urlencode(),
            "back": request.get_full_path(),
        },
    )


def _back(request):
    target = request.POST.get("next") or ""
    base = reverse("register-review")
    return redirect(target if target.startswith(base) else base)


def _kind(request) -> str:
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        raise LedgerError("请指明要核实的台帐类别。")
    return kind


def _refused(request, error: LedgerError):
    messages.error(request, "；".join(error.messages))
    return _back(request)


@require_POST
@role_required(Role.REVIEWER)
def verify(request, row_id):
    try:
        row = verify_row(
            kind=_kind(request),
            row_id=row_id,
            user=request.user,
            comment=request.POST.get("comment", ""),
            expected_version=parse_version(request.POST.get("version")),
        )
    except LedgerError as error:
        return _refused(request, error)
    messages.success(request, f"已核实「{row}」。")
    return _back(request)


@require_POST
@role_required(Role.REVIEWER)
def correct(request, row_id):
    try:
        corrected = parse_figure(request.POST.get("corrected", ""), CORRECTED)
        if corrected is None:
            raise LedgerError("请填写核实数。")
        row = verify_row(
            kind=_kind(request),
            row_id=row_id,
            user=request.user,
            corrected=corrected,
            comment=request.POST.get("comment", ""),
            expected_version=parse_version(request.POST.get("version")),
        )
    except FigureError as error:
        return _refused(request, LedgerError(f"核实数：{error}"))
    except LedgerError as error:
        return _refused(request, error)
    messages.success(request, f"已核减并核实「{row}」。")
    return _back(request)


@require_POST
@role_required(Role.REVIEWER)
def return_(request, row_id):
    try:
        row = return_row(
            kind=_kind(request),
            row_id=row_id,
            user=request.user,
            comment=request.POST.get("comment", ""),
            expected_version=parse_version(request.POST.get("version")),
        )
    except LedgerError as error:
        return _refused(request, error)
    messages.success(request, f"已退回「{row}」，单位修改后重新提交。")
    return _back(request)


urlpatterns = [
    path("review/", queue, name="register-review"),
    path("review/<id:row_id>/verify/", verify, name="register-review-verify"),
    path("review/<id:row_id>/correct/", correct, name="register-review-correct"),
    path("review/<id:row_id>/return/", return_, name="register-review-return"),
]
