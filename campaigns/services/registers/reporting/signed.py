"""A unit's signings (招商签约) entered in its weekly ledger, and their stage kept up to date."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ....errors import LedgerError
from ....history import saved_with_history
from ....models import SignedProject, WeeklyLedger
from ....register_models import ReviewStatus
from ....versions import check_version
from .common import (
    SIGNING_STEPS,
    Collector,
    check_member,
    chinese_date,
    locked_ledger,
    rederive,
    report_editable,
    year_first_day,
)

Stage = SignedProject.Stage
InvestorClass = SignedProject.InvestorClass
# A change to one of these is a new figure for the reviewer: it is verified again.
SUBSTANCE = ("name", "investor", "investor_class", "amount", "signed_on")
MEMBER_ONLY = "只能填报本单位的招商签约项目。"


def _read(data: dict, ledger: WeeklyLedger, *, unit_id: int, exclude_pk=None) -> dict:
    read = Collector(data)
    values = {
        "name": read.text("name", limit=100, label="项目名称"),
        "investor": read.text("investor", limit=100, label="投资方"),
        "investor_class": read.text("investor_class") or InvestorClass.OTHER,
        "amount": read.figure(
            "amount", SignedProject._meta.get_field("amount"), "协议投资额（万元）"
        ),
        "signed_on": read.day("signed_on", "签约日期"),
        "stage": read.text("stage") or Stage.SIGNED,
        "stage_reason": read.text("stage_reason", limit=300, label="阶段变更说明"),
    }
    if not values["name"]:
        read.add("请填写项目名称")
    if not values["investor"]:
        read.add("请填写投资方")
    if values["investor_class"] not in InvestorClass.values:
        read.add("投资方类别只能是 央企、世界500强、国内500强、其他")
    if values["stage"] not in Stage.values:
        read.add("进展阶段只能是 签约、注册、开工、投产")
    period = ledger.period
    signed_on = values["signed_on"]
    if signed_on is None and "签约日期" not in " ".join(read.problems):
        read.add("请填写签约日期")
    elif signed_on is not None:
        first = year_first_day(period)
        if signed_on < first:
            read.add(f"签约日期不在考核年度内（早于{chinese_date(first)}）")
        elif signed_on > period.ends_on:
            read.add(f"签约日期不能晚于本帐期最后一天（{chinese_date(period.ends_on)}）")
    if values["name"]:
        twins = SignedProject.objects.filter(
            year_id=period.year_id, unit_id=unit_id, name=values["name"]
        ).exclude(pk=exclude_pk)
        if twins.exists():
            read.add(f"本单位本年度已登记签约项目「{values['name']}」，不能重复登记")
    read.values = values
    return read


def _stage_label(value) -> str:
    return str(Stage(value).label) if value in Stage.values else value


@transaction.atomic
def add_signed_project(ledger: WeeklyLedger, *, user, data: dict, now: datetime | None = None):
    """A new signing entered in the unit's draft ledger (pending until verified)."""
    now = now or timezone.now()
    ledger = locked_ledger(ledger.pk)
    check_member(user, ledger.unit_id, MEMBER_ONLY)
    if ledger.status not in WeeklyLedger.NOT_HANDED_IN or not report_editable(
        ledger, ReviewStatus.PENDING, now=now
    ):
        raise LedgerError("本周帐已提交或帐期已锁定，不能再新增签约项目。")
    read = _read(data, ledger, unit_id=ledger.unit_id)
    read.raise_if_any()
    row = SignedProject(
        year_id=ledger.period.year_id, unit_id=ledger.unit_id, ledger=ledger, **read.values
    )
    saved_with_history(row, user=user, reason="新增签约项目")
    rederive(ledger, user=user, reason=f"招商签约：{row.name}")
    return row


@transaction.atomic
def update_signed_project(
    row: SignedProject,
    *,
    user,
    data: dict,
    ledger: WeeklyLedger,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> SignedProject:
    """Change a signing from this week's ledger `ledger` of its unit.

    A pending or returned row is corrected where it is (while its ledger allows). A verified
    row whose name, investor, class, amount or date changes moves into `ledger` as pending:
    a new figure the reviewer verifies again. A stage move alone keeps it verified (history).
    """
    now = now or timezone.now()
    # The ledgers first (in id order), then the row: the one lock order, as a reviewer's.
    home_id = SignedProject.objects.values_list("ledger_id", flat=True).get(pk=row.pk)
    locked = {pk: locked_ledger(pk) for pk in sorted({ledger.pk, home_id})}
    row = SignedProject.objects.select_for_update().get(pk=row.pk)
    check_member(user, row.unit_id, MEMBER_ONLY)
    check_version(row, expected_version, what=f"「{row.name}」")
    ledger = locked[ledger.pk]
    if ledger.unit_id != row.unit_id or ledger.period.year_id != row.year_id:
        raise LedgerError(MEMBER_ONLY)
    read = _read(data, ledger, unit_id=row.unit_id, exclude_pk=row.pk)
    values = read.values
    stage = values["stage"]
    skipped = stage != row.stage and (row.stage, stage) not in SIGNING_STEPS
    if stage in Stage.values and skipped and not values["stage_reason"]:
        read.add(
            f"进展阶段由「{_stage_label(row.stage)}」改为「{_stage_label(stage)}」"
            "不是相邻的一步，须填写阶段变更说明"
        )
    read.raise_if_any()
    substance = any(getattr(row, name) != values[name] for name in SUBSTANCE)
    home = locked.get(row.ledger_id) or locked_ledger(row.ledger_id)
    if substance:
        if row.review_status == ReviewStatus.VERIFIED:
            if not (
                ledger.status in WeeklyLedger.NOT_HANDED_IN
                and report_editable(ledger, ReviewStatus.PENDING, now=now)
            ):
                raise LedgerError("本周帐已提交或帐期已锁定，已核实的签约项目暂不能修改。")
            row.ledger = home = ledger
            row.review_status = ReviewStatus.PENDING
            row.verified_amount, row.reviewer, row.reviewed_at = None, None, None
        elif not report_editable(home, row.review_status, now=now):
            raise LedgerError(f"「{row.name}」正在核实中或帐期已锁定，暂不能修改。")
    for name, value in values.items():
        setattr(row, name, value)
    reason = "修改签约项目" if substance else "更新进展阶段"
    saved_with_history(row, user=user, reason=reason)
    if substance:
        rederive(home, user=user, reason=f"招商签约：{row.name}")
    return row


@transaction.atomic
def delete_signed_project(row: SignedProject, *, user, now: datetime | None = None) -> None:
    """Remove a signing entered by mistake: only while pending in a draft ledger."""
    now = now or timezone.now()
    ledger = locked_ledger(SignedProject.objects.values_list("ledger_id", flat=True).get(pk=row.pk))
    row = SignedProject.objects.select_for_update().get(pk=row.pk)
    check_member(user, row.unit_id, MEMBER_ONLY)
    if (
        row.review_status != ReviewStatus.PENDING
        or ledger.status not in WeeklyLedger.NOT_HANDED_IN
        or not report_editable(ledger, row.review_status, now=now)
    ):
        raise LedgerError("只能删除本周帐草稿中尚未核实的签约项目。")
    row._history_user, row._change_reason = user, "删除签约项目"  # the deletion's history row
    row.delete()
    rederive(ledger, user=user, reason="删除签约项目")
