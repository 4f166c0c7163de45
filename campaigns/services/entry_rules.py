"""The rules one typed entry must meet, and what a reporter types for it: shared by the week
page, the workbook upload and the demo's checks."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..models import Indicator, LedgerEntry, Period
from ..plausibility import warning_for


@dataclass
class EntryInput:
    """What a reporter types for one indicator, from the form or from an Excel row."""

    value: Decimal | None = None
    done_on: date | None = None
    decrease_reason: str = ""
    progress: str = ""
    problem_category: str = ""
    problems: str = ""
    next_steps: str = ""
    where: str = ""  # how to name the place of an error: "第3行" in a workbook, the indicator name
    # None: not given (a workbook has no column for it), so the stored note is kept.
    plausibility_note: str | None = None


@dataclass(frozen=True)
class EntryProblem:
    """One rule an entry breaks, on one of its fields ("" for the entry as a whole)."""

    indicator_id: int
    field: str
    message: str  # for beside the field: without the indicator's name
    text: str  # for a list: where, the indicator's name and the message


def entry_problems(
    indicator: Indicator,
    data: EntryInput,
    *,
    previous: Decimal | None,
    period: Period,
    annual_target: Decimal | None = None,
    note_required: bool = False,
) -> list[EntryProblem]:
    """The rules one entry must meet, each broken one on its field (empty: acceptable).

    With `note_required`, a figure campaigns.plausibility finds implausible against
    `annual_target` needs `data.plausibility_note`.
    """
    found: list[tuple[str, str]] = []
    if indicator.is_milestone:
        if data.value is not None:
            found.append(("value", "是节点类指标，只填完成日期，不填数值"))
        if data.done_on and data.done_on > period.ends_on:
            found.append(("done_on", f"完成日期不能晚于本帐期最后一天（{period.ends_on}）"))
        # Any day of the year up to this period's end: a milestone done on 30 June may be
        # reported in the week of 29 June–5 July or later; its date decides (DESIGN §4.3).
        first_day = period.starts_on - timedelta(weeks=period.iso_week - 1)
        if data.done_on and data.done_on < first_day:
            found.append(("done_on", f"完成日期不在考核年度内（早于{first_day}）"))
    else:
        if data.done_on is not None:
            found.append(("done_on", "不是节点类指标，不填完成日期"))
        if data.value is not None and data.value < 0:
            found.append(("value", f"不能为负数（填写的是{data.value}）"))
        if (
            data.value is not None
            and indicator.cumulative
            and previous is not None
            and data.value < previous
            and not data.decrease_reason.strip()
        ):
            found.append(
                (
                    "decrease_reason",
                    f"累计数比上周（{previous.normalize():f}）减少，须填写下降原因",
                )
            )
        warning = warning_for(indicator, annual_target, data.value)
        if note_required and warning and not (data.plausibility_note or "").strip():
            found.append(("plausibility_note", f"{warning}；如确属实，请确认并填写异常说明"))
    if data.problem_category and data.problem_category not in LedgerEntry.ProblemCategory.values:
        found.append(("problem_category", "问题类别只能是 土地、资金、手续、其他"))
    return [
        EntryProblem(
            indicator_id=indicator.pk,
            field=field,
            message=message,
            text=f"{data.where}「{indicator.name}」{message}",
        )
        for field, message in found
    ]


def check_entry(
    indicator: Indicator, data: EntryInput, *, previous: Decimal | None, period: Period
) -> list[str]:
    """The rules one entry must meet; returns Chinese messages (empty: acceptable)."""
    return [p.text for p in entry_problems(indicator, data, previous=previous, period=period)]
