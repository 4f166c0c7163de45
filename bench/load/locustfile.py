"""The Friday rush, for Locust: reporters hand in the week's ledger while reviewers verify and
leaders and the office watch their dashboards. Run through bench/load_test.py, which builds the
city demo, starts gunicorn and a Celery worker, and writes the accounts file read here.

Each simulated person signs in once (as its own account, taken in turn from the accounts file
`JZ_LOAD_ACCOUNTS`: {"reporter": [...], "reviewer": [...], "leader": [...], "office": [...],
"password": "..."}) and then works through its pages with a few seconds' thought between
clicks. Requests are grouped by page (`name=`) so the figures read per page, not per id.

The server runs as in production (DEBUG off, secure cookies) behind what would be the
county's TLS proxy: each request says `X-Forwarded-Proto: https` and the session and CSRF
cookies are sent back over the loopback's plain HTTP.
"""

import itertools
import json
import os
import random
import re
import threading
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

from locust import HttpUser, between, task

ACCOUNTS = json.loads(Path(os.environ["JZ_LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
_turns = {role: itertools.cycle(names) for role, names in ACCOUNTS.items() if role != "password"}
_lock = threading.Lock()

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FAILED_POST = ("未能保存", "未能提交", "未能确认", "未能撤回", "未能核实", "服务器错误")


def next_account(role: str) -> str:
    with _lock:
        return next(_turns[role])


def _loopback_secure(policy, cookie, request) -> bool:
    return True


# Send the Secure session and CSRF cookies over the loopback's plain HTTP: the county's TLS
# proxy is not under test. Set on the class: requests merges cookies into a new jar (with a
# new policy) for every request. This process talks to 127.0.0.1 only.
DefaultCookiePolicy.return_ok_secure = _loopback_secure


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(2, 6)

    def on_start(self):
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "Referer": f"https://{self._host()}/"}
        )
        self.username = next_account(self.role)
        page = self.client.get("/login/", name="登录页")
        data = {
            "username": self.username,
            "password": ACCOUNTS["password"],
            "csrfmiddlewaretoken": self._csrf(page.text),
        }
        with self.client.post(
            "/login/", data, name="登录", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:  # the form again: refused
                response.failure(f"{self.username} not signed in ({response.status_code})")

    def _host(self) -> str:
        return self.host.split("://", 1)[-1].rstrip("/")

    @staticmethod
    def _csrf(html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else ""

    def post_form(self, url: str, data, *, name: str, refused=FAILED_POST):
        """POST and follow the redirect; a page that says the action failed is an error."""
        with self.client.post(url, data, name=name, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"status {response.status_code}")
            elif any(text in response.text for text in refused):
                response.failure("refused: " + _first_error(response.text))
            else:
                response.success()
            return response


def _first_error(html: str) -> str:
    found = re.search(r'class="[^"]*(?:alert-danger|text-danger)[^"]*"[^>]*>([^<]{1,120})', html)
    return found.group(1).strip() if found else "?"


VALUE_ROW = re.compile(r'data-indicator="(\d+)"')
LAST = re.compile(r'data-last="([^"]*)"')
INPUT = re.compile(r'<input[^>]*name="(e\d+-[a-z_]+)"[^>]*value="([^"]*)"', re.S)
ACTIONS = re.compile(r'name="action" value="(\w+)"')


class Reporter(Person):
    """填报员: opens the week's ledger, saves the figures, submits, confirms as head."""

    role = "reporter"
    weight = 8

    @task
    def hand_in(self):
        page = self.client.get("/ledger/", name="周帐（填报页）")
        if page.status_code != 200:
            return
        html, url = page.text, page.url
        actions = ACTIONS.findall(html)
        data = self._figures(html)
        if "save" in actions and data:
            page = self.post_form(url, {**data, "action": "save"}, name="周帐保存")
            html, actions = page.text, ACTIONS.findall(page.text)
        for action, label in (("submit", "周帐提交"), ("confirm", "周帐确认报送")):
            if action in actions:
                data = self._figures(html)
                page = self.post_form(url, {**data, "action": action}, name=label)
                html, actions = page.text, ACTIONS.findall(page.text)

    def _figures(self, html: str) -> dict:
        """The form as the page shows it, each empty figure filled with last week's (a
        cumulative figure that does not fall) plus a little, and a line of progress."""
        data = {"csrfmiddlewaretoken": self._csrf(html)}
        version = re.search(r'name="ledger_version" value="(\d+)"', html)
        if version:
            data["ledger_version"] = version.group(1)
        for name, value in INPUT.findall(html):
            data[name] = value
        rows = html.split('class="jz-main')[1:]
        for row in rows:
            indicator = VALUE_ROW.search(row)
            last = LAST.search(row)
            if not indicator or f'name="e{indicator.group(1)}-value"' not in row:
                continue
            key = f"e{indicator.group(1)}-value"
            if not data.get(key):
                base = float(last.group(1)) if last and last.group(1) else 0.0
                data[key] = f"{base + random.randint(0, 2):g}"
            data.setdefault(f"e{indicator.group(1)}-progress", "按计划推进")
        return data


class Reviewer(Person):
    """审核员: opens the queue and verifies a few unflagged rows at once."""

    role = "reviewer"
    weight = 3

    @task(3)
    def queue(self):
        self.client.get("/review/?status=all", name="审核队列（全部）")

    @task(2)
    def verify(self):
        page = self.client.get("/review/", name="审核队列（待核实）")
        if page.status_code != 200:
            return
        html = page.text
        rows = re.findall(r'name="entry" value="(\d+)"([^>]*)>', html)
        picked = [pk for pk, rest in rows if "data-flagged" not in rest][:5]
        if not picked:
            return
        data = {"csrfmiddlewaretoken": self._csrf(html), "entry": picked}
        for pk in picked:
            version = re.search(rf'name="version-{pk}" value="(\d+)"', html)
            if version:
                data[f"version-{pk}"] = version.group(1)
        # Another reviewer may have verified the same row a moment earlier: the optimistic
        # check refuses it with a Chinese message, which is correct behaviour, not an error.
        self.post_form("/review/verify/", data, name="批量核实", refused=("服务器错误",))


class Leader(Person):
    """县领导: the dashboard and the published results."""

    role = "leader"
    weight = 1

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/", name="领导驾驶舱")

    @task(1)
    def results(self):
        self.client.get("/results/", name="考评结果列表")


class Office(Person):
    """考核办: its dashboard, the completeness matrix (one group) and the home page."""

    role = "office"
    weight = 1

    @task(3)
    def dashboard(self):
        self.client.get("/dashboard/office/", name="考核办驾驶舱")

    @task(2)
    def completeness(self):
        self.client.get("/office/completeness/", name="周帐完成情况")

    @task(1)
    def home(self):
        self.client.get("/", name="首页")
