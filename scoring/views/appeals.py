"""Appeals (申诉): a unit head files one from the score page; the office decides on its list."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import acts_as_office, role_required
from accounts.roles import Role
from campaigns.figures import FigureField
from jiaozhang.downloads import uploaded_file_response
from jiaozhang.ids import id_param

from ..errors import ScoringError
from ..models import Appeal, QuarterlyEvaluation
from ..selectors import (
    appeal_rows,
    appeals_visible_to,
    evaluations_visible_to,
    scorecard_items,
    unit_scores_visible_to,
)
from ..services.appeals import decide_appeal, decision_summary, file_appeal


def window_open(evaluation: QuarterlyEvaluation, now=None) -> bool:
    return (
        evaluation.status == QuarterlyEvaluation.Status.APPEAL
        and evaluation.appeal_deadline is not None
        and (now or timezone.now()) <= evaluation.appeal_deadline
    )


class AppealForm(forms.Form):
    indicator = forms.TypedChoiceField(label="申诉指标", coerce=int)
    claim = forms.CharField(label="申诉理由", widget=forms.Textarea(attrs={"rows": 3}))
    claimed_value = FigureField(
        field=Appeal._meta.get_field("claimed_value"),
        label="主张数值",
        required=False,
        help_text="认为应当采用的核实数（可不填）",
    )
    # Checked by content in file_appeal, with the ledger evidence checker.
    evidence = forms.FileField(
        label="佐证材料", required=False, help_text="JPG/PNG/WebP 图片或 PDF，不超过 10 MB"
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {item.indicator_id: item for item in items}
        self.fields["indicator"].choices = [
            (item.indicator_id, f"{item.indicator.campaign.name} · {item.indicator.name}")
            for item in items
        ]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("uphold", "采纳"), ("reject", "驳回")])
    decision = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 2}))
    corrected_value = FigureField(
        field=Appeal._meta.get_field("corrected_value"), label="更正后数值", required=False
    )


@role_required(Role.REPORTER, Role.UNIT_HEAD, Role.OFFICE)
def unit_appeals(request, evaluation_id, unit_id):
    """The unit's appeals of the quarter and, for its head in the window, the form to file one
    (a fragment loaded into the unit's score page)."""
    user = request.user
    evaluation = get_object_or_404(evaluations_visible_to(user), pk=evaluation_id)
    if not acts_as_office(user) and unit_id != user.unit_id:
        raise Http404("只能查看本单位的申诉。")
    score = get_object_or_404(
        unit_scores_visible_to(user), version=evaluation.current_version_id, unit_id=unit_id
    )
    may_file = (
        window_open(evaluation) and user.has_role(Role.UNIT_HEAD) and (user.unit_id == unit_id)
    )
    return render(
        request,
        "scoring/_unit_appeals.html",
        {
            "evaluation": evaluation,
            "score": score,
            "appeals": appeals_visible_to(user)
            .filter(version__evaluation=evaluation, unit_id=unit_id)
            .order_by("-filed_at"),
            "form": AppealForm(items=list(scorecard_items(score))) if may_file else None,
            "window_open": window_open(evaluation),
        },
    )


@require_POST
@role_required(Role.UNIT_HEAD)
def appeal_file(request, evaluation_id):
    """File an appeal for the head's own unit; typing in another unit's id finds nothing."""
    user = request.user
    evaluation = get_object_or_404(evaluations_visible_to(user), pk=evaluation_id)
    if request.POST.get("unit", str(user.unit_id)) != str(user.unit_id):
        raise Http404("只能为本单位提出申诉。")
    score = get_object_or_404(
        unit_scores_visible_to(user), version=evaluation.current_version_id, unit_id=user.unit_id
    )
    form = AppealForm(request.POST, request.FILES, items=list(scorecard_items(score)))
    back = redirect("unit-score", evaluation.pk, user.unit_id)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"申诉未提交：{message}")
        return back
    item = form.items[form.cleaned_data["indicator"]]
    try:
        appeal = file_appeal(
            evaluation=evaluation,
            indicator=item.indicator,
            user=user,
            claim=form.cleaned_data["claim"],
            claimed_value=form.cleaned_data["claimed_value"],
            evidence=form.cleaned_data["evidence"],
        )
    except ScoringError as error:
        for message in error.messages:
            messages.error(request, f"申诉未提交：{message}")
        return back
    messages.success(request, f"已提交对「{appeal.indicator.name}」的申诉，考核办处理后将通知您。")
    return back


@role_required(Role.OFFICE)
def appeal_list(request):
    """Every appeal, pending first; filter by evaluation; uphold / reject forms on each."""
    evaluations = evaluations_visible_to(request.user).order_by("-year__year", "-quarter")
    chosen = id_param(request.GET, "evaluation")
    rows = appeal_rows(request.user, evaluation_id=chosen)
    return render(
        request,
        "scoring/appeal_list.html",
        {
            "rows": rows,
            "evaluations": evaluations,
            "chosen": chosen,
            "pending": sum(a.status == Appeal.Status.PENDING for a, _figure in rows),
        },
    )


@require_POST
@role_required(Role.OFFICE)
def appeal_decide(request, appeal_id):
    appeal = get_object_or_404(appeals_visible_to(request.user), pk=appeal_id)
    evaluation = appeal.version.evaluation
    back = redirect(reverse("appeal-list") + f"?evaluation={evaluation.pk}")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"未处理：{message}")
        return back
    uphold = form.cleaned_data["outcome"] == "uphold"
    try:
        version = decide_appeal(
            appeal=appeal,
            user=request.user,
            uphold=uphold,
            decision=form.cleaned_data["decision"],
            corrected_value=form.cleaned_data["corrected_value"],
        )
    except ScoringError as error:
        for message in error.messages:
            messages.error(request, f"未处理：{message}")
        return back
    messages.success(request, f"{decision_summary(appeal, version)}。")
    return back


@role_required(Role.REPORTER, Role.UNIT_HEAD, Role.OFFICE)
def appeal_evidence(request, appeal_id):
    appeal = get_object_or_404(appeals_visible_to(request.user), pk=appeal_id)
    if not appeal.evidence:
        raise Http404("该申诉没有佐证材料。")
    name = appeal.evidence.name.rsplit("/", 1)[-1]
    return uploaded_file_response(appeal.evidence, filename=name)
