"""Scoring admin: rules, adjustments, vetoes and hand file entries; results read-only."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from campaigns.figures import FIGURE_INPUT
from jiaozhang.admin_site import ReadOnly, ReadOnlyAdmin, SimpleHistoryAdmin

from .display import file_kind
from .errors import ScoringError
from .models import (
    Adjustment,
    AnnualEvaluation,
    AnnualResult,
    Appeal,
    EvaluationVersion,
    FileEntry,
    QuarterlyEvaluation,
    ScoringRules,
    SkippedQuarter,
    UnitScore,
    Veto,
    WeeklyBriefing,
)
from .services.adjustments import approve_adjustment, approve_veto, enter_adjustment, enter_veto
from .services.annual import add_file_entry
from .services.evaluations import record_skipped_quarter
from .services.uploads import evidence_refusals


class ReadOnlyHistoryAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    pass


# --- rules -----------------------------------------------------------------------------------


@admin.register(ScoringRules)
class ScoringRulesAdmin(SimpleHistoryAdmin):
    """The model's clean() validates the whole set through the engine (Rules.validate), so a
    bad set comes back with the engine's Chinese messages and nothing is saved."""

    formfield_overrides = FIGURE_INPUT

    list_display = ["__str__", "top_share", "bottom_share", "rate_cap", "appeal_working_days"]
    list_select_related = ["year"]
    fieldsets = [
        (None, {"fields": ["year"]}),
        ("指标计分（规则3、4）", {"fields": ["milestone_late_rate", "rate_cap", "rank_step"]}),
        ("报送及时性（规则6）", {"fields": ["late_deduction", "missing_deduction",
                                            "timeliness_cap"]}),
        ("加减分（规则7）", {"fields": ["bonus_cap", "penalty_cap"]}),
        ("季度等次（规则10）", {"fields": ["top_share", "bottom_share", "bottom_min_group",
                                           "lagging_below", "advanced_from"]}),
        ("年度评定（规则12）", {"fields": ["q1_weight", "q2_weight", "q3_weight", "q4_weight",
                                           "excellent_share", "excellent_from", "fair_below",
                                           "poor_share", "poor_min_group"]}),
        ("申诉", {"fields": ["appeal_working_days"]}),
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return ["year"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


# --- adjustments and vetoes ------------------------------------------------------------------


class _DryRun(Exception):
    """Raised inside a savepoint to undo a service call made only to validate."""


class EnteredByServiceForm(forms.ModelForm):
    """Validates by running the service (`enter_adjustment`, `enter_veto`, `add_file_entry`) in
    a savepoint that is rolled back: the form refuses exactly what the service refuses, with
    its messages, and the rules live in one place."""

    service = None  # set by subclasses
    service_fields: tuple[str, ...] = ()

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_evidence(self):
        # The dry run below goes without the file: the file gets the services' content check here.
        evidence = self.cleaned_data.get("evidence")
        if refusals := evidence_refusals(evidence, what="依据材料"):
            raise forms.ValidationError(refusals)
        return evidence

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.request is None:
            return cleaned
        # On a change, read-only fields are not in the form: take them from the row.
        values = {
            name: cleaned[name] if name in cleaned else getattr(self.instance, name)
            for name in self.service_fields
        }
        try:
            with transaction.atomic():
                type(self).service(**values, user=self.request.user)  # no evidence: no file
                raise _DryRun
        except _DryRun:
            pass
        except ScoringError as error:
            raise forms.ValidationError(error.messages) from None
        return cleaned


class AdjustmentForm(EnteredByServiceForm):
    service = staticmethod(enter_adjustment)
    service_fields = ("unit", "year", "quarter", "kind", "points", "reason")

    class Meta:
        model = Adjustment
        fields = ["unit", "year", "quarter", "kind", "points", "reason", "evidence"]


class VetoForm(EnteredByServiceForm):
    service = staticmethod(enter_veto)
    service_fields = ("unit", "year", "quarter", "kind", "reason")

    class Meta:
        model = Veto
        fields = ["unit", "year", "quarter", "kind", "reason", "evidence"]


class FormWithRequestMixin:
    """Hands the request to the admin form (its service needs the signed-in user)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithRequest(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return WithRequest


class ServiceAddMixin(FormWithRequestMixin):
    """An added row is written by the form's service (entered_by = the signed-in user)."""

    def save_form(self, request, form, change):
        if change:
            return super().save_form(request, form, change)
        values = {name: form.cleaned_data.get(name) for name in form.service_fields}
        return form.service(**values, user=request.user, evidence=form.cleaned_data["evidence"])

    def save_model(self, request, obj, form, change):
        if change:  # an added row was saved by the service in save_form
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:  # an added row was saved whole by the service (no m2m, no inlines)
            super().save_related(request, form, formsets, change)

    def has_delete_permission(self, request, obj=None):
        return False


class SecondPersonAdmin(ServiceAddMixin, SimpleHistoryAdmin):
    """Entered through the service; approved by an action that only another office user can
    complete. Approved rows are read-only; an unapproved row may be corrected only by whoever
    entered it."""

    formfield_overrides = FIGURE_INPUT
    list_filter = ["year", "quarter", "kind", ("approved_by", admin.EmptyFieldListFilter)]
    search_fields = ["unit__name", "unit__short_name", "reason"]
    list_select_related = ["unit", "year", "entered_by", "approved_by"]
    autocomplete_fields = ["unit"]
    actions = ["approve_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["unit", "year", "quarter", "entered_by", "entered_at", "approved_by",
                "approved_at"]  # fmt: skip

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (not obj.approved and obj.entered_by_id == request.user.pk)

    @admin.display(description="审核", boolean=True, ordering="approved_at")
    def approval(self, obj):
        return obj.approved

    def approve(self, item, user):
        raise NotImplementedError

    @admin.action(description="审核通过所选", permissions=["change"])
    def approve_selected(self, request, queryset):
        approved = 0
        for item in queryset.select_related("unit"):
            try:
                self.approve(item, request.user)
            except ScoringError as error:
                self.message_user(request, f"{item}：{'；'.join(error.messages)}", messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(request, f"已审核通过 {approved} 项。", messages.SUCCESS)


@admin.register(Adjustment)
class AdjustmentAdmin(SecondPersonAdmin):
    form = AdjustmentForm
    list_display = ["unit", "year", "quarter", "kind", "points", "reason", "entered_by",
                    "approval", "approved_by"]  # fmt: skip

    def approve(self, item, user):
        approve_adjustment(adjustment=item, user=user)


@admin.register(Veto)
class VetoAdmin(SecondPersonAdmin):
    form = VetoForm
    list_display = ["unit", "year", "quarter", "kind", "reason", "entered_by", "approval",
                    "approved_by"]  # fmt: skip

    def approve(self, item, user):
        approve_veto(veto=item, user=user)


# --- the merit-and-fault file ----------------------------------------------------------------


class FileEntryForm(EnteredByServiceForm):
    service = staticmethod(add_file_entry)  # derives the quarter from the date
    service_fields = (
        "unit",
        "year",
        "recorded_on",
        "person",
        "merit",
        "kind",
        "description",
        "points",
        "counts_for_year",
    )

    class Meta:
        model = FileEntry
        fields = ["unit", "person", "year", "recorded_on", "merit", "kind", "description",
                  "points", "counts_for_year", "evidence"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # Before validation: the model's clean() lets only office entries count for the year.
            self.instance.source = FileEntry.Source.OFFICE


@admin.register(FileEntry)
class FileEntryAdmin(ServiceAddMixin, SimpleHistoryAdmin):
    """The office adds entries by hand (source 考核办录入, through add_file_entry); entries
    written by publication, adjustments, late ledgers or follow-ups are read-only."""

    form = FileEntryForm
    formfield_overrides = FIGURE_INPUT
    list_display = ["unit", "person", "year", "quarter", "recorded_on", "merit", "kind_shown",
                    "description", "points", "counts_for_year", "source"]  # fmt: skip
    list_filter = ["year", "quarter", "merit", "source", "counts_for_year", "unit__group"]
    search_fields = ["unit__name", "unit__short_name", "description", "kind"]
    list_select_related = ["unit", "person", "year"]

    @admin.display(description="类别", ordering="kind")
    def kind_shown(self, obj):
        return file_kind(obj.kind)  # entries written before kinds were stored in Chinese

    # A plain list of people: user accounts are the administrator's (no office autocomplete).
    autocomplete_fields = ["unit"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["quarter", "source", "entered_by", "created_at", "evaluation_version"]
        # The quarter follows the date: both stay as entered, like the unit and the year.
        return fixed if obj is None else ["unit", "year", "recorded_on", *fixed]

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or obj.source == FileEntry.Source.OFFICE


# --- results: read-only ----------------------------------------------------------------------


def _page_link(url: str, text: str):
    return format_html('<a href="{}">{}</a>', url, text)


@admin.register(QuarterlyEvaluation)
class QuarterlyEvaluationAdmin(ReadOnlyHistoryAdmin):
    """Statuses change only through compute / review / publish on the evaluation page."""

    list_display = ["__str__", "status", "current_version", "appeal_deadline", "published_at",
                    "document_number", "page"]  # fmt: skip
    list_filter = ["year", "quarter", "status"]
    list_select_related = ["year", "current_version__evaluation__year"]

    @admin.display(description="考评页面")
    def page(self, obj):
        return _page_link(reverse("evaluation-detail", args=[obj.pk]), "打开")


class SkippedQuarterForm(EnteredByServiceForm):
    service = staticmethod(record_skipped_quarter)
    service_fields = ("year", "quarter", "reason")

    class Meta:
        model = SkippedQuarter
        fields = ["year", "quarter", "reason"]


@admin.register(SkippedQuarter)
class SkippedQuarterAdmin(FormWithRequestMixin, SimpleHistoryAdmin):
    """季度不考评登记: added through record_skipped_quarter (who and when from the request);
    a record is final, so it can be neither changed nor deleted."""

    form = SkippedQuarterForm
    list_display = ["__str__", "reason", "recorded_by", "recorded_at"]
    list_filter = ["year"]
    list_select_related = ["year", "recorded_by"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["year", "quarter", "reason", "recorded_by", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        values = {name: form.cleaned_data[name] for name in form.service_fields}
        return record_skipped_quarter(**values, user=request.user)

    def save_model(self, request, obj, form, change):
        pass  # saved by the service in save_form

    def save_related(self, request, form, formsets, change):
        pass


class UnitScoreInline(ReadOnly, admin.TabularInline):
    model = UnitScore
    fields = ["group", "unit", "base", "timeliness", "bonus", "penalty", "total", "rank",
              "tier", "vetoed", "no_excellence"]  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["group__sort_order", "position", "sort_order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "group")


@admin.register(EvaluationVersion)
class EvaluationVersionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "computed_at", "computed_by", "reason", "open_periods"]
    list_filter = ["evaluation__year", "evaluation__quarter"]
    list_select_related = ["evaluation__year", "computed_by"]
    inlines = [UnitScoreInline]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyHistoryAdmin):
    """Appeals are filed on the unit's score page and decided on the office's appeal page."""

    list_display = ["unit", "indicator", "version", "status", "filed_by", "filed_at",
                    "decided_by", "decided_at", "decision_page"]  # fmt: skip
    list_filter = ["status", "version__evaluation__year", "version__evaluation__quarter"]
    search_fields = ["unit__name", "indicator__name", "claim", "decision"]
    list_select_related = ["unit", "indicator", "version__evaluation__year", "filed_by",
                           "decided_by"]  # fmt: skip

    @admin.display(description="处理")
    def decision_page(self, obj):
        url = reverse("appeal-list") + f"?evaluation={obj.version.evaluation_id}"
        return _page_link(url, "去处理" if obj.status == Appeal.Status.PENDING else "查看")


class AnnualResultInline(ReadOnly, admin.TabularInline):
    model = AnnualResult
    fields = ["group", "unit", "q1", "q2", "q3", "q4", "file_points", "score", "rank", "grade",
              "vetoed", "no_excellence"]  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "group")


@admin.register(AnnualEvaluation)
class AnnualEvaluationAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "status", "computed_at", "published_at"]
    list_filter = ["status"]
    list_select_related = ["year"]
    inlines = [AnnualResultInline]


@admin.register(WeeklyBriefing)
class WeeklyBriefingAdmin(ReadOnlyHistoryAdmin):
    """周通报: read-only here with its history; generated, edited and issued on its page
    (scoring.services.briefings), so an issued one cannot change."""

    list_display = ["title", "status", "document_number", "generated_at", "issued_at", "page"]
    list_filter = ["year", "status"]
    list_select_related = ["year", "period"]
    exclude = ["facts"]

    @admin.display(description="通报页面")
    def page(self, obj):
        return _page_link(reverse("briefing-detail", args=[obj.pk]), "打开")
