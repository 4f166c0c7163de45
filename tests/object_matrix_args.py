"""Own-unit vs other-unit ids for every URL taking an `<id:…>` (tests/test_object_matrix.py).

One row per URL name: who asks (a user of unit A, or the role the page is for), the args for
one side's object, what the own object answers, and what the other side's answers. A new page
taking an id fails the test until it has a row here: copy the nearest one.

`refused=None` marks an id that is county-wide (a week, a quarter, a year, a briefing) or a
page of the office or the administrator, who read every unit: there is no "other unit's
object" to ask for, so only the own request is made and its answer must not show unit B's data.
A POST refused or county-wide must leave every row of the objects' tables unchanged (see
`footprint` in the test).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.roles import Role
from tests.object_matrix_world import MARK, Side, World

REPORTER, HEAD, REVIEWER = Role.REPORTER, Role.UNIT_HEAD, Role.REVIEWER
OFFICE, LEADER, ADMIN = Role.OFFICE, Role.LEADER, Role.ADMIN


@dataclass(frozen=True)
class Row:
    who: Role
    args: Callable[[World, Side], list]  # the URL's args for side A's (or B's) object
    ok: int | set[int] = 200  # what side A's own object answers (one of, for a set)
    refused: int | None = 404  # what B's answers; None: county-wide (see the docstring)
    method: str = "get"
    data: Callable[[World, Side], dict] = field(default=lambda w, s: {})
    # The other object when it is not unit B's of the same kind (a reviewer's other
    # department's entry), with the text that must not leak and the form: (args, leak, data).
    other: Callable[[World], tuple[list, str, dict]] | None = None


def post(who, args, ok=302, refused=404, **kw) -> Row:
    return Row(who, args, ok, refused, method="post", **kw)


def county(who, args, ok=200, method="get", **kw) -> Row:
    return Row(who, args, ok, None, method=method, **kw)


def _other_department_entry(w: World):
    """The reviewer (发改委) asking for A's 案件 entry, which 政法委 leads."""
    return [w.a.cases_entry.pk], f"{MARK['a']}案件进展", {}


def _other_department_row(data: dict):
    """The reviewer (发改委, which reviews project reports) asking for A's village report,
    which 农业农村局 reviews; refused with a message on the queue (302), nothing changed."""
    return lambda w: ([w.a.village_report.pk], "东村", {**data, "kind": "village"})


def _period(w, s):
    return [w.period.pk]


def _eval(w, s):
    return [w.evaluation.pk]


ROWS: dict[str, Row] = {
    # accounts: one's own notice opens its link; anyone else's leads to one's own list (302
    # either way, the same answer whether the id exists or not) and is not marked read.
    "notification-open": Row(REPORTER, lambda w, s: [s.notification.pk], 302, 302),
    # The administrator manages every account: county-wide.
    "account-detail": county(ADMIN, lambda w, s: [s.reporter.pk]),
    "account-password": county(ADMIN, lambda w, s: [s.reporter.pk], 200, "post"),  # shown once
    "account-end-sessions": county(ADMIN, lambda w, s: [s.reporter.pk], 302, "post"),
    "account-unlock": county(ADMIN, lambda w, s: [s.reporter.pk], 302, "post"),
    "account-active": county(ADMIN, lambda w, s: [s.reporter.pk], 302, "post"),
    # The week is county-wide; the ledger is always the user's own unit's.
    "ledger-week": county(REPORTER, _period),
    "ledger-xlsx": county(REPORTER, _period),
    "ledger-xlsx-upload": county(REPORTER, _period, 302, "post"),
    # A's ledger is handed in: the draft is refused for its state (400), not for the id.
    "ledger-autosave": county(
        REPORTER, lambda w, s: [w.period.pk, w.small.investment.pk], 400, "post"
    ),
    "evidence-upload": post(REPORTER, lambda w, s: [s.entry.pk]),
    "evidence-file": Row(REPORTER, lambda w, s: [s.evidence.pk]),
    "evidence-thumbnail": Row(REPORTER, lambda w, s: [s.evidence.pk]),
    "evidence-delete": post(REPORTER, lambda w, s: [s.evidence.pk]),
    # The reviewer's "other" entry is one its department does not lead.
    "review-verify-entry": post(REVIEWER, lambda w, s: [s.entry.pk], other=_other_department_entry),
    "review-correct": post(REVIEWER, lambda w, s: [s.entry.pk], other=_other_department_entry),
    "review-return": post(REVIEWER, lambda w, s: [s.entry.pk], other=_other_department_entry),
    "review-inspect": Row(REVIEWER, lambda w, s: [s.entry.pk], other=_other_department_entry),
    # The office's pages read every unit.
    "ledger-reopen": county(OFFICE, lambda w, s: [s.unit.pk, w.period.pk]),
    "entry-history": county(OFFICE, lambda w, s: [s.entry.pk]),
    "ledger-view": county(OFFICE, lambda w, s: [s.unit.pk, w.period.pk]),
    # registers: pages
    "register-project": Row(REPORTER, lambda w, s: [s.project.pk]),
    "register-signed-detail": Row(REPORTER, lambda w, s: [s.signing.pk]),
    "register-village": Row(REPORTER, lambda w, s: [s.village.pk]),
    # registers: the unit's weekly sections (the week county-wide, the rows its own)
    "register-week-projects": county(REPORTER, _period),
    "register-week-villages": county(REPORTER, _period),
    "register-week-signed": county(REPORTER, _period),
    "register-week-signed-edit": Row(REPORTER, lambda w, s: [w.period.pk, s.week_signing.pk]),
    "register-week-project-photo": post(REPORTER, lambda w, s: [w.period.pk, s.project_report.pk]),
    "register-week-village-photo": post(REPORTER, lambda w, s: [w.period.pk, s.village_report.pk]),
    # registers: review. 发改委 reviews project reports; a village report is 农业农村局's.
    "register-review-verify": post(
        REVIEWER,
        lambda w, s: [s.project_report.pk],
        refused=302,
        data=lambda w, s: {"kind": "project"},
        other=_other_department_row({}),
    ),
    "register-review-correct": post(
        REVIEWER,
        lambda w, s: [s.project_report.pk],
        refused=302,
        data=lambda w, s: {"kind": "project", "corrected": "1"},
        other=_other_department_row({"corrected": "1"}),
    ),
    "register-review-return": post(
        REVIEWER,
        lambda w, s: [s.project_report.pk],
        refused=302,
        data=lambda w, s: {"kind": "project", "comment": "请补充"},
        other=_other_department_row({"comment": "请补充"}),
    ),
    # registers: on-site checks, the contracting leader's (A's rows are 王县长's, B's nobody's)
    "register-project-inspect": Row(LEADER, lambda w, s: [s.project.pk], refused=403),
    "register-village-inspect": Row(LEADER, lambda w, s: [s.village.pk], refused=403),
    # follow-ups: the unit's own; drafts are their author's
    "follow-up-detail": Row(REPORTER, lambda w, s: [s.follow_up.pk]),
    "follow-up-edit": Row(
        REVIEWER,
        lambda w, s: [s.draft.pk],
        other=lambda w: ([w.extra["other_draft"].pk], "政法委草稿", {}),
    ),
    "follow-up-action": post(
        REPORTER,
        lambda w, s: [s.follow_up.pk, "reply"],
        data=lambda w, s: {"text": "再次反馈"},
    ),
    # scoring: the quarter and the year are county-wide; a unit's rows are its own
    "evaluation-detail": county(REPORTER, _eval),
    "whatif": county(OFFICE, _eval),
    "evaluation-adjustments": county(OFFICE, _eval),
    "appeal-file": county(HEAD, _eval, 302, "post"),
    # An unknown computation: "still queued" (200) or a message on the quarter's page (302).
    "evaluation-compute": county(
        OFFICE, lambda w, s: [w.evaluation.pk, "00000000-0000-0000-0000-000000000000"], {200, 302}
    ),
    "evaluation-action": county(OFFICE, lambda w, s: [w.evaluation.pk, "compute"], 302, "post"),
    "unit-score": Row(REPORTER, lambda w, s: [w.evaluation.pk, s.unit.pk]),
    "results-detail": county(OFFICE, _eval),
    "showcase": county(OFFICE, _eval),
    "annual-evaluation": county(REPORTER, lambda w, s: [w.small.year.pk]),
    "annual-action": county(OFFICE, lambda w, s: [w.small.year.pk, "compute"], 302, "post"),
    "file-unit": Row(REPORTER, lambda w, s: [s.unit.pk]),
    "file-evidence": Row(REPORTER, lambda w, s: [s.file_entry.pk]),
    "version-diff": county(
        OFFICE, lambda w, s: [w.evaluation.pk, w.version.number, w.version.number]
    ),
    "unit-appeals": Row(REPORTER, lambda w, s: [w.evaluation.pk, s.unit.pk]),
    "appeal-decide": county(OFFICE, lambda w, s: [s.appeal.pk], 302, "post"),
    "appeal-evidence": Row(REPORTER, lambda w, s: [s.appeal.pk]),
    "briefing-detail": county(REPORTER, lambda w, s: [w.extra["issued_briefing"].pk]),
    "briefing-edit": county(OFFICE, lambda w, s: [w.extra["draft_briefing"].pk]),
    "briefing-issue": county(OFFICE, lambda w, s: [w.extra["draft_briefing"].pk], 302, "post"),
    # report jobs are their requester's
    "report-job": Row(REPORTER, lambda w, s: [s.report_job.pk]),
    "report-job-status": Row(REPORTER, lambda w, s: [s.report_job.pk]),
    "report-download": Row(REPORTER, lambda w, s: [s.report_job.pk]),
}
