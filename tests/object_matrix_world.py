"""Two units' worth of every object a URL takes an id of, for tests/test_object_matrix.py.

Unit A is the small year's 城关镇 (reporter `rep`, head `head`), unit B its 青山镇 (reporter
`rep2`, head `head2`). Each kind of object exists once for each, its text carrying the unit's
marker ("甲单位…" / "乙单位…") so a refused page can be searched for the other unit's data.
The reviewer (发改委) leads 投资; 政法委 leads 案件, the "other department's" entry.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from tests.helpers import make_user, pdf_bytes

MARK = {"a": "甲单位", "b": "乙单位"}


def png() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


@dataclass
class Side:
    """One unit's objects."""

    unit: object
    reporter: object
    head: object
    ledger: object = None
    entry: object = None  # 投资, led by the reviewer's 发改委
    cases_entry: object = None  # 案件, led by 政法委
    evidence: object = None
    appeal: object = None
    file_entry: object = None
    report_job: object = None
    notification: object = None
    follow_up: object = None
    draft: object = None
    project: object = None
    village: object = None
    signing: object = None
    week_signing: object = None
    project_report: object = None
    village_report: object = None


@dataclass
class World:
    small: object
    registers: object
    period: object
    evaluation: object
    version: object
    users: dict
    a: Side
    b: Side
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    """Everything, built at the module's clock (Q1 2026 computed and open for appeals)."""
    from campaigns.selectors import current_year, period_containing
    from scoring.services.annual import compute_year
    from scoring.services.evaluations import (
        compute_quarter,
        open_evaluation,
        record_skipped_quarter,
    )
    from tests.campaigns.register_builders import add_registers

    small = build_small_year_once()
    registers = add_registers(small)
    period = period_containing(current_year(), timezone.now())
    a = Side(unit=small.reporter.unit, reporter=small.reporter, head=small.head)
    b_unit = small.other_reporter.unit
    b = Side(
        unit=b_unit,
        reporter=small.other_reporter,
        head=make_user("head2", Role.UNIT_HEAD, unit=b_unit),
    )
    for key, side in (("a", a), ("b", b)):
        _ledger(small, period, side, MARK[key])
    evaluation = open_evaluation(year=small.year, quarter=1)
    version = compute_quarter(evaluation=evaluation, user=small.office)
    for key, side in (("a", a), ("b", b)):
        _appeal(small, evaluation, side, MARK[key])
    for quarter in (1, 2, 3, 4):  # the year waits for every quarter (published or skipped)
        record_skipped_quarter(year=small.year, quarter=quarter, reason="测试", user=small.office)
    compute_year(year=small.year, user=small.office)
    for key, side in (("a", a), ("b", b)):
        mark = MARK[key]
        _file_entry(small, period, side, mark)
        side.report_job = _report_job(side.reporter, evaluation, mark)
        side.notification = _notification(side.reporter, mark)
        side.follow_up, side.draft = _follow_ups(small, side, mark)
        _registers(small, registers, period, side, mark, key)
    users = {
        Role.REPORTER: a.reporter,
        Role.UNIT_HEAD: a.head,
        Role.REVIEWER: small.reviewer,
        Role.OFFICE: small.office,
        Role.LEADER: registers.leader,
        Role.ADMIN: make_user("adm", Role.ADMIN),
    }
    return World(small, registers, period, evaluation, version, users, a, b, _extra(small, b))


def _extra(small, b) -> dict:
    """Objects of no unit: the 周通报 (one issued, one draft) and a draft follow-up of
    another department's reviewer (政法委, which leads 案件)."""
    from campaigns.services import follow_ups
    from scoring.services.briefings import generate_briefing, issue_briefing

    issued = generate_briefing(period=small.period(14), user=small.office)
    issue_briefing(briefing=issued, user=small.office)
    zfw = small.county.units_named("县委政法委员会")
    other_draft = follow_ups.create_and_issue(
        send=False,
        year=small.year,
        unit=b.unit,
        indicator=small.cases,
        title="政法委草稿",
        problem="案件偏多",
        requirement="制定整改措施",
        due_on=date(2026, 5, 15),
        user=make_user("rev2", Role.REVIEWER, unit=zfw),
    )
    return {
        "issued_briefing": issued,
        "draft_briefing": generate_briefing(period=small.period(15), user=small.office),
        "other_draft": other_draft,
    }


def build_small_year_once():
    from tests.campaigns.builders import build_small_year

    return build_small_year()


def _ledger(small, period, side, mark):
    from campaigns.services.evidence import attach_evidence
    from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger

    ledger = open_ledger(unit=side.unit, period=period)
    save_entries(
        ledger=ledger,
        user=side.reporter,
        changes={
            small.investment.pk: EntryInput(value=1, progress=f"{mark}投资进展"),
            small.cases.pk: EntryInput(value=1, progress=f"{mark}案件进展"),
            small.flood.pk: EntryInput(),
        },
    )
    side.ledger = ledger
    side.entry = ledger.entries.get(indicator=small.investment)
    side.cases_entry = ledger.entries.get(indicator=small.cases)
    side.evidence = attach_evidence(
        entry=side.entry,
        user=side.reporter,
        upload=SimpleUploadedFile(f"{mark}现场.png", png()),
    )
    submit_ledger(ledger=ledger, user=side.reporter)


def _appeal(small, evaluation, side, mark):
    from scoring.services.appeals import file_appeal

    side.appeal = file_appeal(
        evaluation=evaluation,
        indicator=small.investment,
        user=side.head,
        claim=f"{mark}申诉数据有误",
        evidence=SimpleUploadedFile(f"{mark}发票.pdf", pdf_bytes()),
    )


def _file_entry(small, period, side, mark):
    from scoring.services.annual import add_file_entry

    side.file_entry = add_file_entry(
        unit=side.unit,
        year=small.year,
        user=small.office,
        merit=True,
        kind="表彰",
        description=f"{mark}获省级表彰",
        recorded_on=period.starts_on,
        evidence=SimpleUploadedFile(f"{mark}表彰.pdf", pdf_bytes()),
    )


def _report_job(user, evaluation, mark):
    """A finished report job of `user` (its file a stand-in: rendering is not under test)."""
    from scoring.models import ReportJob

    job = ReportJob(
        requested_by=user,
        identifier="unit_scorecard",
        status=ReportJob.Status.DONE,
        params={"evaluation_id": evaluation.pk, "unit_id": user.unit_id},
        progress=100,
        filename=f"{mark}得分卡.pdf",
        content_type="application/pdf",
    )
    job.file.save("matrix.pdf", ContentFile(f"%PDF-1.7\n{mark}\n%%EOF\n".encode()))
    return job


def _notification(user, mark):
    from accounts.models import Notification

    return Notification.objects.create(
        recipient=user, kind=Notification.Kind.REMINDER, title=f"{mark}通知", url="/"
    )


def _follow_ups(small, side, mark):
    """An issued follow-up from the reviewer to the unit, acknowledged and answered with a
    photo, and a draft of the reviewer's to the same unit."""
    from campaigns.services import follow_ups

    fields = {
        "year": small.year,
        "unit": side.unit,
        "indicator": small.investment,
        "title": f"{mark}投资进度滞后",
        "problem": f"{mark}截至第15周完成年度目标的20%",
        "requirement": "制定整改措施",
        "due_on": date(2026, 5, 15),
        "user": small.reviewer,
    }
    follow_up = follow_ups.create_and_issue(**fields)
    follow_ups.acknowledge(follow_up=follow_up, user=side.reporter)
    follow_ups.reply(
        follow_up=follow_up,
        user=side.reporter,
        text=f"{mark}已召开专题会",
        files=[SimpleUploadedFile(f"{mark}现场.png", png())],
    )
    return follow_up, follow_ups.create_and_issue(send=False, **fields)


def _registers(small, registers, period, side, mark, key):
    from campaigns.models import PilotVillage, ProjectReport, SignedProject, VillageReport

    if key == "a":
        side.project, side.village = registers.food_park, registers.village
    else:
        side.project = registers.other_project
        side.village = PilotVillage.objects.create(
            year=small.year,
            township=side.unit,
            name=f"{mark}西村",
            level=PilotVillage.Level.PROVINCIAL,
        )
    side.signing = side.week_signing = SignedProject.objects.create(
        year=small.year,
        unit=side.unit,
        ledger=side.ledger,
        name=f"{mark}签约项目",
        investor="某集团",
        amount=Decimal("100"),
        signed_on=date(2026, 1, 10),
    )
    side.project_report, _ = ProjectReport.objects.get_or_create(
        project=side.project,
        ledger=side.ledger,
        defaults={"status": "not_started", "investment_to_date": Decimal("0")},
    )
    side.village_report, _ = VillageReport.objects.get_or_create(
        village=side.village, ledger=side.ledger
    )
