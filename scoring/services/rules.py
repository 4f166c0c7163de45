"""The year's scoring rules: preview a change on the live quarter (what-if), and apply it."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.selectors import ranking_groups_visible_to, units_visible_to
from campaigns.models import AssessmentYear

from .. import engine
from ..errors import ScoringError
from ..models import QuarterlyEvaluation, ScoringRules, UnitScore
from ..selectors import scoring_rules_for, unit_scores_visible_to
from .evaluations import evaluate, require_office

# Every parameter of engine.Rules, as the ScoringRules fields that hold it.
RULE_FIELDS = (*ScoringRules.ENGINE_FIELDS, "q1_weight", "q2_weight", "q3_weight", "q4_weight")
STORED = Decimal("0.000001")  # UnitScore.total keeps 6 decimals
APPLY_REASON = "规则试算后应用"


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


@dataclass
class Preview:
    groups: list  # (ranking group, [Move, ...]) in ranking order
    rank_moves: int
    tier_moves: int


def _stored(value):
    return None if value is None else value.quantize(STORED)


def preview_rules(*, evaluation: QuarterlyEvaluation, rules: engine.Rules, user) -> Preview:
    """Score the live quarter with `rules` (and with the stored rules, to tell rule effects
    from figures that changed since the version was computed). Nothing is written."""
    require_office(user)
    inputs, _, result = evaluate(evaluation, rules=rules)
    stored_rules = scoring_rules_for(evaluation.year).as_engine_rules()
    baseline = engine.evaluate_quarter(
        inputs.units, quarter_end=inputs.quarter_end, rules=stored_rules
    ).by_unit()
    before = {
        s.unit_id: s
        for s in unit_scores_visible_to(user).filter(version=evaluation.current_version_id)
    }
    units = units_visible_to(user).in_bulk([r.unit_id for r in result.units])
    groups = ranking_groups_visible_to(user).in_bulk([r.group_id for r in result.units])
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
    return Preview(by_group, sum(m.rank_moved for m in moves), sum(m.tier_moved for m in moves))


@transaction.atomic
def apply_rules(
    *, year: AssessmentYear, rules: Mapping[str, object], user, reason: str = APPLY_REASON
) -> ScoringRules:
    """Store the year's rules (any of RULE_FIELDS; the others keep their value). Versions
    already computed keep the rules they froze; the history records who, when and why."""
    require_office(user)
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"not scoring rule fields: {sorted(unknown)}")
    stored = ScoringRules.objects.select_for_update().filter(year=year).first()
    stored = stored or ScoringRules(year=year)
    for name, value in rules.items():
        setattr(stored, name, value)
    try:
        stored.full_clean()  # clean() checks the whole set with engine.Rules.validate()
    except ValidationError as error:
        raise ScoringError(error.messages) from None
    stored._history_user = user
    stored._change_reason = reason[:100]  # simple-history's history_change_reason column
    stored.save()
    return stored
