"""The 「目标任务」 matrix and its 「时间节点」 imported: targets created or updated."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from accounts.models import Unit

from ...errors import LedgerError
from ...excel import CellError, Collector, cell_at, cell_date, cell_text
from ...history import recorded_as
from ...models import AssessmentYear, Indicator, Milestone, Target
from ..years import (
    ANNUAL_VALUE,
    FRACTION,
    check_annual_value,
    check_milestones,
    default_milestones,
    set_target,
)
from .sheets import (
    MILESTONE_HEADERS,
    MILESTONE_SHEET,
    NO,
    TARGET_SHEET,
    YES,
    ImportResult,
    NotANumber,
    OutOfRange,
    active_units,
    header_columns,
    open_upload,
    read_number,
    read_rows,
    sheet_named,
    year_indicators,
)


@dataclass
class _TargetCell:
    unit: Unit
    indicator: Indicator
    value: Decimal | None


@transaction.atomic
def import_targets(*, year: AssessmentYear, file, user) -> ImportResult:
    """Create or update targets and their milestones from the template; all or nothing."""
    with open_upload(file) as workbook:
        cells, custom = _read_targets(year, workbook)

    existing = {
        (t.unit_id, t.indicator_id): t
        for t in Target.objects.filter(indicator__campaign__year=year).prefetch_related(
            "milestones"
        )
    }
    result = ImportResult()
    wanted = {(c.unit.pk, c.indicator.pk): c for c in cells}
    # A target named only in 「时间节点」 keeps its value and gets the listed milestones.
    for key in custom:
        if key not in wanted:
            target = existing[key]
            wanted[key] = _TargetCell(target.unit, target.indicator, target.annual_value)
    errors = []
    new = [(cell, custom.get(key)) for key, cell in wanted.items() if key not in existing]
    result.created = _create_targets(year, new, user)
    with recorded_as(user):
        for key, cell in wanted.items():
            target = existing.get(key)
            if target is None:
                continue  # created above
            milestones = custom.get(key)
            own = [(m.due_date, m.fraction) for m in target.milestones.all()]
            same_milestones = milestones is None or sorted(milestones) == own
            if target.annual_value == cell.value and same_milestones and own:
                result.unchanged += 1
                continue
            try:
                set_target(
                    indicator=cell.indicator,
                    unit=cell.unit,
                    annual_value=cell.value,
                    milestones=milestones,
                    note=target.note,
                )
            except LedgerError as error:  # checked already; kept as a safety net
                errors.extend(error.messages)
                continue
            result.updated += 1
    if errors:
        raise LedgerError(errors)
    return result


def _create_targets(year: AssessmentYear, new: list, user) -> int:
    """Bulk-create the new targets and their milestones, with their history rows.

    A first import creates thousands of targets; one `set_target` each would take a minute.
    Every value was checked while reading the file, so only field-level cleaning remains.
    """
    targets, plans = [], []
    for cell, milestones in new:
        target = Target(indicator=cell.indicator, unit=cell.unit, annual_value=cell.value)
        target.clean_fields(exclude=["indicator", "unit"])
        targets.append(target)
        plans.append(milestones or default_milestones(year=year.year))
    if not targets:
        return 0
    created = bulk_create_with_history(targets, Target, default_user=user)
    if any(t.pk is None for t in created):  # backends that return no ids from bulk inserts
        ids = {
            (t.unit_id, t.indicator_id): t.pk
            for t in Target.objects.filter(indicator__campaign__year=year)
        }
        for target in created:
            target.pk = ids[(target.unit_id, target.indicator_id)]
    milestones = []
    for target, plan in zip(created, plans, strict=True):
        for due, fraction in plan:
            milestone = Milestone(target=target, due_date=due, fraction=fraction)
            milestone.clean_fields(exclude=["target"])
            milestones.append(milestone)
    bulk_create_with_history(milestones, Milestone, default_user=user)
    return len(created)


def _read_targets(year: AssessmentYear, workbook):
    sheet_name = TARGET_SHEET
    sheet = sheet_named(workbook, sheet_name, "目标模板")
    header = list(sheet.iter_rows(min_row=1, max_row=3, values_only=True))
    while len(header) < 3:
        header.append(())
    if cell_text(cell_at(header[0], 0)) != "会战" or cell_text(cell_at(header[1], 0)) != "单位":
        raise LedgerError(
            f"工作表「{sheet_name}」的表头不对：A1 应为「会战」，A2 应为「单位」。"
            "请使用本页下载的「目标模板」，不要改动前三行。"
        )
    indicators = year_indicators(year)
    by_key = {(i.campaign.name, i.name): i for i in indicators}
    campaigns = {i.campaign.name for i in indicators} | set(
        year.campaigns.values_list("name", flat=True)
    )
    units = active_units()
    errors = Collector()

    # Columns: the campaign of a merged header cell is read only in its first column.
    columns: dict[int, Indicator] = {}
    seen_columns: dict[int, str] = {}
    campaign_name = ""
    width = max(len(header[0]), len(header[1]))
    for position in range(2, width):
        letter = get_column_letter(position + 1)
        campaign_name = cell_text(cell_at(header[0], position)) or campaign_name
        name = cell_text(cell_at(header[1], position))
        if not name:
            continue
        where = f"{letter}列"
        indicator = by_key.get((campaign_name, name))
        if indicator is None:
            if campaign_name not in campaigns:
                errors.add(sheet_name, 1, where, f"没有名为“{campaign_name}”的会战（指标“{name}”）")
            else:
                errors.add(sheet_name, 2, where, f"会战“{campaign_name}”下没有指标“{name}”")
            continue
        if indicator.pk in seen_columns:
            errors.add(sheet_name, 2, where, f"指标“{name}”与{seen_columns[indicator.pk]}重复")
            continue
        seen_columns[indicator.pk] = where
        columns[position] = indicator

    existing = set(
        Target.objects.filter(indicator__campaign__year=year).values_list("unit_id", "indicator_id")
    )
    cells: list[_TargetCell] = []
    carried: set[tuple[int, int]] = set()
    seen_units: dict[int, int] = {}
    width = max(columns, default=0) + 1  # column A (单位) and the indicators' columns
    for number, values in read_rows(sheet, min_row=4, sheet_name=sheet_name, width=width):
        unit_name = cell_text(cell_at(values, 0))
        unit = units.get(unit_name)
        if unit is None:
            if unit_name:
                errors.bad(sheet_name, number, "单位", "应为在用单位的全称", unit_name)
            else:
                errors.add(sheet_name, number, "单位", "不能为空")
            continue
        if unit.pk in seen_units:
            errors.add(sheet_name, number, "单位", f"与第{seen_units[unit.pk]}行重复")
            continue
        seen_units[unit.pk] = number
        for position, indicator in columns.items():
            raw = cell_at(values, position)
            text = cell_text(raw)
            column = indicator.name
            key = (unit.pk, indicator.pk)
            if text == "" or (indicator.is_milestone and text == NO):
                if key in existing:
                    errors.add(
                        sheet_name,
                        number,
                        column,
                        "该单位已有此项目标任务，导入不删除目标任务：请填回目标值，"
                        "或在后台删除该目标任务",
                    )
                continue
            if indicator.is_milestone:
                if text != YES:
                    errors.bad(
                        sheet_name, number, column, f"节点类指标承担填“{YES}”，不承担留空", raw
                    )
                    continue
                value = None
            else:
                expected = (
                    "应为不小于0的数字"
                    if indicator.direction == Indicator.Direction.LOWER_BETTER
                    else "应为大于0的数字"
                )
                try:
                    value = read_number(raw, ANNUAL_VALUE)
                except NotANumber as problem:
                    errors.bad(sheet_name, number, column, expected + problem.hint, raw)
                    continue
                except CellError as problem:
                    errors.bad(sheet_name, number, column, str(problem), raw)
                    continue
                problem = check_annual_value(indicator, value)
                if problem:
                    too_small = value < 0 or (
                        value == 0 and indicator.direction == Indicator.Direction.HIGHER_BETTER
                    )
                    message = expected if too_small else problem.rstrip("。")
                    errors.bad(sheet_name, number, column, message, raw)
                    continue
            cells.append(_TargetCell(unit, indicator, value))
            carried.add(key)

    custom = _read_milestones(year, workbook, units, indicators, carried | existing, errors)
    errors.raise_if_any()
    return cells, custom


def _read_milestones(year, workbook, units, indicators, targets, errors: Collector):
    """{(unit id, indicator id): [(date, fraction), ...]} from the optional 「时间节点」 sheet."""
    sheet_name = MILESTONE_SHEET
    if sheet_name not in workbook.sheetnames:
        return {}
    sheet = workbook[sheet_name]
    rows = sheet.iter_rows(min_row=1, max_row=1, values_only=True)
    columns = header_columns(next(rows, None), MILESTONE_HEADERS, sheet_name, "目标模板")
    by_name = defaultdict(list)
    for indicator in indicators:
        by_name[indicator.name].append(indicator)

    groups: dict[tuple[int, int], list] = defaultdict(list)
    first_row: dict[tuple[int, int], int] = {}
    labels: dict[tuple[int, int], str] = {}
    width = max(columns.values()) + 1
    for number, values in read_rows(sheet, min_row=2, sheet_name=sheet_name, width=width):

        def raw(column, values=values):
            return cell_at(values, columns[column])

        ok = True
        unit = units.get(cell_text(raw("单位")))
        if unit is None:
            errors.bad(sheet_name, number, "单位", "应为在用单位的全称", raw("单位"))
            ok = False
        matches = by_name.get(cell_text(raw("指标")), [])
        if len(matches) != 1:
            expected = "应为本年度的指标名称" if not matches else "该指标名称在多个会战中重复"
            errors.bad(sheet_name, number, "指标", expected, raw("指标"))
            ok = False
        try:
            due = cell_date(raw("日期"))
            if due is None:
                raise CellError("应为日期（如 2026-07-31）")
            if due.year != year.year:
                raise CellError(f"应在{year.year}年内")
        except CellError as problem:
            errors.bad(sheet_name, number, "日期", str(problem), raw("日期"))
            ok = False
        try:
            fraction = read_number(raw("比例"), FRACTION, percent_ok=True)
            if fraction is None or not 0 <= fraction <= 1:
                raise NotANumber()
        except (NotANumber, OutOfRange) as problem:
            expected = "应为0到1之间的数字（如 0.8 或 80%）" + getattr(problem, "hint", "")
            errors.bad(sheet_name, number, "比例", expected, raw("比例"))
            ok = False
        except CellError as problem:
            errors.bad(sheet_name, number, "比例", str(problem), raw("比例"))
            ok = False
        if not ok:
            continue
        key = (unit.pk, matches[0].pk)
        if key not in targets:
            errors.add(
                sheet_name,
                number,
                "指标",
                f"{unit.name}不承担“{matches[0].name}”（「{TARGET_SHEET}」中该单元格为空）",
            )
            continue
        if any(d == due for d, _ in groups[key]):
            errors.add(sheet_name, number, "日期", f"{due:%Y-%m-%d}重复")
            continue
        groups[key].append((due, fraction))
        first_row.setdefault(key, number)
        labels[key] = f"{unit.name} · {matches[0].name}"

    for key, milestones in groups.items():
        for problem in check_milestones(year.year, milestones):
            errors.add(sheet_name, first_row[key], None, f"{labels[key]}：{problem.rstrip('。')}")
    return {key: sorted(items) for key, items in groups.items()}
