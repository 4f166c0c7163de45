"""The office's scoring pages: what-if on the live quarter, version comparison, adjustments."""

from itertools import groupby

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import role_required
from accounts.roles import Role
from campaigns.figures import figure_formfield

from ..errors import ScoringError
from ..models import ScoringRules
from ..selectors import (
    adjustments_visible_to,
    compare_versions,
    evaluations_visible_to,
    scoring_rules_for,
    vetoes_visible_to,
)
from ..services.rules import RULE_FIELDS, apply_rules, preview_rules


class RulesForm(forms.ModelForm):
    """The year's rules; the model's clean() checks the whole set with Rules.validate().

    A ModelForm for its fields and validation only: `apply_rules` stores, never `save()`."""

    rules_year = forms.IntegerField(label="考核年度", widget=forms.HiddenInput)

    class Meta:
        model = ScoringRules
        fields = list(RULE_FIELDS)
        formfield_callback = figure_formfield

    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        self.fields["rules_year"].initial = evaluation.year.year
        for bound in self.fields.values():
            bound.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean_rules_year(self):
        year = self.cleaned_data["rules_year"]
        if year != self.evaluation.year.year:
            raise forms.ValidationError(
                f"提交的是{year}年度的计分规则，不能用于{self.evaluation.title}考评，未作任何更改。"
            )
        return year


@role_required(Role.OFFICE)
def whatif(request, evaluation_id):
    """Preview a rule change on the live quarter; "apply" saves the rules (not any score)."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    instance = scoring_rules_for(evaluation.year)
    form = RulesForm(request.POST or None, instance=instance, evaluation=evaluation)
    context = {"evaluation": evaluation, "form": form, "groups": None}
    if request.method != "POST":
        return render(request, "scoring/whatif.html", context)
    if not form.is_valid():
        return render(request, "scoring/whatif.html", context, status=400)
    if request.POST.get("action") == "apply":
        rules = {name: form.cleaned_data[name] for name in RULE_FIELDS}
        try:
            apply_rules(year=evaluation.year, rules=rules, user=request.user)
        except ScoringError as error:
            for message in error.messages:
                form.add_error(None, message)
            return render(request, "scoring/whatif.html", context, status=400)
        messages.success(
            request,
            f"已更新{evaluation.year.year}年度计分规则。已计算的版本不受影响；"
            "请在本页点击“重新计算”生成按新规则计算的版本。",
        )
        return redirect("evaluation-detail", evaluation.pk)
    # is_valid() has set the posted rules on the (unsaved) instance.
    preview = preview_rules(
        evaluation=evaluation, rules=form.instance.as_engine_rules(), user=request.user
    )
    context.update(
        groups=preview.groups, rank_moves=preview.rank_moves, tier_moves=preview.tier_moves
    )
    return render(request, "scoring/whatif.html", context)


# --- versions --------------------------------------------------------------------------------


@role_required(Role.OFFICE)
def version_diff(request, evaluation_id, a, b):
    """Version a against version b: per unit total, rank and tier, the indicator figures that
    changed, and the reasons of the versions in between."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    diff = compare_versions(request.user, evaluation, a, b)
    if diff is None:
        raise Http404("没有该版本。")
    show_all = request.GET.get("all") == "1"
    rows = [d for d in diff.units if show_all or d.changed]
    return render(
        request,
        "scoring/version_diff.html",
        {
            "evaluation": evaluation,
            "a": diff.a,
            "b": diff.b,
            "between": diff.between,
            "groups": [(g, list(r)) for g, r in groupby(rows, key=lambda d: d.group)],
            "changed_count": diff.changed_count,
            "unit_count": len(diff.units),
            "show_all": show_all,
        },
    )


@role_required(Role.OFFICE)
def evaluation_adjustments(request, evaluation_id):
    """The quarter's adjustments and vetoes with their approval state (a fragment loaded into
    the evaluation page)."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    quarter = {"year": evaluation.year, "quarter": evaluation.quarter}
    return render(
        request,
        "scoring/_adjustments.html",
        {
            "evaluation": evaluation,
            "adjustments": adjustments_visible_to(request.user).filter(**quarter),
            "vetoes": vetoes_visible_to(request.user).filter(**quarter),
        },
    )
