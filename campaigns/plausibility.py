"""Whether a typed figure is plausible: far outside what the unit could mean asks for a note.

The one rule (docs/decisions.md, "Plausibility of a figure"): a reported figure is implausible
when the unit's annual target for the indicator is positive and the figure is more than
three times that target. Examples, worked by hand:

- target 4 (件), figure 99 999 999 999 → 99 999 999 999 > 3 × 4 = 12: implausible;
- target 12 (亿元), figure 36 → 36 > 36 is false: plausible (exactly three times is allowed);
- target 12, figure 36.01 → 36.01 > 36: implausible;
- target 0 or none, or a milestone (no figure): never implausible — there is no scale to judge.

Three times the annual target is beyond what any county unit reaches by over-fulfilling a
plan (the demo's best performers finish near 1.3×), while a slipped decimal point or a unit
mix-up (万元 typed as 元) overshoots it by orders of magnitude. The rule does not block: the
entry is saved with `plausibility_flagged` set once the unit has confirmed it with a
`plausibility_note`, which the reviewer reads beside the figure.
"""

from decimal import Decimal

FACTOR = Decimal(3)


def _shown(number: Decimal) -> str:
    return f"{number.normalize():f}"


def exceeds(value: Decimal | None, annual_target: Decimal | None) -> bool:
    """The rule itself, on plain numbers."""
    if value is None or annual_target is None or annual_target <= 0:
        return False
    return value > FACTOR * annual_target


def warning_for(indicator, annual_target: Decimal | None, value: Decimal | None) -> str | None:
    """The Chinese warning for `value` typed against `indicator` with `annual_target`, or None."""
    if indicator.is_milestone or not exceeds(value, annual_target):
        return None
    return (
        f"填报值 {_shown(value)}{indicator.measure} 超过年度目标"
        f"（{_shown(annual_target)}{indicator.measure}）的 {FACTOR} 倍，请核对"
    )
