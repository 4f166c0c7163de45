"""The merit-and-fault file (绩误档案): the office's filtered list, a unit's own file, the
office's hand entries and their evidence."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import acts_as_office, reads_every_unit, role_required
from accounts.roles import Role
from accounts.selectors import ranking_groups_visible_to, units_visible_to, users_visible_to
from campaigns.figures import FigureField
from campaigns.models import AssessmentYear
from campaigns.selectors import chosen_year, current_year, years_visible_to
from jiaozhang.downloads import uploaded_file_response
from jiaozhang.ids import as_id

from ..errors import ScoringError
from ..models import QUARTERS, FileEntry
from ..selectors import file_entries_visible_to, file_summary
from ..services.annual import add_file_entry

PAGE_SIZE = 50
KIND_SUGGESTIONS = [
    "上级表彰",
    "为省市争光",
    "通报批评",
    "重大事故",
    "督查通报",
    "工作失误",
    "其他",
]


_sees_all_files = reads_every_unit


def _int(value) -> int | None:
    # A filter value that is no id (or too large for one) filters nothing, as an empty one.
    return as_id(value)


def _year(request) -> AssessmentYear | None:
    """The year asked for (?year=<pk>), else the active one."""
    return chosen_year(request.user, _int(request.GET.get("year")))


@login_required
def file_list(request):
    """The office and leaders: every entry of the year, filtered; a unit: its own file."""
    user = request.user
    if not _sees_all_files(user):
        if user.unit_id and (user.has_role(Role.REPORTER) or user.has_role(Role.UNIT_HEAD)):
            return redirect("file-unit", user.unit_id)
        raise PermissionDenied("绩误档案仅供考核办、县领导和本单位查看。")
    year = _year(request)
    entries = file_entries_visible_to(user).filter(year=year).select_related("unit__group")
    chosen = {
        key: request.GET.get(key, "") for key in ("group", "unit", "merit", "source", "quarter")
    }
    if _int(chosen["group"]):
        entries = entries.filter(unit__group_id=int(chosen["group"]))
    if _int(chosen["unit"]):
        entries = entries.filter(unit_id=int(chosen["unit"]))
    if chosen["merit"] in ("1", "0"):
        entries = entries.filter(merit=chosen["merit"] == "1")
    if chosen["source"] in FileEntry.Source.values:
        entries = entries.filter(source=chosen["source"])
    if _int(chosen["quarter"]):
        entries = entries.filter(quarter=int(chosen["quarter"]))
    entries = entries.order_by("-recorded_on", "unit__sort_order", "-id")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "scoring/files.html",
        {
            "year": year,
            "years": years_visible_to(user).order_by("-year"),
            "page": page,
            "summary": file_summary(entries),
            "chosen": chosen,
            "query": query.urlencode(),
            "groups": ranking_groups_visible_to(user).order_by("sort_order"),
            "units": units_visible_to(user).order_by("sort_order"),
            "sources": FileEntry.Source.choices,
            "quarters": QUARTERS,
            "is_office": acts_as_office(user),
        },
    )


@role_required(Role.OFFICE, Role.LEADER, Role.REPORTER, Role.UNIT_HEAD)
def file_unit(request, unit_id):
    """One unit's file for a year; a unit's own people see only their own unit (404 else)."""
    unit = get_object_or_404(units_visible_to(request.user), pk=unit_id)
    year = _year(request)
    entries = (
        file_entries_visible_to(request.user)
        .filter(unit=unit, year=year)
        .select_related("entered_by")
        .order_by("recorded_on", "id")
    )
    return render(
        request,
        "scoring/file_unit.html",
        {
            "unit": unit,
            "year": year,
            "years": years_visible_to(request.user).order_by("-year"),
            "entries": entries,
            "summary": file_summary(entries),
            "is_office": acts_as_office(request.user),
        },
    )


class FileEntryForm(forms.Form):
    """The office's hand entry; the service checks what depends on several fields."""

    unit = forms.ModelChoiceField(label="单位", queryset=None)
    person = forms.ModelChoiceField(
        label="个人（可选）", queryset=None, required=False, help_text="须为所选单位的人员"
    )
    recorded_on = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    merit = forms.TypedChoiceField(
        label="绩/误", choices=[("1", "绩"), ("0", "误")], coerce=lambda v: v == "1"
    )
    kind = forms.CharField(
        label="类别", max_length=30, widget=forms.TextInput(attrs={"list": "file-kinds"})
    )
    description = forms.CharField(label="事项", max_length=300, widget=forms.Textarea({"rows": 3}))
    points = FigureField(
        field=FileEntry._meta.get_field("points"),
        label="分值",
        initial=0,
        help_text="绩为正、误为负；仅勾选“计入年度得分”时计入年度实绩评定",
    )
    counts_for_year = forms.BooleanField(label="计入年度得分", required=False)
    evidence = forms.FileField(label="依据材料", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_visible_to(user).filter(active=True)
        self.fields["person"].queryset = users_visible_to(user).filter(
            unit__isnull=False, is_active=True
        )
        self.fields["person"].label_from_instance = lambda u: f"{u.full_name}（{u.unit}）"


@role_required(Role.OFFICE)
def file_add(request):
    year = current_year()
    if year is None:
        messages.error(request, "请先设置进行中的考核年度。")
        return redirect("file-list")
    form = FileEntryForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = add_file_entry(
                unit=data["unit"],
                year=year,
                user=request.user,
                merit=data["merit"],
                kind=data["kind"],
                description=data["description"],
                points=data["points"],
                counts_for_year=data["counts_for_year"],
                recorded_on=data["recorded_on"],
                person=data["person"],
                evidence=data["evidence"],
            )
        except ScoringError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已记入{entry.unit}的绩误档案。")
            return redirect("file-unit", entry.unit_id)
    return render(
        request,
        "scoring/file_add.html",
        {"form": form, "year": year, "kinds": KIND_SUGGESTIONS},
    )


@login_required
def file_evidence(request, entry_id):
    entry = get_object_or_404(file_entries_visible_to(request.user), pk=entry_id)
    if not entry.evidence:
        raise Http404("没有依据材料。")
    name = entry.evidence.name.rsplit("/", 1)[-1]
    return uploaded_file_response(entry.evidence, filename=name)
