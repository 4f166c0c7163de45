"""The `make run` path on the embedded default: SQLite, eager Celery, the real dev server.

It runs the same steps as `make run` (migrate, seed_demo, runserver) in subprocesses with no
DATABASE_URL or REDIS_URL, only pointing SQLite at a temporary file instead of db.sqlite3.
"""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from django.conf import settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Both tests share one server (the demo build is most of their time), on one xdist worker.
pytestmark = pytest.mark.xdist_group("embedded-default")


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("embedded-default")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    manage = [sys.executable, "manage.py"]
    run = {"cwd": settings.BASE_DIR, "env": env, "capture_output": True, "text": True}
    subprocess.run([*manage, "migrate", "--noinput"], check=True, **run)
    # Two weeks of history instead of the whole year: the path is the same, only shorter.
    seeded = subprocess.run([*manage, "seed_demo", "--weeks", "2"], check=True, **run).stdout
    port = _free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base, seeded
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_serves_login_assets_and_signs_the_demo_reporter_in(embedded_server):
    base, seeded = embedded_server
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    login_page = opener.open(f"{base}/login/").read().decode()
    assert "用户登录" in login_page
    css = opener.open(f"{base}/static/vendor/bootstrap/bootstrap.min.css")
    assert css.status == 200 and b"Bootstrap" in css.read(2000)

    home = _sign_in(opener, base, seeded, "reporter")
    assert "填报员工作台" in home and "城关镇" in home
    week = opener.open(f"{base}/ledger/")  # redirected to this week's ledger
    period = week.geturl().rstrip("/").split("/")[-1]
    for path in ("projects", "villages", "signed"):
        assert opener.open(f"{base}/registers/week/{period}/{path}/").status == 200


# Pages whose reads differ by database (PostgreSQL's DISTINCT ON, with a path for SQLite):
# each role's register pages and dashboards must open on the embedded default too.
PAGES = {
    "leader": ["/dashboard/", "/registers/contracted/", "/registers/projects/"],
    "office": ["/dashboard/office/", "/registers/contracted/?leader=all", "/registers/villages/"],
    "reviewer": ["/review/", "/registers/review/", "/analysis/weak-items/"],
}


def test_each_roles_register_pages_and_dashboards_open(embedded_server):
    base, seeded = embedded_server
    for username, paths in PAGES.items():
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        _sign_in(opener, base, seeded, username)
        for path in paths:
            assert opener.open(f"{base}{path}").status == 200, (username, path)


def _sign_in(opener, base, seeded, username) -> str:
    """Sign `username` in with the password seed_demo printed; the home page's text."""
    login_page = opener.open(f"{base}/login/").read().decode()
    password = re.search(rf"用户名 {username}\s+密码 (\w+)", seeded).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    signed_in = opener.open(urllib.request.Request(f"{base}/login/", data=form))
    # A demo account must change its printed password first, as its user would.
    assert signed_in.geturl().endswith("/password/change/"), signed_in.geturl()
    return _change_password(opener, base, signed_in.read().decode(), password)


def _change_password(opener, base, change_page: str, password: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', change_page).group(1)
    new = "Embedded-default-2026!"
    form = urllib.parse.urlencode(
        {"old_password": password, "new_password1": new, "new_password2": new,
         "csrfmiddlewaretoken": token}
    ).encode()  # fmt: skip
    opener.open(urllib.request.Request(f"{base}/password/change/", data=form))
    return opener.open(f"{base}/").read().decode()
