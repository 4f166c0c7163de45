"""Run every benchmark in bench/ and the load test, and rewrite docs/benchmarks.md with them.

Not part of CI (it takes from minutes to an hour and the whole machine). From the project root:

    .venv/bin/python bench/run_all.py --scale county                 # ~15 min on 2 cores
    .venv/bin/python bench/run_all.py --scale county --scale city    # add the city (~1 h)
    .venv/bin/python bench/run_all.py --scale county --only report_xlsx,quarter_compute

Each script runs on a database of its own, copied from a migrated empty template
(`CREATE DATABASE … TEMPLATE`), so no script measures on another's data; showcase.py reads a
database filled by `seed_demo --scale <scale>`. Then the load test (bench/load_test.py) runs
at city scale unless `--no-load`. The document is rewritten from what they printed: the
machine (CPU, cores, memory, PostgreSQL version), the date, every command and its output.
Databases are named `<prefix>_<script>_<scale>` (`--prefix`, default jz_bench) and dropped
afterwards unless `--keep`.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
NOT_BENCHMARKS = {"common.py", "load_test.py", "run_all.py"}
NEEDS_DEMO = {"showcase.py"}  # reads a seed_demo database instead of building its own
NO_DATABASE = {"upload_guard.py"}
DOC = ROOT / "docs" / "benchmarks.md"


def psql(sql: str, database: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atqc", sql],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip


def env_for(database: str | None, redis: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if database:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    env["REDIS_URL"] = redis
    return env


def fresh_database(name: str, template: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


def machine() -> list[str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor() or "?",
    )  # fmt: skip
    kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )  # fmt: skip
    python = subprocess.run(
        [PYTHON, "-c", "import django, psycopg, openpyxl, sys; print(sys.version.split()[0], "
         "django.get_version(), psycopg.__version__, openpyxl.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    load = os.getloadavg()
    return [
        f"- {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {platform.platform()}",
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {kib / 2**20:.1f} GiB",
        f"- PostgreSQL {psql('SHOW server_version')} on the same machine (127.0.0.1), "
        "default configuration; Redis on the same machine",
        f"- Python {python[0]}, Django {python[1]}, psycopg {python[2]}, openpyxl {python[3]}",
        f"- load average when the run started: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(other work on the machine slows the wall-clock figures; CPU figures much less)",
    ]


def run(command: list[str], env: dict) -> tuple[str, float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    # WeasyPrint's progress lines ("Step 2 - Fetching…") say nothing about the figures.
    lines = [line for line in done.stdout.splitlines() if not line.startswith("Step ")]
    if done.returncode:
        lines += ["", f"exit status {done.returncode}:", *done.stderr.strip().splitlines()[-8:]]
    return "\n".join(lines), seconds, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="append", choices=("county", "city"))
    parser.add_argument("--only", help="comma-separated script names (without .py)")
    parser.add_argument("--prefix", default="jz_bench")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--no-load", action="store_true", help="skip the load test")
    parser.add_argument("--load-users", default="10,20,40,80")
    parser.add_argument("--load-duration", type=int, default=60)
    parser.add_argument("--load-database", default="jz_load")
    parser.add_argument(
        "--load-output", help="a load_test.py output already taken (its command line first)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--output", default=str(DOC))
    args = parser.parse_args()
    scales = args.scale or ["county"]
    only = set(args.only.split(",")) if args.only else None
    scripts = sorted(
        path.name for path in (ROOT / "bench").glob("*.py")
        if path.name not in NOT_BENCHMARKS and (only is None or path.stem in only)
    )  # fmt: skip

    header = machine()
    template = f"{args.prefix}_template"
    fresh_database(template, "template0")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                   env=env_for(template, args.redis), check=True)  # fmt: skip

    sections, failed, made = [], 0, []
    for scale in scales:
        demo = None
        for script in scripts:
            if script in NO_DATABASE and scale != scales[0]:
                continue  # needs no data: the same at every scale
            database = None
            if script not in NO_DATABASE:
                database = f"{args.prefix}_{Path(script).stem}_{scale}"
                fresh_database(database, template)
                made.append(database)
            if script in NEEDS_DEMO and demo is None:
                demo = database
                seeded = ["manage.py", "seed_demo", "--scale", scale, "--no-password-change"]
                run([PYTHON, *seeded], env_for(database, args.redis))
            elif script in NEEDS_DEMO:
                database = demo
            takes_scale = '"--scale"' in (ROOT / "bench" / script).read_text(encoding="utf-8")
            command = [PYTHON, f"bench/{script}", *(["--scale", scale] if takes_scale else [])]
            print(f"{scale}: {' '.join(command[1:])} …", flush=True)
            output, seconds, status = run(command, env_for(database, args.redis))
            failed += bool(status)
            sections.append((scale, script, " ".join(command[1:]), output, seconds))

    load = None
    if args.load_output:
        command, _, output = Path(args.load_output).read_text(encoding="utf-8").partition("\n")
        load = (command, output, 0.0, None)
    elif not args.no_load:
        report = Path(tempfile.gettempdir()) / "jz-load-run-all.json"
        command = [PYTHON, "bench/load_test.py", "--database", args.load_database,
                   "--users", args.load_users, "--duration", str(args.load_duration),
                   "--redis", args.redis, "--json", str(report)]  # fmt: skip
        print(" ".join(command[1:]) + " …", flush=True)
        output, seconds, status = run(command, env_for(None, args.redis))
        failed += bool(status)
        load = (" ".join(command[1:]), output, seconds, status)

    if not args.keep:
        for database in [*made, template]:
            psql(f'DROP DATABASE IF EXISTS "{database}"')
    Path(args.output).write_text(document(header, sections, load, scales), encoding="utf-8")
    print(f"wrote {args.output}; {failed} command(s) failed")
    return 1 if failed else 0


def document(header, sections, load, scales) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Written by `bench/run_all.py` (do not edit by hand: run it again). Every script in",
        "`bench/` printed the figures below on this machine; each ran on a database of its own,",
        "built by the demo builder (see each script's docstring for what it measures and how).",
        "",
        "## Machine and date",
        "",
        *header,
        "- The machine is shared: other work ran at the same time (see the load average), so",
        "  wall-clock figures are upper bounds; the scripts print CPU time beside wall time",
        "  where it matters.",
        "",
        "## How to reproduce",
        "",
        "```sh",
        f".venv/bin/python bench/run_all.py {' '.join(f'--scale {s}' for s in scales)}",
        "```",
        "",
        "or any one script on a database of its own (see the commands below):",
        "",
        "```sh",
        "psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE jiaozhang_bench'",
        "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiaozhang_bench",
        ".venv/bin/python manage.py migrate && .venv/bin/python bench/<script>.py --scale county",
        "```",
        "",
        "Scales (DESIGN §7, `campaigns.demo.SCALES`): county = 20 townships, 60 departments,",
        "10 parks (90 units); city = ten counties (900 units).",
        "",
    ]
    for scale, script, command, output, seconds in sections:
        lines += [f"## {Path(script).stem} ({scale})", "", f"`{command}` — {seconds:.0f} s", ""]
        lines += ["```", output.strip() or "(no output)", "```", ""]
    if load:
        command, output, seconds, status = load
        scale = "county" if "--scale county" in command else "city"
        lines += [
            f"## Load test: the Friday rush ({scale})",
            "",
            f"`{command}`" + (f" — {seconds:.0f} s, exit status {status}" if seconds else ""),
            "",
            "Locust (headless, loopback only) against gunicorn -w 2 (DEBUG off), PostgreSQL,",
            f"Redis and one Celery worker, on the {scale} demo (seed_demo --scale {scale}). People",
            "in the proportion 8 reporters : 3 reviewers : 1 leader : 1 office, each signing",
            "in once, then clicking every 2–6 s: reporters open the week's ledger, save, submit",
            "and confirm it; reviewers open the queue and verify five rows; leaders and the",
            "office open their dashboards, the results and the completeness matrix. Times in",
            "ms. A step is saturated when a page's p95 passes 500 ms (a submission's 1 s) or a",
            "request fails; sign-in (one PBKDF2 hash each) is reported but not judged.",
            "",
            "```",
            output.strip(),
            "```",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
