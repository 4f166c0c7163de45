"""Every role's main pages under the enforced Content-Security-Policy: Chromium reports no
violation, neither to the page (securitypolicyviolation events) nor to the csp-report
endpoint. The collector itself is shown to catch an inline script injected into a page."""

import logging
import time

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import PASSWORD, make_user
from tests.scoring.test_results_pages import published_quarter

pytestmark = pytest.mark.browser

# Runs in every document before its own scripts; the binding reaches Python at once, so a
# violation is kept even when the page is left right after it.
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => window.jzCspViolation({
  directive: e.effectiveDirective, blocked: e.blockedURI, page: e.documentURI,
  line: e.lineNumber, sample: e.sample,
}), true);
"""


class Collector:
    """One browser context per role, listening for violations; `seen` collects them."""

    def __init__(self, browser, base):
        self.browser, self.base, self.seen = browser, base, []

    def context(self):
        context = self.browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        context.expose_binding("jzCspViolation", lambda _source, v: self.seen.append(v))
        context.add_init_script(LISTEN)
        return context

    def visit(self, page, path: str, *, wait_for: str | None = None):
        response = page.goto(f"{self.base}{path}")
        assert response.status == 200, (path, response.status)
        if wait_for:
            page.wait_for_selector(wait_for, state="attached")


def csp_reports(caplog, *, at_least: int = 0, wait: float = 2.0) -> list[str]:
    """The violations browsers posted to csp-report (logged by the live server's thread);
    waits up to `wait` seconds for `at_least` of them."""
    deadline = time.monotonic() + wait
    while True:
        found = [r.getMessage() for r in caplog.records if r.name == "jiaozhang.csp"]
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture(scope="module")
def chromium(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS)  # fmt: skip
    yield browser
    browser.close()


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]", state="attached")


def test_every_roles_pages_raise_no_violation(chromium, live_server, transactional_db, caplog):
    caplog.set_level(logging.WARNING, logger="jiaozhang.csp")
    small, evaluation, (unit_a, _b, unit_c) = published_quarter()
    leader = make_user("leader", Role.LEADER, full_name="刘志远")
    leader.contact_units.set([unit_a, unit_c])
    admin = make_user("sysadmin", Role.ADMIN, full_name="系统管理员")
    results = reverse("results-detail", args=[evaluation.pk])
    chart = "canvas"  # ECharts has drawn
    pages = {
        small.reporter.username: [
            ("/", None), (reverse("ledger-current"), None), (reverse("comparison"), None),
            (reverse("register-projects"), None), (reverse("follow-up-list"), None),
        ],
        small.head.username: [("/", None), (reverse("ledger-current"), None)],
        small.reviewer.username: [
            ("/", None), (reverse("review-queue"), None), (reverse("weak-items"), None),
        ],
        small.office.username: [
            ("/", None), (reverse("dashboard-office"), None), (reverse("completeness"), None),
            (results, None), (reverse("briefing-list"), None),
            (reverse("admin:index"), None), (reverse("admin:accounts_unit_changelist"), None),
            (reverse("admin:accounts_unit_change", args=[unit_a.pk]), None),
        ],
        leader.username: [
            ("/", None), (reverse("dashboard-leader"), chart), (results, None),
            (reverse("follow-up-list"), None),
        ],
        admin.username: [
            ("/", None), (reverse("account-list"), None),
            (reverse("account-detail", args=[small.reporter.pk]), None),
            (reverse("admin:index"), None), (reverse("admin:accounts_user_changelist"), None),
            (reverse("admin:accounts_user_change", args=[small.reporter.pk]), None),
        ],
    }  # fmt: skip
    collector = Collector(chromium, live_server.url)
    for username, paths in pages.items():
        context = collector.context()
        page = context.new_page()
        sign_in(page, live_server.url, username)
        for path, wait_for in paths:
            collector.visit(page, path, wait_for=wait_for)
        context.close()
    assert collector.seen == []
    assert csp_reports(caplog, wait=0.5) == []


def test_the_collector_sees_an_injected_inline_script(chromium, live_server, caplog, db):
    """The same page with one inline script slipped in (as an XSS would): blocked, and seen
    by both collectors — so the test above can fail."""
    caplog.set_level(logging.WARNING, logger="jiaozhang.csp")
    collector = Collector(chromium, live_server.url)
    context = collector.context()
    page = context.new_page()

    def inject(route):
        response = route.fetch()
        body = response.text().replace("</body>", "<script>document.title='x'</script></body>")
        route.fulfill(response=response, body=body)

    page.route("**/login/", inject)
    collector.visit(page, reverse("login"))
    assert page.title() != "x"  # the injected script never ran
    context.close()
    assert [v["directive"] for v in collector.seen] == ["script-src-elem"]
    [report] = csp_reports(caplog, at_least=1, wait=5)
    assert "script-src-elem" in report and "/login/" in report
