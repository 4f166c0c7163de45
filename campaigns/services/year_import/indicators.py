"""Importing the 「指标」 sheet: create or update the year's indicators, all or nothing."""

from collections import defaultdict

from django.db import transaction

from ...excel import CellError, Collector, cell_at, cell_text
from ...history import recorded_as
from ...models import AssessmentYear, Indicator, Target
from .sheets import (
    DIRECTIONS,
    INDICATOR_HEADERS,
    INDICATOR_SHEET,
    MEASURES,
    METHODS,
    NO,
    POINTS,
    YES,
    ImportResult,
    NotANumber,
    active_units,
    header_columns,
    open_upload,
    read_number,
    read_rows,
    sheet_named,
    year_indicators,
)


@transaction.atomic
def import_indicators(*, year: AssessmentYear, file, user) -> ImportResult:
    """Create or update the year's indicators from the 「指标」 sheet; all or nothing."""
    with open_upload(file) as workbook:
        specs = _read_indicators(year, workbook)

    result = ImportResult()
    existing = {(i.campaign_id, i.name): i for i in year_indicators(year)}
    next_order = defaultdict(int)
    for indicator in existing.values():
        next_order[indicator.campaign_id] = max(
            next_order[indicator.campaign_id], indicator.sort_order
        )
    with recorded_as(user):
        for spec in specs:
            campaign = spec.pop("campaign")
            indicator = existing.get((campaign.pk, spec["name"]))
            if indicator is None:
                next_order[campaign.pk] += 10
                indicator = Indicator(campaign=campaign, sort_order=next_order[campaign.pk])
                result.created += 1
            elif all(getattr(indicator, k) == v for k, v in spec.items()):
                result.unchanged += 1
                continue
            else:
                result.updated += 1
            for name, value in spec.items():
                setattr(indicator, name, value)
            indicator.full_clean()
            indicator.save()
    return result


def _read_indicators(year: AssessmentYear, workbook) -> list[dict]:
    sheet_name = INDICATOR_SHEET
    sheet = sheet_named(workbook, sheet_name, "指标模板")
    rows = sheet.iter_rows(min_row=1, max_row=1, values_only=True)
    columns = header_columns(next(rows, None), INDICATOR_HEADERS, sheet_name, "指标模板")
    campaigns = {c.name: c for c in year.campaigns.all()}
    units = active_units()
    existing = {(i.campaign_id, i.name): i for i in year_indicators(year)}
    with_targets = set(
        Target.objects.filter(indicator__campaign__year=year).values_list("indicator_id", flat=True)
    )
    errors = Collector()
    specs, seen = [], {}

    width = max(columns.values()) + 1
    for number, values in read_rows(sheet, min_row=2, sheet_name=sheet_name, width=width):

        def raw(column, values=values):
            return cell_at(values, columns[column])

        def bad(column, expected, number=number, raw=raw):
            errors.bad(sheet_name, number, column, expected, raw(column))

        spec = {}
        campaign_name = cell_text(raw("会战"))
        campaign = campaigns.get(campaign_name)
        if campaign is None:
            known = "、".join(campaigns) or "（本年度尚无会战）"
            if campaign_name:
                bad("会战", f"应为本年度的会战（{known}）")
            else:
                errors.add(sheet_name, number, "会战", "不能为空")
        name = cell_text(raw("指标名称"))
        if not name:
            errors.add(sheet_name, number, "指标名称", "不能为空")
        elif len(name) > 100:
            errors.add(sheet_name, number, "指标名称", f"最多100字，实际{len(name)}字")
        elif campaign is not None:
            key = (campaign.pk, name)
            if key in seen:
                errors.add(
                    sheet_name,
                    number,
                    "指标名称",
                    f"与第{seen[key]}行重复（同一会战下指标名称不能重复）",
                )
            seen.setdefault(key, number)
        spec["name"] = name

        measure = cell_text(raw("计量单位")).replace("％", "%")
        if measure not in MEASURES:
            bad("计量单位", f"应为{'、'.join(MEASURES)}之一")
        spec["measure"] = measure

        direction = DIRECTIONS.get(cell_text(raw("方向")))
        if direction is None:
            bad("方向", f"应为{'、'.join(DIRECTIONS)}之一")
        spec["direction"] = direction

        try:
            points = read_number(raw("分值"), POINTS)
            if points is None or points < 0:
                raise NotANumber()
            spec["points"] = points
        except NotANumber as problem:
            bad("分值", "应为不小于0的数字" + problem.hint)
        except CellError as problem:
            bad("分值", str(problem))

        method_text = cell_text(raw("计分方法")) or str(Indicator.Method.COMPLETION.label)
        method = METHODS.get(method_text)
        if method is None:
            bad("计分方法", f"应为{'、'.join(METHODS)}之一")
        spec["method"] = method

        lead_name = cell_text(raw("牵头部门"))
        lead = units.get(lead_name)
        if lead is None:
            if lead_name:
                bad("牵头部门", "应为在用单位的全称")
            else:
                errors.add(sheet_name, number, "牵头部门", "不能为空")
        spec["lead_unit"] = lead

        cumulative = cell_text(raw("累计值")) or YES
        if cumulative not in (YES, NO):
            bad("累计值", f"应为“{YES}”或“{NO}”")
        spec["cumulative"] = cumulative == YES

        description = cell_text(raw("口径说明"))
        if len(description) > 300:
            errors.add(sheet_name, number, "口径说明", f"最多300字，实际{len(description)}字")
        spec["description"] = description

        current = existing.get((campaign.pk, name)) if campaign else None
        if (
            current is not None
            and direction is not None
            and current.pk in with_targets
            and (direction == Indicator.Direction.MILESTONE) != current.is_milestone
        ):
            errors.add(
                sheet_name,
                number,
                "方向",
                f"该指标已有目标任务，不能由“{current.get_direction_display()}”改为"
                f"“{cell_text(raw('方向'))}”（节点类与数值类目标不能互换）",
            )
        spec["campaign"] = campaign
        specs.append(spec)

    errors.raise_if_any()
    return specs
