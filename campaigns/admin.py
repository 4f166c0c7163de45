"""Admin for the year's set-up: years, campaigns, indicators, targets and periods; Excel import."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join

from jiaozhang import ids  # noqa: F401  (registers <id:…>: ids the database can hold)
from jiaozhang.admin_site import ReadOnlyAdmin, SimpleHistoryAdmin
from jiaozhang.downloads import download_response

from .errors import LedgerError
from .figures import FIGURE_INPUT
from .models import (
    AssessmentYear,
    Campaign,
    Extension,
    FollowUp,
    FollowUpEvent,
    Holiday,
    Indicator,
    LedgerReopening,
    Milestone,
    Period,
    ReminderLog,
    Target,
)
from .services.year_import import (
    import_indicators,
    import_targets,
    indicator_template,
    target_template,
)
from .services.years import (
    REASON_LENGTH,
    change_period_deadline,
    check_annual_value,
    check_milestones,
    generate_periods,
    set_target,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class YearImport:
    """One of the two Excel set-ups of a year: what it is called, its template and importer."""

    slug: str
    label: str
    template: object
    importer: object
    view_perm: str
    import_perms: tuple[str, ...]


YEAR_IMPORTS = {
    "indicators": YearImport(
        "indicators",
        "指标",
        indicator_template,
        import_indicators,
        "campaigns.view_indicator",
        ("campaigns.add_indicator", "campaigns.change_indicator"),
    ),
    "targets": YearImport(
        "targets",
        "目标任务",
        target_template,
        import_targets,
        "campaigns.view_target",
        ("campaigns.add_target", "campaigns.change_target"),
    ),
}


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）", help_text="请使用本页下载的模板填写。")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 10 MB，请检查是否有多余内容。")
        return file


@admin.register(AssessmentYear)
class AssessmentYearAdmin(SimpleHistoryAdmin):
    list_display = [
        "__str__",
        "status",
        "deadline_weekday",
        "deadline_time",
        "lock_after_days",
        "period_count",
        "set_up_links",
    ]
    list_filter = ["status"]
    readonly_fields = ["set_up_links"]
    actions = ["generate_periods_action"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(period_total=Count("periods"))

    @admin.display(description="帐期数", ordering="period_total")
    def period_count(self, obj):
        return getattr(obj, "period_total", None)

    @admin.display(description="Excel 设置")
    def set_up_links(self, obj):
        if obj is None or obj.pk is None:
            return "保存后可导入指标和目标任务。"
        return format_html_join(
            " | ",
            '<a href="{}">{}</a>',
            (
                (reverse(f"admin:campaigns_assessmentyear_{kind.slug}", args=[obj.pk]), kind.label)
                for kind in YEAR_IMPORTS.values()
            ),
        )

    @admin.action(description="生成帐期", permissions=["change"])
    def generate_periods_action(self, request, queryset):
        for year in queryset:
            try:
                periods = generate_periods(year=year)
            except LedgerError as error:
                self.message_user(request, f"{year}：{'；'.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request, f"{year}：已生成帐期，共 {len(periods)} 周。", messages.SUCCESS
                )

    def get_urls(self):
        urls = []
        for kind in YEAR_IMPORTS.values():
            urls += [
                path(
                    f"<id:object_id>/{kind.slug}/",
                    self.admin_site.admin_view(self.import_view),
                    {"slug": kind.slug},
                    name=f"campaigns_assessmentyear_{kind.slug}",
                ),
                path(
                    f"<id:object_id>/{kind.slug}/template/",
                    self.admin_site.admin_view(self.template_view),
                    {"slug": kind.slug},
                    name=f"campaigns_assessmentyear_{kind.slug}_template",
                ),
            ]
        return urls + super().get_urls()

    def template_view(self, request, object_id, slug):
        kind = YEAR_IMPORTS[slug]
        if not request.user.has_perm(kind.view_perm):
            raise PermissionDenied
        year = get_object_or_404(AssessmentYear, pk=object_id)
        return download_response(
            kind.template(year),
            filename=f"{year.year}年度{kind.label}模板.xlsx",
            fallback=f"{year.year}-{kind.slug}-template.xlsx",
            content_type=XLSX,
        )

    def import_view(self, request, object_id, slug):
        kind = YEAR_IMPORTS[slug]
        if not request.user.has_perm(kind.view_perm):
            raise PermissionDenied
        may_import = request.user.has_perms(kind.import_perms)
        year = get_object_or_404(AssessmentYear, pk=object_id)
        errors = []
        form = ImportForm()
        if request.method == "POST":
            if not may_import:
                raise PermissionDenied
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    result = kind.importer(
                        year=year, file=form.cleaned_data["file"], user=request.user
                    )
                except LedgerError as error:
                    errors = error.messages
                else:
                    self.message_user(
                        request, f"{year}{kind.label}导入成功：{result}。", messages.SUCCESS
                    )
                    return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": year,
            "title": f"{year} · 导入{kind.label}",
            "kind": kind,
            "year": year,
            "form": form,
            "errors": errors,
            "may_import": may_import,
            "template_url": reverse(
                f"admin:campaigns_assessmentyear_{kind.slug}_template", args=[year.pk]
            ),
        }
        return TemplateResponse(request, "admin/campaigns/year_import.html", context)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "lead_unit", "sort_order"]
    list_filter = ["year"]
    search_fields = ["name"]
    list_select_related = ["year", "lead_unit"]
    autocomplete_fields = ["lead_unit"]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    formfield_overrides = FIGURE_INPUT
    list_display = [
        "name",
        "campaign",
        "measure",
        "direction",
        "points",
        "method",
        "lead_unit",
        "cumulative",
    ]
    list_filter = ["campaign__year", "campaign", "direction", "method", "lead_unit"]
    search_fields = ["name", "description", "campaign__name"]
    list_select_related = ["campaign", "campaign__year", "lead_unit"]
    autocomplete_fields = ["lead_unit"]


class MilestoneFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        target = self.instance
        if any(self.errors) or target is None or not getattr(target, "indicator_id", None):
            return
        kept = [
            (form.cleaned_data["due_date"], form.cleaned_data["fraction"])
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("due_date")
            and form.cleaned_data.get("fraction") is not None
        ]
        if kept:  # none: the default quarter milestones are added on save
            problems = check_milestones(target.indicator.campaign.year.year, kept)
            if problems:
                raise forms.ValidationError(problems)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    formset = MilestoneFormSet
    formfield_overrides = FIGURE_INPUT
    extra = 0
    fields = ["due_date", "fraction"]

    def has_delete_permission(self, request, obj=None):
        # A milestone is part of its target: whoever may change the target may drop one.
        return request.user.has_perm("campaigns.change_target")


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["indicator", "unit", "annual_value", "note"]

    def clean(self):
        cleaned = super().clean()
        indicator = cleaned.get("indicator")
        if indicator is not None:
            problem = check_annual_value(indicator, cleaned.get("annual_value"))
            if problem:
                self.add_error("annual_value", problem)
        return cleaned


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    form = TargetForm
    formfield_overrides = FIGURE_INPUT
    list_display = ["unit", "indicator", "campaign", "annual_value", "milestone_summary", "note"]
    list_filter = [
        "indicator__campaign__year",
        "indicator__campaign",
        "unit__group",
        "unit__kind",
        "indicator__direction",
    ]
    search_fields = ["unit__name", "unit__short_name", "indicator__name"]
    list_select_related = ["unit", "indicator", "indicator__campaign"]
    autocomplete_fields = ["unit", "indicator"]
    inlines = [MilestoneInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("milestones")

    @admin.display(description="会战", ordering="indicator__campaign__sort_order")
    def campaign(self, obj):
        return obj.indicator.campaign

    @admin.display(description="时间节点")
    def milestone_summary(self, obj):
        return "，".join(str(m) for m in obj.milestones.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        target = form.instance
        if not target.milestones.exists():  # same rule as set_target: defaults when none
            set_target(
                indicator=target.indicator,
                unit=target.unit,
                annual_value=target.annual_value,
                note=target.note,
            )


class DeadlineForm(forms.Form):
    deadline = forms.SplitDateTimeField(
        label="新的截止时间", help_text="日期与时间（北京时间）；锁定时间随之平移"
    )
    reason = forms.CharField(
        label="修改原因", max_length=REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Period)
class PeriodAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """Periods are generated; a deadline changes only through the 修改截止时间 page, with a
    reason kept in the period's history (issue 9)."""

    list_display = [
        "__str__",
        "starts_on",
        "ends_on",
        "quarter",
        "deadline",
        "locks_at",
        "deadline_set_by_office",
        "deadline_link",
    ]
    list_filter = ["year", "quarter"]
    list_select_related = ["year"]
    list_per_page = 60  # a whole year on one page

    @admin.display(description="操作")
    def deadline_link(self, obj):
        return format_html_join(
            "",
            '<a href="{}">{}</a>',
            [(reverse("admin:campaigns_period_deadline", args=[obj.pk]), "修改截止时间")],
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.deadline_view)
        deadline = path("<id:object_id>/deadline/", view, name="campaigns_period_deadline")
        return [deadline, *super().get_urls()]

    def deadline_view(self, request, object_id):
        if not request.user.has_perm("campaigns.change_period"):
            raise PermissionDenied
        period = get_object_or_404(Period.objects.select_related("year"), pk=object_id)
        form = DeadlineForm(initial={"deadline": period.deadline})
        errors = []
        if request.method == "POST":
            form = DeadlineForm(request.POST)
            if form.is_valid():
                try:
                    change_period_deadline(
                        period=period,
                        deadline=form.cleaned_data["deadline"],
                        reason=form.cleaned_data["reason"],
                        user=request.user,
                    )
                except LedgerError as error:
                    errors = error.messages
                else:
                    self.message_user(request, f"{period}的截止时间已修改。", messages.SUCCESS)
                    return redirect(reverse("admin:campaigns_period_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": period,
            "title": f"{period} · 修改截止时间",
            "period": period,
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/campaigns/period_deadline.html", context)


@admin.register(Holiday)
class HolidayAdmin(SimpleHistoryAdmin):
    """The office keeps the working calendar: the package prefills known years, the office
    adds next year's arrangement when the State Council publishes it."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    ordering = ["-date"]  # this year's and next year's arrangement first, not 2004
    fields = ["date", "kind", "name"]

    REGENERATE = (
        "已生成的帐期不会自动改变：如需按新的节假日调整截止时间，"
        "请在考核年度中重新“生成帐期”（只改尚未截止的帐期）。"
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.message_user(request, self.REGENERATE, messages.INFO)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.message_user(request, self.REGENERATE, messages.INFO)


@admin.register(LedgerReopening)
class LedgerReopeningAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "reopened_by", "reopened_at", "until", "reason"]
    list_filter = ["ledger__period__year"]
    search_fields = ["ledger__unit__name", "reason"]
    list_select_related = ["ledger__unit", "ledger__period__year", "reopened_by"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    list_display = ["unit", "period", "kind", "sent_at"]
    list_filter = ["kind", "period__year"]
    search_fields = ["unit__name"]
    list_select_related = ["unit", "period__year"]


class FollowUpEventInline(admin.TabularInline):
    model = FollowUpEvent
    fields = ["at", "kind", "actor", "text", "measures", "due_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    """交办单 to read, with their thread and history: every step is taken on the follow-up's
    page (campaigns.services.follow_ups), so nothing here writes."""

    list_display = ["__str__", "unit", "issuer_unit", "status", "card", "due_on", "issued_at"]
    list_filter = ["status", "card", "kind", "origin", "year"]
    search_fields = ["title", "unit__name", "issuer_unit__name", "number"]
    list_select_related = ["year", "unit", "issuer_unit"]
    inlines = [FollowUpEventInline]


@admin.register(Extension)
class ExtensionAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ["follow_up", "requested_by", "requested_at", "due_on", "status", "decided_by"]
    list_filter = ["status"]
    search_fields = ["follow_up__title", "follow_up__unit__name", "reason"]
    list_select_related = ["follow_up__year", "requested_by", "decided_by"]


# The registers (issue 13): project and village lists, reports and signings to read;
# the reminder schedule: the office moves times, only the administrator picks tasks.
from . import admin_registers, admin_schedule  # noqa: E402, F401
