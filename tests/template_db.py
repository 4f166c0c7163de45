"""The test databases on PostgreSQL are copies of one migrated template, not each migrated anew.

Running the migrations takes ~20 s of CPU (Django rendering the model states), and the suite
creates a test database per xdist worker, one for the fault phase and one per worker again for
each fixed-clock run. The first of them migrates a template database named after the hash of
every migration file and of the locked dependencies (a changed migration or package gives a new
name, so a template is never stale); every test database is then `CREATE DATABASE … TEMPLATE`
(under a second), and Django's own `migrate` on it finds nothing to apply. The data the
migrations write (role groups, beat schedules, holidays) comes with the copy.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
# pg_advisory_lock key: the workers of one run wait for the one building the template.
LOCK_KEY = 0x6A7A_7470  # "jztp"


def migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    files = [*sorted(ROOT.glob("*/migrations/*.py")), ROOT / "uv.lock"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def migrated_template(db: dict) -> str:
    """The name of a migrated template for the test databases of `db` (Django's settings of
    a PostgreSQL database), built now if no run has built it yet."""
    prefix = f"{db['NAME'][:30]}_tpl_"
    name = prefix + migrations_fingerprint()
    params = {
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
        try:
            existing = {
                row[0]
                for row in admin.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"]
                )
            }
            if name not in existing:
                # Older templates (other migrations) and a build a crash left half-done.
                for stale in existing:
                    admin.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(stale)
                        )
                    )
                _build(admin, name, params)
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    return name


def _build(admin, name: str, params: dict) -> None:
    """Migrate into `<name>_building`, then rename: a template exists only when complete."""
    building = f"{name}_building"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    password = f":{params['password']}" if params["password"] else ""
    url = f"postgres://{params['user']}{password}@{params['host']}:{params['port']}/{building}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=dict(os.environ, DATABASE_URL=url),
        check=True,
    )
    admin.execute(
        sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(building), sql.Identifier(name)
        )
    )
