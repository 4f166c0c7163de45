"""Load test: the Friday rush (bench/load/locustfile.py) against gunicorn, PostgreSQL and Redis.

Not part of CI (it takes minutes and the whole machine). From the project root:

    .venv/bin/python bench/load_test.py --database jiaozhang_load --users 10,20,40 --duration 60

It creates the database if missing, builds the city demo (`seed_demo --scale city
--no-password-change`, ~900 units) unless the database already holds it, gives the accounts it
drives one password (one hash, written in bulk), collects the static files, then starts gunicorn
(-w 2, 127.0.0.1 only, DEBUG off, a test SECRET_KEY) and one Celery worker, and runs Locust
headless for `--duration` seconds at each user count of `--users`, stepping up. For each step it
prints requests/s, p50/p95/p99 per page and the error rate, and marks the step saturated when a
page's p95 passes 500 ms (a submission's: 1 s) or any request fails. It exits 1 if any request
failed, 0 otherwise. `--json FILE` writes the figures for bench/run_all.py."""

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "Load-test-2026-friday"
PAGE_P95_MS = 500
SUBMIT_P95_MS = 1000
WRITES = ("周帐保存", "周帐提交", "周帐确认报送", "批量核实")
SIGN_IN = ("登录", "登录页")  # once per simulated person, at its start: reported, not judged
# The Friday share of each kind of person (Locust weights in the locustfile): 8 reporters to
# 3 reviewers to 1 leader to 1 office.


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="jz_load", help="PostgreSQL database (built here)")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--scale", choices=("county", "city"), default="city")
    parser.add_argument("--users", default="10,20,40", help="user counts to step through")
    parser.add_argument("--duration", type=int, default=60, help="seconds per step")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--json", help="write the figures to this file")
    return parser.parse_args()


def environment(args) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "REDIS_URL": args.redis,
        "DEBUG": "0",
        "SECRET_KEY": "load-test-only-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(Path(tempfile.gettempdir()) / f"jz-load-media-{args.database}"),
        "LOG_LEVEL": "WARNING",
    }


def manage(env, *arguments, quiet=True):
    return subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def prepare(args, env) -> tuple[Path, float | None]:
    """Create the database if missing, migrate, build the demo if missing (timed), and write
    the accounts file."""
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atqc",
         f"SELECT 1 FROM pg_database WHERE datname = '{args.database}'"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if not exists:  # bench/run_all.py names a database no one has created
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
             f'CREATE DATABASE "{args.database}"'],
            check=True,
        )  # fmt: skip
    manage(env, "migrate", "--noinput", "-v0")
    script = "from accounts.models import Unit; print(Unit.objects.filter(active=True).count())"
    units = int(
        subprocess.run(
            [PYTHON, "manage.py", "shell", "--no-imports", "-c", script],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip() or 0
    )  # fmt: skip
    built = None
    if units < (800 if args.scale == "city" else 80):
        started = time.perf_counter()
        manage(env, "seed_demo", "--force", "--scale", args.scale, "--no-password-change",
               "--password", PASSWORD)  # fmt: skip
        built = time.perf_counter() - started
    accounts = Path(tempfile.gettempdir()) / f"jz-load-accounts-{args.database}.json"
    script = ACCOUNTS_SCRIPT.format(path=str(accounts), password=PASSWORD)
    manage(env, "shell", "--no-imports", "-c", script)
    manage(env, "collectstatic", "--noinput", "-v0")
    return accounts, built


# Run in `manage.py shell`: the people the test drives, all with one password (hashed once and
# written in bulk: 900 PBKDF2 hashes would take minutes) and no first-sign-in change.
ACCOUNTS_SCRIPT = """
import json
from django.contrib.auth.hashers import make_password
from accounts.models import User
from accounts.roles import Role
people = {{
    "reporter": list(User.objects.filter(username__startswith="r-", is_active=True)
                     .order_by("?").values_list("username", flat=True)),
    "reviewer": list(User.objects.filter(groups__name=Role.REVIEWER.group_name, is_active=True)
                     .order_by("username").values_list("username", flat=True)),
    "leader": list(User.objects.filter(groups__name=Role.LEADER.group_name, is_active=True,
                                       is_superuser=False).values_list("username", flat=True)),
    "office": list(User.objects.filter(groups__name=Role.OFFICE.group_name, is_active=True)
                   .values_list("username", flat=True)),
}}
names = [name for group in people.values() for name in group]
update = {{"password": make_password({password!r})}}
if hasattr(User, "must_change_password"):
    update["must_change_password"] = False
User.objects.filter(username__in=names).update(**update)
people["password"] = {password!r}
open({path!r}, "w", encoding="utf-8").write(json.dumps(people, ensure_ascii=False))
"""


def start(args, env):
    log = Path(tempfile.gettempdir()) / f"jz-load-{args.database}"
    # The logs stay open as long as the processes run (closed when this script exits).
    web_log = open(f"{log}-web.log", "w")  # noqa: SIM115
    worker_log = open(f"{log}-worker.log", "w")  # noqa: SIM115
    web = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "jiaozhang.wsgi", "-w", str(args.workers),
         "-b", f"127.0.0.1:{args.port}", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "jiaozhang", "worker", "-P", "solo", "-c", "1",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{args.port}/healthz/",
                headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
            )
            with urllib.request.urlopen(request, timeout=5):
                return web, worker
        except OSError:
            time.sleep(1)
    stop(web, worker)
    sys.exit(f"gunicorn did not answer on port {args.port}: see {log}-web.log")


def stop(*processes):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def run_step(args, env, users: int, accounts: Path) -> list[dict]:
    prefix = Path(tempfile.gettempdir()) / f"jz-load-{args.database}-{users}"
    subprocess.run(
        [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/load/locustfile.py"),
         "--headless", "-u", str(users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
         "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix), "--only-summary",
         "--loglevel", "WARNING", "--stop-timeout", "10"],
        cwd=ROOT, env={**env, "JZ_LOAD_ACCOUNTS": str(accounts)}, check=False,
        stdout=subprocess.DEVNULL, stderr=open(f"{prefix}-locust.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        return [
            {
                "name": row["Name"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
            for row in csv.DictReader(handle)
        ]


def judge(rows: list[dict]) -> list[str]:
    """Why this step is saturated (empty: it is not)."""
    reasons = []
    for row in rows:
        if row["name"] == "Aggregated":
            continue
        if row["failures"]:
            reasons.append(f"{row['name']}: {row['failures']} errors")
        limit = SUBMIT_P95_MS if row["name"] in WRITES else PAGE_P95_MS
        if row["name"] not in SIGN_IN and row["p95"] > limit:
            reasons.append(f"{row['name']}: p95 {row['p95']:.0f} ms > {limit} ms")
    return reasons


def show(users: int, rows: list[dict], reasons: list[str]) -> None:
    total = next(r for r in rows if r["name"] == "Aggregated")
    rate = total["failures"] / total["requests"] if total["requests"] else 0
    saturated = f" — SATURATED ({'; '.join(reasons)})" if reasons else ""
    print(f"\n{users} users: {total['rps']:.1f} requests/s, {total['requests']} requests, "
          f"error rate {rate:.2%}{saturated}")  # fmt: skip
    print(f"  {'page':<16} {'req':>6} {'err':>4} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in rows:
        print(f"  {row['name']:<16} {row['requests']:>6} {row['failures']:>4} {row['rps']:>6.1f} "
              f"{row['p50']:>6.0f} {row['p95']:>6.0f} {row['p99']:>6.0f}")  # fmt: skip


def main() -> int:
    args = parse_args()
    env = environment(args)
    accounts, built = prepare(args, env)
    if built is not None:
        print(f"seed_demo --scale {args.scale}: {built:.0f} s")
    web, worker = start(args, env)
    steps, errors = [], 0
    try:
        for users in [int(n) for n in args.users.split(",")]:
            rows = run_step(args, env, users, accounts)
            reasons = judge(rows)
            show(users, rows, reasons)
            steps.append({"users": users, "rows": rows, "saturated": reasons})
            errors += sum(r["failures"] for r in rows if r["name"] != "Aggregated")
    finally:
        stop(web, worker)
    first = next((s["users"] for s in steps if s["saturated"]), None)
    print(f"\nsaturates at {first} users" if first else "\nnot saturated at any step")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"scale": args.scale, "duration": args.duration,
                        "workers": args.workers, "seed_seconds": built, "steps": steps},
                       ensure_ascii=False, indent=1),
            encoding="utf-8",
        )  # fmt: skip
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
