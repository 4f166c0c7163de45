"""Every URL of the site × every role (and anonymous): who gets the page, who is refused.

The list of URLs comes from the URL conf itself, so a new page fails this test until its row
is added to EXPECTED: no page can escape the matrix.
"""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.demo import build_county
from accounts.roles import Role
from campaigns.selectors import current_year, period_containing
from campaigns.services.evidence import attach_evidence
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from scoring.models import ComputeJob
from scoring.services.evaluations import compute_quarter, open_evaluation
from tests.campaigns.builders import build_small_year
from tests.campaigns.register_builders import add_registers
from tests.helpers import built_for_module, make_user, pdf_bytes
from tests.register_matrix_args import register_url_args

# Q1 2026 is over and locked, Q2 is running: "now" for computing, appealing and publishing Q1.
NOW = "2026-04-15 10:00"
# One worker builds the module's data once (see `matrix`).
pytestmark = [pytest.mark.clock(NOW), pytest.mark.xdist_group("permission-matrix")]

ALL = frozenset(Role)
ANON = "anonymous"
UNIT = {Role.REPORTER, Role.UNIT_HEAD}
POST_ONLY = (set(), 405)  # GET is refused for everyone, signed in or not

# url name -> (roles that get 200, what the rest get). Anonymous users are listed explicitly.
EXPECTED = {
    "home": ({"redirect"}, None),
    "home-reporter": ({Role.REPORTER}, 403),
    "home-unit-head": ({Role.UNIT_HEAD}, 403),
    "home-reviewer": ({Role.REVIEWER}, 403),
    "home-office": ({Role.OFFICE}, 403),
    "home-leader": ({Role.LEADER}, 403),
    "home-admin": ({Role.ADMIN}, 403),
    "login": ({ANON}, "redirect"),  # signed-in users are sent on to their home page
    "logout": (set(), 405),  # GET is refused for everyone: logging out needs a POST
    "password_change": (ALL, None),
    "password_change_done": (ALL, None),
    "healthz": (ALL | {ANON}, None),
    "notifications": (ALL, None),
    # Opening a notice redirects: to its link if it is one's own, else to one's own list.
    "notification-open": ({"redirect"}, None),
    # The system administrator's account pages (issue 10), outside the Django admin.
    "account-list": ({Role.ADMIN}, 403),
    "account-create": ({Role.ADMIN}, 403),
    "account-detail": ({Role.ADMIN}, 403),
    "account-password": POST_ONLY,
    "account-unlock": POST_ONLY,
    "account-active": POST_ONLY,
    "account-end-sessions": POST_ONLY,
    # Browsers post CSP violation reports here (any page, signed in or not): POST only.
    "csp-report": POST_ONLY,
    "ledger-current": ({"redirect-unit"}, 403),
    "ledger-week": (UNIT, 403),
    "ledger-xlsx": (UNIT, 403),
    "ledger-xlsx-upload": POST_ONLY,
    "ledger-autosave": POST_ONLY,
    "review-queue": ({Role.REVIEWER}, 403),
    "review-verify": POST_ONLY,
    "review-verify-entry": POST_ONLY,
    "review-correct": POST_ONLY,
    "review-return": POST_ONLY,
    "review-inspect": ({Role.REVIEWER}, 403),
    "completeness": ({Role.OFFICE, Role.LEADER}, 403),
    "completeness-xlsx": ({Role.OFFICE, Role.LEADER}, 403),
    # 用好帐 (issue 12): reviewers (their indicators), the office, leaders, and a unit's own
    # people (its own rows, the group's best and average unnamed); the administrator reads none.
    "comparison": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 403),
    "weak-items": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 403),
    "ledger-reopen": ({Role.OFFICE}, 403),
    "entry-history": ({Role.OFFICE}, 403),
    "ledger-view": ({Role.OFFICE, Role.LEADER}, 403),
    "evidence-upload": POST_ONLY,
    "evidence-delete": POST_ONLY,
    # Evidence follows its entry: the unit, the lead department, the office, leaders; the
    # system administrator does not read ledgers, so for them it does not exist.
    "evidence-file": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 404),
    "evidence-thumbnail": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 404),
    # A computed quarter in its appeal window: the office and the units see it (units their
    # own score page); leaders and reviewers wait for publication.
    "evaluation-list": (ALL, None),
    "evaluation-open": POST_ONLY,
    "evaluation-action": POST_ONLY,
    # A queued computation's progress page (an unknown key goes back to the quarter's page).
    "evaluation-compute": ({Role.OFFICE}, 403),
    "evaluation-detail": ({*UNIT, Role.OFFICE}, 404),
    "unit-score": ({*UNIT, Role.OFFICE}, 404),
    # Results pages: published quarters for everyone; the quarter here is only computed, so
    # only the office sees it. The export row downloads the completeness sheet (no params).
    "results-list": (ALL, None),
    "results-detail": ({Role.OFFICE}, 404),
    "results-export": ({Role.OFFICE, Role.LEADER}, 403),
    # The 亮相会 deck follows the results page: published for everyone, a preview for the office.
    "showcase": ({Role.OFFICE}, 404),
    # Issue 5: what-if, versions and the quarter's adjustments are the office's; a unit's
    # appeals (and their evidence) are its own people's and the office's.
    "whatif": ({Role.OFFICE}, 403),
    "version-diff": ({Role.OFFICE}, 403),
    "evaluation-adjustments": ({Role.OFFICE}, 403),
    "unit-appeals": ({*UNIT, Role.OFFICE}, 403),
    "appeal-file": POST_ONLY,
    "appeal-list": ({Role.OFFICE}, 403),
    "appeal-decide": POST_ONLY,
    "appeal-evidence": ({*UNIT, Role.OFFICE}, 403),
    # Issue 5, the year: the annual page follows the quarter's rule (units see their own row
    # once computed, everyone else after publication); the 绩误档案 is the office's and
    # leaders' (units are sent on to their own file), its evidence follows the entry.
    "annual-evaluation": ({*UNIT, Role.OFFICE}, 404),
    "annual-action": POST_ONLY,
    "file-list": ({"redirect-unit", Role.OFFICE, Role.LEADER}, 403),
    "file-unit": ({*UNIT, Role.OFFICE, Role.LEADER}, 403),
    "file-add": ({Role.OFFICE}, 403),
    "file-evidence": ({*UNIT, Role.OFFICE, Role.LEADER}, 404),
    # A report job (here the reporter's own scorecard) is its requester's and the office's.
    "report-request": POST_ONLY,
    "report-job": ({Role.REPORTER, Role.OFFICE}, 404),
    "report-job-status": ({Role.REPORTER, Role.OFFICE}, 404),
    "report-download": ({Role.REPORTER, Role.OFFICE}, 404),
    # Issue 12, the 周通报: an issued one is county-wide published material (everyone reads
    # it); drafts are the office's, which generates, edits and issues them.
    "briefing-list": (ALL, None),
    "briefing-detail": (ALL, None),
    "briefing-edit": ({Role.OFFICE}, 403),
    "briefing-generate": POST_ONLY,
    "briefing-issue": POST_ONLY,
    # Issue 12 dashboards: the leaders' is also the office's; the office's is its own.
    "dashboard-leader": ({Role.LEADER, Role.OFFICE}, 403),
    "dashboard-office": ({Role.OFFICE}, 403),
    # Issue 12 follow-ups (交办单): every role that has follow-ups reads the list and a thread
    # it may see; reviewers and the office issue them and edit their drafts.
    "follow-up-list": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 403),
    "follow-up-new": ({Role.REVIEWER, Role.OFFICE}, 403),
    "follow-up-detail": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 403),
    "follow-up-edit": ({Role.REVIEWER, Role.OFFICE}, 403),
    "follow-up-action": POST_ONLY,
    # Issue 13 contracted: the 分包 view is the leaders' and the office's; a row's on-site
    # check is its reviewing department's (发改委 reviews projects, not villages), the office's
    # and its own contracting leader's (not the matrix's leader, who contracts nothing).
    "register-contracted": ({Role.LEADER, Role.OFFICE}, 403),
    "register-project-inspect": ({Role.REVIEWER, Role.OFFICE}, 403),
    "register-village-inspect": ({Role.OFFICE}, 403),
    # Issue 13 pages: the lists are everyone's who works with registers (each its own scope);
    # a row outside the user's scope is a 404 (发改委 reviews projects and signings, not
    # villages; the administrator reads no registers); the Excel import is the office's.
    "register-projects": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 403),
    "register-project": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 404),
    "register-signed": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 403),
    "register-signed-detail": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 404),
    "register-villages": ({*UNIT, Role.REVIEWER, Role.OFFICE, Role.LEADER}, 403),
    "register-village": ({*UNIT, Role.OFFICE, Role.LEADER}, 404),
    "register-import": ({Role.OFFICE}, 403),
    "register-import-template": ({Role.OFFICE}, 403),
    # The unit's weekly register sections (its own ledger's reports and signings).
    "register-week-projects": (UNIT, 403),
    "register-week-villages": (UNIT, 403),
    "register-week-signed": (UNIT, 403),
    "register-week-signed-edit": (UNIT, 403),
    "register-week-project-photo": POST_ONLY,
    "register-week-village-photo": POST_ONLY,
    # Issue 13 review: the lead department's register review queue; its verdicts are POSTs.
    "register-review": ({Role.REVIEWER}, 403),
    "register-review-verify": POST_ONLY,
    "register-review-correct": POST_ONLY,
    "register-review-return": POST_ONLY,
}


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _report_job(user, evaluation):
    """A finished report job of `user` (its file a stand-in: rendering is not under test)."""
    from django.core.files.base import ContentFile

    from scoring.models import ReportJob

    job = ReportJob(
        requested_by=user,
        identifier="unit_scorecard",
        status=ReportJob.Status.DONE,
        params={"evaluation_id": evaluation.pk, "unit_id": user.unit_id},
        progress=100,
        filename="得分卡.pdf",
        content_type="application/pdf",
    )
    job.file.save("matrix.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return job


@dataclass
class Matrix:
    users: dict
    args: dict
    media: object


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker, tmp_path_factory):
    """One user per role and the ids of every URL, built once for the module in a transaction
    rolled back at its end; each test runs in a savepoint of it (its `db`), so what one
    request changes the next never sees. Built per test, this took most of the suite's time."""
    media = tmp_path_factory.mktemp("permission-matrix-media")

    def build() -> Matrix:
        users = _role_users(build_county())
        return Matrix(users=users, args=_url_args(users), media=media)

    yield from built_for_module(django_db_blocker, now=NOW, media=media, build=build)


@pytest.fixture
def url_args(role_users, settings, tmp_path):
    """The same ids for one test of another module (tests/test_chinese_screens.py)."""
    settings.MEDIA_ROOT = tmp_path
    return _url_args(role_users)


def _role_users(county) -> dict:
    township = county.units[0]
    return {
        Role.REPORTER: make_user("r1", Role.REPORTER, unit=township),
        Role.UNIT_HEAD: make_user("h1", Role.UNIT_HEAD, unit=township),
        Role.REVIEWER: make_user(
            "v1", Role.REVIEWER, unit=county.units_named("县发展和改革委员会")
        ),
        Role.OFFICE: make_user("o1", Role.OFFICE, unit=county.units_named("县委办公室")),
        Role.LEADER: make_user("l1", Role.LEADER),
        Role.ADMIN: make_user("a1", Role.ADMIN),
    }


def _url_args(role_users) -> dict:
    """Ids for URLs that take them: the reporter's unit's submitted entry, this week …"""
    small = build_small_year()
    period = period_containing(current_year(), timezone.now())
    ledger = open_ledger(unit=small.reporter.unit, period=period)
    save_entries(
        ledger=ledger,
        user=small.reporter,
        changes={
            small.investment.pk: EntryInput(value=1),
            small.cases.pk: EntryInput(value=1),
            small.flood.pk: EntryInput(),
        },
    )
    entry = ledger.entries.get(indicator=small.investment)  # led by the reviewer's unit
    photo = attach_evidence(
        entry=entry, user=small.reporter, upload=SimpleUploadedFile("site.png", _png())
    )
    submit_ledger(ledger=ledger, user=small.reporter)
    evaluation = open_evaluation(year=small.year, quarter=1)
    version = compute_quarter(evaluation=evaluation, user=small.office)
    from scoring.services.appeals import file_appeal

    appeal = file_appeal(
        evaluation=evaluation,
        indicator=small.investment,
        user=small.head,
        claim="数据有误",
        evidence=SimpleUploadedFile("发票.pdf", pdf_bytes()),
    )
    from scoring.services.annual import add_file_entry, compute_year
    from scoring.services.evaluations import record_skipped_quarter

    for quarter in (1, 2, 3, 4):  # the year waits for every quarter (published or skipped)
        record_skipped_quarter(year=small.year, quarter=quarter, reason="测试", user=small.office)
    compute_year(year=small.year, user=small.office)
    file_entry = add_file_entry(
        unit=small.reporter.unit,
        year=small.year,
        user=small.office,
        merit=True,
        kind="表彰",
        description="获省级表彰",
        recorded_on=period.starts_on,
        evidence=SimpleUploadedFile("表彰.pdf", pdf_bytes()),
    )
    report = _report_job(role_users[Role.REPORTER], evaluation)
    from scoring.services.briefings import generate_briefing, issue_briefing

    issued = generate_briefing(period=small.period(14), user=small.office)
    issue_briefing(briefing=issued, user=small.office)
    draft_briefing = generate_briefing(period=small.period(15), user=small.office)
    follow_up, draft = _follow_ups(role_users, small)
    registers = register_url_args(add_registers(small), role_users, period=period)
    return registers | {
        "ledger-week": [period.pk],
        "notification-open": [1],
        "account-detail": [small.reporter.pk],
        "account-password": [small.reporter.pk],
        "account-unlock": [small.reporter.pk],
        "account-active": [small.reporter.pk],
        "account-end-sessions": [small.reporter.pk],
        "ledger-xlsx": [period.pk],
        "ledger-xlsx-upload": [period.pk],
        "ledger-autosave": [period.pk, small.investment.pk],
        "review-verify-entry": [entry.pk],
        "review-correct": [entry.pk],
        "review-return": [entry.pk],
        "review-inspect": [entry.pk],
        "ledger-reopen": [small.reporter.unit.pk, period.pk],
        "entry-history": [entry.pk],
        "ledger-view": [small.reporter.unit.pk, period.pk],
        "evidence-upload": [entry.pk],
        "evidence-delete": [photo.pk],
        "evidence-file": [photo.pk],
        "evidence-thumbnail": [photo.pk],
        "evaluation-detail": [evaluation.pk],
        "evaluation-action": [evaluation.pk, "compute"],
        "evaluation-compute": [  # a computation still queued: its progress page
            evaluation.pk,
            ComputeJob.objects.create(
                evaluation=evaluation, requested_by=small.office, key="queued"
            ).key,
        ],
        "unit-score": [evaluation.pk, small.reporter.unit.pk],
        "results-detail": [evaluation.pk],
        "showcase": [evaluation.pk],
        "results-export": ["completeness_xlsx"],
        "whatif": [evaluation.pk],
        "version-diff": [evaluation.pk, version.number, version.number],
        "evaluation-adjustments": [evaluation.pk],
        "unit-appeals": [evaluation.pk, small.reporter.unit.pk],
        "appeal-file": [evaluation.pk],
        "appeal-decide": [appeal.pk],
        "appeal-evidence": [appeal.pk],
        "annual-evaluation": [small.year.pk],
        "annual-action": [small.year.pk, "compute"],
        "file-unit": [small.reporter.unit.pk],
        "file-evidence": [file_entry.pk],
        "report-job": [report.pk],
        "report-job-status": [report.pk],
        "report-download": [report.pk],
        "briefing-detail": [issued.pk],
        "briefing-edit": [draft_briefing.pk],
        "briefing-issue": [draft_briefing.pk],
        "follow-up-detail": [follow_up.pk],
        "follow-up-edit": [draft.pk],
        "follow-up-action": [follow_up.pk, "acknowledge"],
    }


def _follow_ups(role_users, small):
    """A follow-up from the reviewer's unit to the reporter's, acknowledged and answered with
    a photo, and a draft of the reviewer's."""
    from datetime import date

    from campaigns.services import follow_ups

    reviewer, reporter = role_users[Role.REVIEWER], role_users[Role.REPORTER]
    fields = {
        "year": small.year,
        "unit": reporter.unit,
        "indicator": small.investment,
        "title": "固定资产投资进度滞后",
        "problem": "截至第15周完成年度目标的20%",
        "requirement": "制定整改措施",
        "due_on": date(2026, 5, 15),
        "user": reviewer,
    }
    follow_up = follow_ups.create_and_issue(**fields)
    follow_ups.acknowledge(follow_up=follow_up, user=reporter)
    follow_ups.reply(
        follow_up=follow_up,
        user=reporter,
        text="已召开专题会",
        files=[SimpleUploadedFile("现场.png", _png())],
    )
    draft = follow_ups.create_and_issue(send=False, **fields)
    return follow_up, draft


def named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin has its own test (test_admin_access)
            yield from named_urls(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}:{entry.name}" if namespace else entry.name


def test_every_page_is_in_the_matrix():
    assert set(named_urls()) == set(EXPECTED)


def _outcome(response) -> str:
    if response.status_code == 302 and response.url.startswith(reverse("login")):
        return "login"
    return str(response.status_code)


def _expected(name, who) -> str:
    allowed, otherwise = EXPECTED[name]
    if "redirect" in allowed:  # the landing page sends everyone somewhere else
        return "login" if who == ANON else "302"
    if who == ANON:
        return "200" if ANON in allowed else ("405" if otherwise == 405 else "login")
    if "redirect-unit" in allowed:  # unit people are sent on to this week's ledger
        return "302" if who in UNIT else ("200" if who in allowed else str(otherwise))
    if who in allowed:
        return "200"
    return "302" if otherwise == "redirect" else str(otherwise)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_matrix(client, db, settings, matrix, name):
    """One URL against every role and anonymous; all mismatches are reported together."""
    settings.MEDIA_ROOT = matrix.media
    role_users = matrix.users
    url = reverse(name, args=matrix.args.get(name, []))
    mismatches = []
    for who in [*Role, ANON]:
        client.logout()
        if who != ANON:
            client.force_login(role_users[who])
        got, want = _outcome(client.get(url)), _expected(name, who)
        if got != want:
            mismatches.append(f"{getattr(who, 'value', who)}: got {got}, expected {want}")
    assert not mismatches, f"{name}: " + "; ".join(mismatches)


@pytest.mark.parametrize(
    "who,status",
    [
        (Role.OFFICE, 200),
        (Role.ADMIN, 200),
        (Role.LEADER, 302),
        (Role.REVIEWER, 302),
        (Role.UNIT_HEAD, 302),
        (Role.REPORTER, 302),
    ],
)
def test_admin_access(client, db, matrix, who, status):
    client.force_login(matrix.users[who])
    assert client.get(reverse("admin:index")).status_code == status
