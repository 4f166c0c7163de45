"""Ids for the register pages of the permission matrix (tests/test_permission_matrix.py).

Rows of the reporter's own township (城关镇) from tests.campaigns.register_builders: each
page module adds its URL names here, in its own section, with the objects they need.
"""


def register_url_args(registers, role_users, *, period) -> dict[str, list]:
    """URL name -> args for every register page that takes ids."""
    args: dict[str, list] = {}
    # pages (lists, rows, Excel):
    args["register-project"] = [registers.food_park.pk]
    args["register-village"] = [registers.village.pk]
    args["register-signed-detail"] = [_signing(registers, period).pk]
    # reporting (the unit's weekly reports):
    args |= reporting_args(registers, period)
    # review (the lead department's verdicts): the row's kind is posted, its id in the path.
    for name in ("register-review-verify", "register-review-correct", "register-review-return"):
        args[name] = [registers.food_park.reports.order_by("pk").values_list("pk", flat=True)[0]]
    # contracted (分包 view, on-site checks):
    args["register-project-inspect"] = [registers.food_park.pk]
    args["register-village-inspect"] = [registers.village.pk]
    return args


def _signing(registers, period):
    """A signing of the township entered in its handed-in ledger of `period` (pages)."""
    from datetime import date
    from decimal import Decimal

    from campaigns.models import SignedProject, WeeklyLedger

    return SignedProject.objects.create(
        year=registers.small.year,
        unit=registers.township,
        ledger=WeeklyLedger.objects.get(unit=registers.township, period=period),
        name="城关镇食品加工签约项目",
        investor="某食品集团",
        amount=Decimal("12000"),
        signed_on=date(2026, 5, 10),
    )


def reporting_args(registers, period) -> dict[str, list]:
    """The week's sections of 城关镇: a signing entered in this week's ledger, a report."""
    from datetime import date
    from decimal import Decimal

    from campaigns.models import ProjectReport, SignedProject, VillageReport
    from campaigns.services.ledger import open_ledger

    ledger = open_ledger(unit=registers.township, period=period)
    signing = SignedProject.objects.create(
        year=registers.small.year,
        unit=registers.township,
        ledger=ledger,
        name="矩阵签约项目",
        investor="某集团",
        amount=Decimal("100"),
        signed_on=date(period.starts_on.year, 1, 10),
    )
    project_report, _ = ProjectReport.objects.get_or_create(
        project=registers.food_park,
        ledger=ledger,
        defaults={"status": "not_started", "investment_to_date": Decimal("0")},
    )
    village_report, _ = VillageReport.objects.get_or_create(
        village=registers.village, ledger=ledger
    )
    return {
        "register-week-projects": [period.pk],
        "register-week-villages": [period.pk],
        "register-week-signed": [period.pk],
        "register-week-signed-edit": [period.pk, signing.pk],
        "register-week-project-photo": [period.pk, project_report.pk],
        "register-week-village-photo": [period.pk, village_report.pk],
    }
