"""The office's scoring pages: what-if on the live quarter, version comparison, adjustments."""

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from accounts.permissions import role_required
from accounts.roles import Role
from accounts.selectors import ranking_groups_visible_to, units_visible_to
from campaigns.figures import figure_formfield

from .. import engine
from ..models import Adjustment, IndicatorScore, ScoringRules, UnitScore, Veto
from ..selectors import evaluations_visible_to, unit_scores_visible_to
from ..services.evaluations import evaluate

# Every parameter of engine.Rules, as the ScoringRules fields that hold it.
RULE_FIELDS = (*ScoringRules.ENGINE_FIELDS, "q1_weight", "q2_weight", "q3_weight", "q4_weight")
STORED = Decimal("0.000001")  # UnitScore.total keeps 6 decimals


class RulesForm(forms.ModelForm):
    """The year's rules; the model's clean() checks the whole set with Rules.validate()."""

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


@dataclass
class Move:
    """One unit in the current version against the preview."""

    unit: object
    before: UnitScore | None
    after: engine.UnitResult
    data_changed: bool  # live figures differ from the version's, whatever the rules

    @property
    def rank_moved(self) -> bool:
        return self.before is None or self.before.rank != self.after.rank

    @property
    def tier_moved(self) -> bool:
        after = self.after.tier.value if self.after.tier else ""
        return self.before is None or self.before.tier != after

    @property
    def after_tier_label(self) -> str:
        return self.after.tier.label if self.after.tier else ""


def _stored(value):
    return None if value is None else value.quantize(STORED)


def _preview(request, evaluation, rules: engine.Rules, stored_rules: engine.Rules):
    """Score the live quarter with `rules` (and with the stored rules, to tell rule effects
    from figures that changed since the version was computed). Nothing is written."""
    inputs, _, result = evaluate(evaluation, rules=rules)
    baseline = engine.evaluate_quarter(
        inputs.units, quarter_end=inputs.quarter_end, rules=stored_rules
    ).by_unit()
    before = {
        s.unit_id: s
        for s in unit_scores_visible_to(request.user).filter(version=evaluation.current_version_id)
    }
    units = units_visible_to(request.user).in_bulk([r.unit_id for r in result.units])
    groups = ranking_groups_visible_to(request.user).in_bulk([r.group_id for r in result.units])
    moves = []
    for after in result.units:
        old = before.get(after.unit_id)
        live = baseline[after.unit_id]
        changed = old is not None and (_stored(live.total) != old.total or live.rank != old.rank)
        moves.append(Move(units[after.unit_id], old, after, changed))
    by_group = [
        (groups[group_id], list(rows))
        for group_id, rows in groupby(moves, key=lambda m: m.after.group_id)
    ]
    return by_group, sum(m.rank_moved for m in moves), sum(m.tier_moved for m in moves)


@role_required(Role.OFFICE)
def whatif(request, evaluation_id):
    """Preview a rule change on the live quarter; "apply" saves the rules (not any score)."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    instance = ScoringRules.objects.filter(year=evaluation.year).first() or ScoringRules(
        year=evaluation.year
    )
    stored_rules = instance.as_engine_rules()
    form = RulesForm(request.POST or None, instance=instance, evaluation=evaluation)
    context = {"evaluation": evaluation, "form": form, "groups": None}
    if request.method != "POST":
        return render(request, "scoring/whatif.html", context)
    if not form.is_valid():
        return render(request, "scoring/whatif.html", context, status=400)
    if request.POST.get("action") == "apply":
        form.save()  # history (simple_history) records who changed the rules, and when
        messages.success(
            request,
            f"已更新{evaluation.year.year}年度计分规则。已计算的版本不受影响；"
            "请在本页点击“重新计算”生成按新规则计算的版本。",
        )
        return redirect("evaluation-detail", evaluation.pk)
    groups, rank_moves, tier_moves = _preview(
        request, evaluation, form.instance.as_engine_rules(), stored_rules
    )
    context.update(groups=groups, rank_moves=rank_moves, tier_moves=tier_moves)
    return render(request, "scoring/whatif.html", context)


# --- versions --------------------------------------------------------------------------------

INDICATOR_FIGURES = ("target_to_date", "actual", "rate", "score")


@dataclass
class UnitDiff:
    unit: object
    group: object
    a: UnitScore | None
    b: UnitScore | None
    indicators: list = field(default_factory=list)  # (indicator, item in a, item in b)

    @property
    def changed(self) -> bool:
        if self.a is None or self.b is None:
            return True
        fields = ("total", "rank", "tier", "base", "timeliness", "bonus", "penalty")
        return bool(self.indicators) or any(
            getattr(self.a, f) != getattr(self.b, f) for f in fields
        )

    @property
    def total_change(self):
        if self.a is None or self.b is None or None in (self.a.total, self.b.total):
            return None
        return self.b.total - self.a.total


@role_required(Role.OFFICE)
def version_diff(request, evaluation_id, a, b):
    """Version a against version b: per unit total, rank and tier, the indicator figures that
    changed, and the reasons of the versions in between."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    versions = evaluation.versions.select_related("computed_by")
    chosen = {v.number: v for v in versions.filter(number__in=[a, b])}
    if a not in chosen or b not in chosen:
        raise Http404("没有该版本。")
    low, high = sorted((a, b))
    scores = unit_scores_visible_to(request.user).filter(version__in=[chosen[a], chosen[b]])
    diffs: dict[int, UnitDiff] = {}
    for score in scores.order_by("group__sort_order", "group_id", "position", "sort_order"):
        diff = diffs.setdefault(score.unit_id, UnitDiff(score.unit, score.group, None, None))
        if score.version_id == chosen[a].pk:
            diff.a = score
        if score.version_id == chosen[b].pk:
            diff.b = score
    items = (
        IndicatorScore.objects.filter(unit_score__in=scores)
        .select_related("indicator", "unit_score")
        .order_by("indicator__campaign__sort_order", "indicator__sort_order")
    )
    paired: dict[tuple[int, int], list] = {}
    for item in items:
        pair = paired.setdefault((item.unit_score.unit_id, item.indicator_id), [None, None])
        pair[0 if item.unit_score.version_id == chosen[a].pk else 1] = item
    for (unit_id, _), (old, new) in paired.items():
        if (
            old is None
            or new is None
            or any(getattr(old, f) != getattr(new, f) for f in INDICATOR_FIGURES)
        ):
            indicator = (old or new).indicator
            diffs[unit_id].indicators.append((indicator, old, new))
    show_all = request.GET.get("all") == "1"
    rows = [d for d in diffs.values() if show_all or d.changed]
    return render(
        request,
        "scoring/version_diff.html",
        {
            "evaluation": evaluation,
            "a": chosen[a],
            "b": chosen[b],
            "between": versions.filter(number__gt=low, number__lte=high).order_by("number"),
            "groups": [(g, list(r)) for g, r in groupby(rows, key=lambda d: d.group)],
            "changed_count": sum(d.changed for d in diffs.values()),
            "unit_count": len(diffs),
            "show_all": show_all,
        },
    )


@role_required(Role.OFFICE)
def evaluation_adjustments(request, evaluation_id):
    """The quarter's adjustments and vetoes with their approval state (a fragment loaded into
    the evaluation page)."""
    evaluation = get_object_or_404(evaluations_visible_to(request.user), pk=evaluation_id)
    related = ("unit", "entered_by", "approved_by")
    quarter = {"year": evaluation.year, "quarter": evaluation.quarter}
    return render(
        request,
        "scoring/_adjustments.html",
        {
            "evaluation": evaluation,
            "adjustments": Adjustment.objects.filter(**quarter).select_related(*related),
            "vetoes": Veto.objects.filter(**quarter).select_related(*related),
        },
    )
