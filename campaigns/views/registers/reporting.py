"""The unit's weekly register sections, inside its ledger: 重点项目周报, 试点村周报, 招商签约.

Each project or village is a card with its own form (one report saved at a time); a refused
form is shown again with what was typed and the service's Chinese messages beside it.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from jiaozhang.ids import id_param

from ...errors import LedgerError
from ...registers.forms import ProjectReportForm, SignedProjectForm, VillageReportForm
from ...registers.week import (
    register_counts,
    week_project_reports,
    week_signing,
    week_signings,
    week_village_reports,
)
from ...services.evidence import attach_evidence
from ...services.registers.reporting import (
    add_signed_project,
    delete_signed_project,
    open_register_reports,
    report_editable,
    save_project_report,
    save_village_report,
    update_signed_project,
)
from ...versions import parse_version
from ..ledger import unit_week

UNIT_ROLES = (Role.REPORTER, Role.UNIT_HEAD)


@dataclass
class Card:
    """One project's or village's report on the page, with its form when editable."""

    report: object
    editable: bool
    form: object = None
    errors: list[str] = field(default_factory=list)


def _week(request, period_id):
    now = timezone.now()
    period, ledger = unit_week(request, period_id, now=now)
    if ledger is None:
        raise Http404("本帐期已锁定，本单位未报送周帐。")
    open_register_reports(ledger)  # rows registered after the ledger was opened
    return period, ledger, now


def _context(period, ledger, active, **extra):
    return {
        "period": period,
        "ledger": ledger,
        "active": active,
        "counts": register_counts(ledger),
        **extra,
    }


def _posted_card(request, cards) -> Card | None:
    if request.method != "POST":
        return None
    report_id = id_param(request.POST, "report")
    card = next((c for c in cards if c.report.pk == report_id), None)
    if card is None:
        raise Http404("没有这份周报。")
    return card


def _form_errors(form) -> list[str]:
    """Each message with the field it is about, as the services word theirs (「本周进展」…)."""
    found = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        where = f"「{str(field.label).split('（')[0]}」" if field is not None else ""
        found += [f"{where}{message}" for message in errors]
    return found


def _save(request, card, save, *, now) -> bool:
    """Run the service on the posted card; False (errors on the card) when refused."""
    if card.form is None:
        card.errors = ["当前不可修改（已提交或帐期已锁定）。"]
        return False
    if not card.form.is_valid():
        card.errors = _form_errors(card.form)
        return False
    try:
        seen = parse_version(request.POST.get("version"))
        data = card.form.service_data()
        save(card.report, user=request.user, data=data, now=now, expected_version=seen)
    except LedgerError as error:
        card.errors = error.messages
        return False
    return True


@role_required(*UNIT_ROLES)
def week_projects(request, period_id):
    period, ledger, now = _week(request, period_id)
    cards = []
    posted = request.POST.get("report")
    for report in week_project_reports(request.user, ledger):
        editable = report_editable(ledger, report.review_status, now=now)
        bound = request.method == "POST" and posted == str(report.pk)
        form = None
        if editable:
            form = ProjectReportForm(
                request.POST if bound else None,
                prefix=f"p{report.pk}",
                initial=ProjectReportForm.initial_from(report),
            )
        cards.append(Card(report=report, editable=editable, form=form))
    card = _posted_card(request, cards)
    if card is not None and _save(request, card, save_project_report, now=now):
        messages.success(request, f"已保存「{card.report.project.name}」本周进展。")
        url = reverse("register-week-projects", args=[period.pk])
        return redirect(f"{url}#p{card.report.pk}")
    return render(
        request,
        "registers/week_projects.html",
        _context(period, ledger, "projects", cards=cards),
        status=400 if card is not None else 200,
    )


@role_required(*UNIT_ROLES)
def week_villages(request, period_id):
    period, ledger, now = _week(request, period_id)
    cards = []
    posted = request.POST.get("report")
    for report in week_village_reports(request.user, ledger):
        editable = report_editable(ledger, report.review_status, now=now)
        bound = request.method == "POST" and posted == str(report.pk)
        form = None
        if editable:
            form = VillageReportForm(
                request.POST if bound else None,
                prefix=f"v{report.pk}",
                report=report,
                initial=VillageReportForm.initial_from(report),
            )
        cards.append(Card(report=report, editable=editable, form=form))
    card = _posted_card(request, cards)
    saved = card is not None and _save(request, card, save_village_report, now=now)
    if saved:
        messages.success(request, f"已保存「{card.report.village}」本周情况。")
        url = reverse("register-week-villages", args=[period.pk])
        return redirect(f"{url}#v{card.report.pk}")
    return render(
        request,
        "registers/week_villages.html",
        _context(period, ledger, "villages", cards=cards),
        status=400 if card is not None else 200,
    )


@role_required(*UNIT_ROLES)
def week_signed(request, period_id):
    period, ledger, now = _week(request, period_id)
    form = SignedProjectForm(request.POST if request.method == "POST" else None, prefix="new")
    errors = []
    if request.method == "POST":
        if form.is_valid():
            try:
                row = add_signed_project(ledger, user=request.user, data=form.cleaned_data, now=now)
            except LedgerError as error:
                errors = error.messages
            else:
                messages.success(request, f"已登记签约项目「{row.name}」。")
                return redirect("register-week-signed", period.pk)
        else:
            errors = [m for problems in form.errors.values() for m in problems]
    rows = list(week_signings(request.user, ledger))
    return render(
        request,
        "registers/week_signed.html",
        _context(
            period,
            ledger,
            "signed",
            rows=rows,
            form=form,
            errors=errors,
            may_add=report_editable(ledger, "pending", now=now)
            and ledger.status in ("draft", "awaiting"),
        ),
        status=400 if errors else 200,
    )


@role_required(*UNIT_ROLES)
def week_signed_edit(request, period_id, signed_id):
    period, ledger, now = _week(request, period_id)
    row = week_signing(request.user, ledger, signed_id)
    if row is None:
        raise Http404("没有这个签约项目。")
    form = SignedProjectForm(
        request.POST if request.method == "POST" else None,
        prefix="s",
        initial=SignedProjectForm.initial_from(row),
    )
    errors = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                delete_signed_project(row, user=request.user, now=now)
                messages.success(request, f"已删除签约项目「{row.name}」。")
                return redirect("register-week-signed", period.pk)
            if not form.is_valid():
                raise LedgerError([m for problems in form.errors.values() for m in problems])
            update_signed_project(
                row,
                user=request.user,
                data=form.cleaned_data,
                ledger=ledger,
                now=now,
                expected_version=parse_version(request.POST.get("version")),
            )
        except LedgerError as error:
            errors = error.messages
        else:
            messages.success(request, f"已保存签约项目「{form.cleaned_data['name']}」。")
            return redirect("register-week-signed", period.pk)
    return render(
        request,
        "registers/week_signed_edit.html",
        _context(period, ledger, "signed", row=row, form=form, errors=errors),
        status=400 if errors else 200,
    )


@require_POST
@role_required(*UNIT_ROLES)
def week_photo(request, period_id, kind, report_id):
    """Upload photos to one project or village report of the week (its own form)."""
    period, ledger, _now = _week(request, period_id)
    if kind == "projects":
        reports = week_project_reports(request.user, ledger)
    else:
        reports = week_village_reports(request.user, ledger)
    report = reports.filter(pk=report_id).first()
    if report is None:
        raise Http404("没有这份周报。")
    owner = {"project_report" if kind == "projects" else "village_report": report}
    files = request.FILES.getlist("files")
    if not files:
        messages.warning(request, "请选择要上传的照片或 PDF 文件。")
    for upload in files:
        try:
            attach_evidence(upload=upload, user=request.user, **owner)
        except LedgerError as error:
            for message in error.messages:
                messages.error(request, f"「{upload.name}」未上传：{message}")
        else:
            messages.success(request, f"已上传「{upload.name}」。")
    anchor = f"#{'p' if kind == 'projects' else 'v'}{report.pk}"
    section = "register-week-projects" if kind == "projects" else "register-week-villages"
    return redirect(reverse(section, args=[period.pk]) + anchor)


urlpatterns = [
    path("week/<id:period_id>/projects/", week_projects, name="register-week-projects"),
    path("week/<id:period_id>/villages/", week_villages, name="register-week-villages"),
    path("week/<id:period_id>/signed/", week_signed, name="register-week-signed"),
    path(
        "week/<id:period_id>/signed/<id:signed_id>/",
        week_signed_edit,
        name="register-week-signed-edit",
    ),
    path(
        "week/<id:period_id>/projects/<id:report_id>/photos/",
        week_photo,
        {"kind": "projects"},
        name="register-week-project-photo",
    ),
    path(
        "week/<id:period_id>/villages/<id:report_id>/photos/",
        week_photo,
        {"kind": "villages"},
        name="register-week-village-photo",
    ),
]
