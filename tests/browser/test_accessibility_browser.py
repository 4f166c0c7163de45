"""axe-core (GB/T 37668 / WCAG 2.x) on every role's main pages of a county with a published quarter.

axe comes from npm (node_modules/axe-core, installed by `make setup`) and is injected into each
page by Playwright only here: it is never served to users. A page fails on every `serious` or
`critical` violation, and on the rules the issue names whatever impact axe gives them
(`heading-order`: headings go down one level at a time). axe accepts a simple table whose
`th` carry no `scope`; the issue asks for it (WCAG 1.3.1: header cells identified as such),
so a table without header cells or a `th` without `scope` fails too, as `jz-table-headers`.
The failure message lists every violation of every page of the role (rule, help, selectors),
not only the first.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from campaigns.selectors import period_containing
from scoring.services.annual import add_file_entry
from tests.browser.helpers import sign_in
from tests.campaigns.register_builders import add_registers
from tests.helpers import make_user, pdf_bytes
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
ALWAYS_FAILING_RULES = {"heading-order"}  # moderate for axe; the issue asks for it


@dataclass
class County:
    evaluation_id: int
    unit_id: int  # the reporters' township (城关镇), which has a 绩误档案 entry
    period_id: int  # the week of Q1 whose ledgers were submitted and verified
    this_week_id: int  # the week of today, for the register reports (issue 13)
    project_id: int  # 城关镇食品产业园, contracted by the leader
    village_id: int  # 城关镇东村


USERNAMES = {
    Role.REPORTER: "rep",
    Role.UNIT_HEAD: "head",
    Role.REVIEWER: "rev",
    Role.OFFICE: "off",
    Role.LEADER: "leader",
    Role.ADMIN: "sysadmin",
}


def _county() -> County:
    """build_small_year with Q1 published, a leader, an administrator, one 绩误档案 entry."""
    small, evaluation, _units = published_quarter()
    registers = add_registers(small)  # its leader is "lead1"; the test's is "leader"
    leader = make_user("leader", Role.LEADER, full_name="张县长")
    registers.food_park.leader = leader
    registers.food_park.save()
    make_user("sysadmin", Role.ADMIN, full_name="王管理")
    add_file_entry(
        unit=small.reporter.unit,
        year=small.year,
        user=small.office,
        merit=True,
        kind="表彰",
        description="获省级表彰",
        recorded_on=date(small.year.year, 3, 20),
        evidence=SimpleUploadedFile("表彰.pdf", pdf_bytes()),
    )
    week = small.year.periods.filter(quarter=1).order_by("-iso_week").first()
    return County(
        evaluation_id=evaluation.pk,
        unit_id=small.reporter.unit.pk,
        period_id=week.pk,
        this_week_id=period_containing(small.year, timezone.now()).pk,
        project_id=registers.food_park.pk,
        village_id=registers.village.pk,
    )


def _pages(role, county: County) -> list[tuple[str, str]]:
    """(what the page is, its address) for each main page `role` uses."""
    evaluation, unit = county.evaluation_id, county.unit_id
    home = ("首页", "/")
    week = ("本周周帐", reverse("ledger-current"))
    completeness = ("周帐完成情况", reverse("completeness"))
    ledger = ("单位周帐", reverse("ledger-view", args=[unit, county.period_id]))
    detail = ("季度考评详情", reverse("evaluation-detail", args=[evaluation]))
    scorecard = ("得分卡", reverse("unit-score", args=[evaluation, unit]))
    files = ("绩误档案", reverse("file-list"))
    own_file = ("单位绩误档案", reverse("file-unit", args=[unit]))
    # The registers (issue 13): the unit's weekly reports, the lists, a row, the 分包 view.
    this_week = county.this_week_id
    reports = [
        ("重点项目周报", reverse("register-week-projects", args=[this_week])),
        ("试点村周报", reverse("register-week-villages", args=[this_week])),
        ("招商签约", reverse("register-week-signed", args=[this_week])),
    ]
    projects = ("重点项目台帐", reverse("register-projects"))
    project = ("重点项目", reverse("register-project", args=[county.project_id]))
    registers = [
        projects,
        project,
        ("试点村台帐", reverse("register-villages")),
        ("试点村", reverse("register-village", args=[county.village_id])),
        ("招商签约台帐", reverse("register-signed")),
    ]
    by_role = {
        Role.REPORTER: [home, week, detail, scorecard, own_file, *reports, projects, project],
        Role.UNIT_HEAD: [home, week, detail, scorecard, own_file],
        Role.REVIEWER: [
            home,
            ("实帐核实", reverse("review-queue")),
            ("台帐核实", reverse("register-review")),
            projects,
            project,
            ("记录实地查看", reverse("register-project-inspect", args=[county.project_id])),
        ],
        Role.OFFICE: [
            home,
            completeness,
            ledger,
            detail,
            scorecard,
            ("申诉", reverse("appeal-list")),
            ("规则预演", reverse("whatif", args=[evaluation])),
            files,
            own_file,
            *registers,
            ("导入台帐", reverse("register-import")),
        ],
        Role.LEADER: [
            home,
            completeness,
            ledger,
            files,
            own_file,
            ("分包项目和试点村", reverse("register-contracted")),
            *registers,
        ],
        Role.ADMIN: [home, ("管理后台", reverse("admin:index"))],
    }
    return by_role[role] + [
        ("通知", reverse("notifications")),
        ("修改密码", reverse("password_change")),
        ("季度考评", reverse("evaluation-list")),
        ("考评结果", reverse("results-list")),
        ("考评结果详情", reverse("results-detail", args=[evaluation])),
    ]


# One line per table that has no header cells, or whose `th` lack a scope (their texts listed).
TABLE_HEADERS = """() => {
    const name = (table, index) => table.id ? `table#${table.id}`
        : table.dataset.testid ? `table[data-testid=${table.dataset.testid}]`
        : `第${index + 1}个表格`;
    const tables = Array.from(document.querySelectorAll('main table:not([role=presentation])'));
    return tables.flatMap((table, index) => {
        const headers = Array.from(table.querySelectorAll('th'));
        if (!headers.length) return [`${name(table, index)} 没有 th`];
        const bare = headers.filter(th => !['col', 'row', 'colgroup', 'rowgroup']
            .includes(th.getAttribute('scope')));
        if (!bare.length) return [];
        const texts = bare.slice(0, 6).map(th => `「${th.innerText.trim().slice(0, 12)}」`);
        return [`${name(table, index)} ${bare.length} 个 th 缺 scope：${texts.join('')}`];
    });
}"""


def _violations(page) -> list[dict]:
    assert AXE.is_file(), "缺少 node_modules/axe-core/axe.min.js：请运行 make setup（npm ci）"
    # Evaluated through the DevTools protocol, not as a <script> tag: the site's CSP
    # (script-src 'self') rightly refuses a tag injected from outside.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
            }));
        }"""
    )
    failing = [
        v for v in found if v["impact"] in FAILING_IMPACTS or v["id"] in ALWAYS_FAILING_RULES
    ]
    tables = page.evaluate(TABLE_HEADERS)
    if tables:
        help_ = "数据表须有表头单元格 th，且每个 th 标明 scope（col 或 row）"
        failing.append(
            {"id": "jz-table-headers", "impact": "serious", "help": help_, "targets": tables}
        )
    return failing


def _check(page, base, label, path) -> list[str]:
    """Problems of one page, one line per violation (or why the page could not be checked)."""
    # "load" is enough: axe reads the DOM the server sent; charts drawn later add no text.
    response = page.goto(f"{base}{path}", wait_until="load")
    if response is None or response.status != 200:
        return [f"{label} {path}: HTTP {response.status if response else '无响应'}"]
    return [
        f"{label} {path}: [{v['impact']}] {v['id']} — {v['help']} — {', '.join(v['targets'][:8])}"
        + (f" 等 {len(v['targets'])} 处" if len(v["targets"]) > 8 else "")
        for v in _violations(page)
    ]


def test_login_page_has_no_serious_violations(page, live_server, transactional_db):
    page.set_viewport_size({"width": 1366, "height": 768})
    problems = _check(page, live_server.url, "登录", reverse("login"))
    assert not problems, "无障碍问题：\n" + "\n".join(problems)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.name.lower())
def test_main_pages_of_each_role_have_no_serious_violations(
    role, page, live_server, transactional_db, screenshot
):
    county = _county()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, live_server.url, USERNAMES[role])
    problems = []
    for label, path in _pages(role, county):
        problems += _check(page, live_server.url, label, path)
    page.goto(f"{live_server.url}/")
    screenshot(f"a11y-{role.name.lower()}-home")
    assert not problems, f"{role.label}：{len(problems)} 个无障碍问题：\n" + "\n".join(problems)
