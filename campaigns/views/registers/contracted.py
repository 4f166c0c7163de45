"""Register pages: a county leader's 分包 view, and on-site checks of projects and villages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.permissions import role_required
from accounts.roles import Role

from ...errors import LedgerError
from ...forms import InspectionForm
from ...registers.checks import days_since, last_checks
from ...registers.contracted import contracted_view, may_view, row_to_inspect
from ...services.registers.inspections import inspection_refusal, record_row_inspection

PAGE_SIZE = 60  # cards per register and page


@role_required(Role.LEADER, Role.OFFICE)
def contracted(request):
    view = contracted_view(
        request.user,
        leader_param=request.GET.get("leader", "").strip() or None,
        red=request.GET.get("red") or None,
        today=timezone.localdate(),
    )
    if view is None:
        raise Http404("没有这位县领导。")
    # Red rows come first, so the first page is the one to act on; a city's 全部 runs to
    # thousands of cards (issue 14). Projects page with `page`, villages with `vpage`.
    projects = Paginator(view.projects, PAGE_SIZE).get_page(request.GET.get("page"))
    villages = Paginator(view.villages, PAGE_SIZE).get_page(request.GET.get("vpage"))
    context = {"view": view, "projects": projects, "villages": villages}
    for name, param in (("project_query", "page"), ("village_query", "vpage")):
        query = request.GET.copy()
        query.pop(param, None)
        context[name] = query.urlencode()
    return render(request, "registers/contracted.html", context)


def _back(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("register-contracted") if may_view(request.user) else reverse("review-queue")


def _row(request, register, row_id):
    row, exists = row_to_inspect(request.user, register, row_id)
    if row is None:
        if exists:
            raise PermissionDenied(
                "只有负责审核该行的牵头部门、考核办或分包县领导可以记录实地查看。"
            )
        raise Http404("没有这个重点项目或试点村。")
    return row


def _inspect(request, *, project=None, village=None):
    row = project if project is not None else village
    refusal = inspection_refusal(request.user, project=project, village=village)
    if refusal:
        raise PermissionDenied(refusal)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = record_row_inspection(
                user=request.user,
                project=project,
                village=village,
                photos=request.FILES.getlist("photos"),
                **form.cleaned_data,
            )
        except LedgerError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            noted = (
                "（已标记与周报不符，如需督办请另行起草交办单）"
                if inspection.differs_from_ledger
                else ""
            )
            messages.success(request, f"已记录对「{row}」的实地查看{noted}。")
            return redirect(_back(request))
    register = "projects" if project is not None else "villages"
    last = last_checks(register, [row.pk]).get(row.pk)
    context = {
        "row": row,
        "project": project,
        "village": village,
        "form": form,
        "back": _back(request),
        "last_check": last,
        "days": days_since(last, today=timezone.localdate()),
    }
    return render(request, "registers/inspection_form.html", context)


@role_required(Role.REVIEWER, Role.OFFICE, Role.LEADER)
def project_inspect(request, project_id):
    return _inspect(request, project=_row(request, "projects", project_id))


@role_required(Role.REVIEWER, Role.OFFICE, Role.LEADER)
def village_inspect(request, village_id):
    return _inspect(request, village=_row(request, "villages", village_id))


urlpatterns = [
    path("contracted/", contracted, name="register-contracted"),
    path(
        "projects/<id:project_id>/inspect/",
        project_inspect,
        name="register-project-inspect",
    ),
    path(
        "villages/<id:village_id>/inspect/",
        village_inspect,
        name="register-village-inspect",
    ),
]
