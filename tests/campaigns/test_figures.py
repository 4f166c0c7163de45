"""The one figure parser, and hostile figures pushed through every input path that takes one.

Each path — the reporter's form, the Excel ledger upload, the reviewer's correction, a target
and a milestone in the admin, the year set-up import, an adjustment, a file entry and an
appeal — must refuse every figure of HOSTILE with a Chinese message and change nothing.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from campaigns.errors import LedgerError
from campaigns.figures import FigureError, FigureField, parse_figure
from campaigns.models import Indicator, LedgerEntry, Milestone, Target
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.ledger_workbook import import_ledger_workbook, ledger_workbook
from campaigns.services.year_import import import_targets, target_template
from campaigns.services.years import set_target
from scoring.errors import ScoringError
from scoring.models import Adjustment, FileEntry
from scoring.services.adjustments import enter_adjustment
from tests.campaigns.builders import build_small_year
from tests.campaigns.test_ledger_workbook import fill
from tests.campaigns.test_year_import import edit

D = Decimal
VALUE = LedgerEntry._meta.get_field("value")  # max_digits 18, decimal_places 4
POINTS = Adjustment._meta.get_field("points")  # max_digits 6, decimal_places 2
NOW = datetime(2026, 6, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # ISO week 24 of 2026
WEEK = 24

# Refused by every figure field of the project (none holds 15 whole digits or 5 decimals).
HOSTILE = [
    "1e20",
    "1e400",
    "-1e400",
    "1E5",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "sNaN",
    "110101199003077777",  # an ID card number pasted by mistake
    "123456789012345678901234567890",
    "100000000000000",  # 15 digits
    "1.12345",  # five decimals
    "1,2,3",
    "1,23",
    "12,34",
    "１２,３４",
    "1_000",  # Decimal() would read 1000
    "0x1F",
    "١٢٣",  # Arabic-Indic digits: Decimal() would read 123
    "1.2.3",
    "abc",
]
REFUSAL = re.compile("应为数字|科学计数法|数值过大|位小数|千位分隔符|应为不小于0的数字|应为大于0")


# --- the parser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1200", D("1200")),
        ("1,200.5", D("1200.5")),
        ("12,345,678", D("12345678")),
        ("-3.5", D("-3.5")),
        (".5", D("0.5")),
        ("  42  ", D("42")),
        ("１２３．５", D("123.5")),
        ("１２，３４５", D("12345")),
        ("－３", D("-3")),
        ("99999999999999.9999", D("99999999999999.9999")),  # the largest the field holds
        ("1.50000", D("1.5")),  # trailing zeros are no decimals
        (12, D("12")),
        (0.1, D("0.1")),
        (D("2.5"), D("2.5")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parser_accepts(raw, expected):
    assert parse_figure(raw, VALUE) == expected


@pytest.mark.parametrize("raw", HOSTILE)
def test_parser_refuses_in_chinese(raw):
    with pytest.raises(FigureError) as refused:
        parse_figure(raw, VALUE)
    assert REFUSAL.search(str(refused.value)), str(refused.value)


def test_parser_never_turns_misplaced_separators_into_a_number():
    for raw in ("1,2,3", "1,23", "12,34", "1234,567", ",123"):
        with pytest.raises(FigureError):
            parse_figure(raw, VALUE)


def test_messages_name_the_field_limits():
    with pytest.raises(FigureError, match="数值过大：整数部分最多 14 位"):
        parse_figure("100000000000000", VALUE)
    with pytest.raises(FigureError, match="最多 4 位小数"):
        parse_figure("0.00001", VALUE)
    with pytest.raises(FigureError, match="数值过大：整数部分最多 4 位"):
        parse_figure("10000", POINTS)
    with pytest.raises(FigureError, match="最多 2 位小数"):
        parse_figure("1.234", POINTS)
    with pytest.raises(FigureError, match="科学计数法"):
        parse_figure("1e20", VALUE)


@pytest.mark.parametrize(
    "cell", [1e20, 1e15, float("inf"), float("-inf"), float("nan"), 10**15, 0.123456, True]
)
def test_cell_numbers_pass_the_same_checks(cell):
    with pytest.raises(FigureError):
        parse_figure(cell, VALUE)


def test_form_field_reads_the_limits_from_the_model_field():
    field = FigureField(field=POINTS)
    assert (field.max_digits, field.decimal_places) == (6, 2)
    assert field.clean("1,234.5") == D("1234.5")
    for raw in ("12345", "1.234", "1e3"):
        with pytest.raises(Exception, match=r"数值过大|位小数|科学计数法"):
            field.clean(raw)


def test_there_is_one_parser():
    """The old ledger parser is gone; nothing else builds a Decimal from text by itself."""
    import campaigns.services.ledger as ledger

    assert not hasattr(ledger, "parse_figure")


# --- every input path ------------------------------------------------------------------------


@pytest.fixture
def small(db):
    with time_machine.travel(NOW, tick=False):
        small = build_small_year()
        yield small


def entry_values():
    return sorted(
        (e.pk, e.value, e.verified_value, e.review_status) for e in LedgerEntry.objects.all()
    )


def test_reporter_form_refuses(client, small):
    client.force_login(small.reporter)
    url = reverse("ledger-week", args=[small.period(WEEK).pk])
    for raw in HOSTILE:
        refused_by_the_form(client, url, small, raw)
    assert not LedgerEntry.objects.filter(value__isnull=False).exists()


def refused_by_the_form(client, url, small, raw):
    response = client.post(
        url,
        {"action": "save", f"e{small.investment.pk}-value": raw, f"e{small.cases.pk}-value": "4"},
    )
    assert response.status_code == 400, raw
    assert REFUSAL.search(response.content.decode()), raw


def test_workbook_upload_refuses(small):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(WEEK))
    blank = ledger_workbook(ledger=ledger, now=small.during(WEEK))
    before = entry_values()
    for raw in [*HOSTILE, 1e20, 10**15, 1.123456]:
        refused_by_the_upload(small, ledger, fill(blank, {small.investment.pk: {"本周累计": raw}}))
        assert entry_values() == before, raw


def refused_by_the_upload(small, ledger, content):
    with pytest.raises(LedgerError) as refused:
        import_ledger_workbook(
            ledger=ledger,
            file=SimpleUploadedFile("周帐.xlsx", content),
            user=small.reporter,
            now=small.during(WEEK),
        )
    message = "；".join(refused.value.messages)
    assert "「本周累计」" in message and REFUSAL.search(message), message


def test_workbook_upload_through_the_page_refuses(client, small):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(WEEK))
    content = fill(
        ledger_workbook(ledger=ledger, now=small.during(WEEK)),
        {small.investment.pk: {"本周累计": 1e20}},
    )
    client.force_login(small.reporter)
    response = client.post(
        reverse("ledger-xlsx-upload", args=[small.period(WEEK).pk]),
        {"file": SimpleUploadedFile("周帐.xlsx", content)},
        follow=True,
    )
    assert response.status_code in (200, 400)
    assert "数值过大：整数部分最多 14 位" in response.content.decode()
    assert not LedgerEntry.objects.filter(value__isnull=False).exists()


@pytest.fixture
def handed_in(small):
    ledger = open_ledger(unit=small.reporter.unit, period=small.period(WEEK))
    moment = small.during(WEEK)
    save_entries(
        ledger=ledger,
        user=small.reporter,
        now=moment,
        changes={
            small.investment.pk: EntryInput(value=D("3")),
            small.cases.pk: EntryInput(value=D("4")),
            small.flood.pk: EntryInput(),
        },
    )
    submit_ledger(ledger=ledger, user=small.reporter, now=moment)
    return ledger.entries.get(indicator=small.investment)


def test_reviewer_correction_refuses(client, small, handed_in):
    client.force_login(small.reviewer)
    before = entry_values()
    for raw in HOSTILE:
        response = client.post(
            reverse("review-correct", args=[handed_in.pk]),
            {"verified_value": raw, "comment": "核减"},
        )
        said = " ".join(str(m) for m in get_messages(response.wsgi_request))
        assert response.status_code == 302 and REFUSAL.search(said), (raw, said)
    assert entry_values() == before


def target_form(small, unit, *, annual_value="12", fraction="1"):
    return {
        "indicator": small.investment.pk, "unit": unit.pk, "annual_value": annual_value,
        "note": "", "milestones-TOTAL_FORMS": "1", "milestones-INITIAL_FORMS": "0",
        "milestones-0-due_date": "2026-12-31", "milestones-0-fraction": fraction,
    }  # fmt: skip


def test_target_and_milestone_in_the_admin_refuse(client, small):
    client.force_login(small.office)
    unit = small.county.units[3]  # carries no target yet
    url = reverse("admin:campaigns_target_add")
    for raw in HOSTILE:
        for data in (
            target_form(small, unit, annual_value=raw),
            target_form(small, unit, fraction=raw),
        ):
            response = client.post(url, data)
            assert response.status_code == 200, raw
            assert REFUSAL.search(response.content.decode()), raw
    assert not Target.objects.filter(unit=unit).exists()
    assert not Milestone.objects.filter(target__unit=unit).exists()
    assert client.post(url, target_form(small, unit, annual_value="1,200.5")).status_code == 302
    assert Target.objects.get(unit=unit).annual_value == D("1200.5")


def test_year_import_refuses(small):
    """The target template's first unit row is row 4; its first indicator column is C."""
    blank = target_template(small.year)
    before = sorted(Target.objects.values_list("pk", "annual_value"))
    for raw in [*HOSTILE, 1e20, 10**15]:
        content = edit(blank, "目标任务", {"C4": raw})
        with pytest.raises(LedgerError) as refused:
            import_targets(year=small.year, file=content, user=small.office)
        message = "；".join(refused.value.messages)
        assert REFUSAL.search(message), (raw, message)
    assert sorted(Target.objects.values_list("pk", "annual_value")) == before


def test_set_target_refuses(small):
    unit = small.county.units[3]
    for raw in [*HOSTILE, 1e20]:
        with pytest.raises(LedgerError) as refused:
            set_target(indicator=small.investment, unit=unit, annual_value=raw)
        assert REFUSAL.search("；".join(refused.value.messages)), raw
        with pytest.raises(LedgerError):
            set_target(
                indicator=small.investment,
                unit=unit,
                annual_value="12",
                milestones=[(date(2026, 12, 31), raw)],
            )
    assert not Target.objects.filter(unit=unit).exists()


def test_adjustment_in_the_admin_and_its_service_refuse(client, small):
    client.force_login(small.office)
    for raw in HOSTILE:
        response = client.post(
            reverse("admin:scoring_adjustment_add"),
            {
                "unit": small.county.units[0].pk,
                "year": small.year.pk,
                "quarter": 2,
                "kind": "honour",
                "points": raw,
                "reason": "获省级表彰",
                "_save": "保存",
            },
        )
        assert response.status_code == 200, raw
        assert REFUSAL.search(response.content.decode()), raw
    for raw in [*HOSTILE, 1e20, float("nan")]:
        with pytest.raises(ScoringError) as refused:
            enter_adjustment(
                unit=small.county.units[0],
                year=small.year,
                quarter=2,
                kind="honour",
                points=raw,
                reason="获省级表彰",
                user=small.office,
            )
        assert REFUSAL.search("；".join(refused.value.messages)), raw
    assert not Adjustment.objects.exists()


def test_file_entry_form_refuses(client, small):
    client.force_login(small.office)
    for raw in HOSTILE:
        response = client.post(
            reverse("file-add"),
            {
                "unit": small.county.units[0].pk,
                "recorded_on": "2026-06-01",
                "merit": "1",
                "kind": "上级表彰",
                "description": "获省级表彰",
                "points": raw,
            },
        )
        assert response.status_code in (200, 400), raw
        assert REFUSAL.search(response.content.decode()), raw
    assert not FileEntry.objects.exists()


def test_indicator_points_in_the_admin_use_the_parser(client, small):
    client.force_login(small.office)
    page = client.get(reverse("admin:campaigns_indicator_change", args=[small.investment.pk]))
    field = page.context["adminform"].form.fields["points"]
    assert isinstance(field, FigureField) and (field.max_digits, field.decimal_places) == (6, 2)
    assert Indicator.objects.get(pk=small.investment.pk).points == D("10")


def _editable(model_admin) -> bool:
    user = SimpleNamespace(
        has_perm=lambda *a: True,
        has_perms=lambda *a: True,
        is_active=True,
        is_superuser=True,
        is_staff=True,
        pk=0,
        roles=set(),
        has_role=lambda *a: True,
    )
    request = SimpleNamespace(user=user)
    add = model_admin.has_add_permission
    try:
        adds = add(request, None) if isinstance(model_admin, InlineModelAdmin) else add(request)
        return adds or model_admin.has_change_permission(request)
    except Exception:  # an override asking more of the user: count it as editable
        return True


def test_every_editable_admin_types_its_decimals_through_the_parser():
    """The class check: a DecimalField added to any admin later is held to the same parser."""
    missing, checked = [], set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("accounts", "campaigns", "scoring"):
            continue
        admins = [model_admin] + [
            inline(model, admin.site) for inline in getattr(model_admin, "inlines", [])
        ]
        for each in admins:
            if not _editable(each):
                continue
            for field in each.model._meta.fields:
                if isinstance(field, models.DecimalField):
                    checked.add(f"{type(each).__name__}.{field.name}")
                    form_field = each.formfield_for_dbfield(field, request=None)
                    if not isinstance(form_field, FigureField):
                        missing.append(f"{type(each).__name__}.{field.name}")
    assert not missing
    assert checked >= {
        "TargetAdmin.annual_value", "MilestoneInline.fraction", "IndicatorAdmin.points",
        "AdjustmentAdmin.points", "FileEntryAdmin.points", "ScoringRulesAdmin.rate_cap",
    }  # fmt: skip


def test_appeal_forms_use_the_parser():
    from scoring.views.appeals import DecisionForm

    form = DecisionForm({"outcome": "uphold", "decision": "核实", "corrected_value": "1e20"})
    assert not form.is_valid() and "科学计数法" in str(form.errors["corrected_value"])
    form = DecisionForm({"outcome": "uphold", "decision": "核实", "corrected_value": "1,2,3"})
    assert not form.is_valid() and "千位分隔符" in str(form.errors["corrected_value"])
