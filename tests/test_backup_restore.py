"""scripts/backup.sh and scripts/restore.sh, run for real against the test database: a restore
into a fresh database and media directory is verified against the backup's manifest, and a
backup that does not match its manifest fails the verification."""

import hashlib
import os
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from campaigns.models import Evidence, LedgerEntry
from tests.campaigns.builders import build_small_year, hand_in

# The scripts run in other processes: the first test's data must be committed to be dumped;
# the others dump only the schema (and flushing the database after them would cost seconds).
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="需要 DATABASE_URL（真实 PostgreSQL）",
)
SCRIPTS = Path(settings.BASE_DIR) / "scripts"
PHOTO = b"\xff\xd8\xff\xe0 a photo of the new road, week 3 \xff\xd9"


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{name}"


def _run(script: str, *args: str, database: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _url(database), "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [str(SCRIPTS / script), *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def restored_databases():
    """Names for restored databases, dropped together at the end whatever the tests did: each
    DROP DATABASE waits for a checkpoint, and the second one right after the first is cheap."""
    names = []
    try:
        yield names
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(restored_databases):
    """A database name no one uses yet."""
    name = f"{connection.settings_dict['NAME'][:40]}_restore_{uuid.uuid4().hex[:8]}"
    restored_databases.append(name)
    return name


def _back_up(media: Path, dest: Path) -> Path:
    done = _run("backup.sh", str(dest), database=connection.settings_dict["NAME"], media=media)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_restore_into_a_fresh_database_is_verified(tmp_path, fresh_database):
    small = build_small_year(year=2026)
    ledger = hand_in(small, week=3, investment="4.5")
    entry = LedgerEntry.objects.get(ledger=ledger, indicator=small.investment)
    sha = hashlib.sha256(PHOTO).hexdigest()
    photo = Evidence(
        entry=entry,
        kind=Evidence.Kind.IMAGE,
        original_name="新路.jpg",
        size=len(PHOTO),
        sha256=sha,
        extension="jpg",
        uploaded_by=small.reporter,
    )
    photo.file.save("x.jpg", ContentFile(PHOTO))
    media = Path(settings.MEDIA_ROOT)

    backup = _back_up(media, tmp_path / "backups")
    restored_media = tmp_path / "restored-media"
    done = _run("restore.sh", str(backup), database=fresh_database, media=restored_media)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "校验通过" in done.stdout
    assert "campaigns_ledgerentry" in done.stdout and "不一致 DIFFERS" not in done.stdout
    # Spot checks: the entry's figure in the restored database, the photo's bytes on disk.
    with psycopg.connect(_url(fresh_database)) as restored:
        value, photo_path = restored.execute(
            "SELECT e.value, f.file FROM campaigns_ledgerentry e"
            " JOIN campaigns_evidence f ON f.entry_id = e.id WHERE e.id = %s",
            [entry.pk],
        ).fetchone()
    assert value == Decimal("4.5")
    assert (restored_media / photo_path).read_bytes() == PHOTO
    # A second restore onto what now holds data is refused without --force.
    again = _run("restore.sh", str(backup), database=fresh_database, media=restored_media)
    assert again.returncode == 2 and "--force" in again.stderr


def _tampered(line: str) -> str:
    kind, *fields = line.split("\t")
    if kind == "rows" and fields[0] == "public.accounts_user":
        return f"rows\t{fields[0]}\t{int(fields[1]) + 1}"
    if kind == "media":
        return f"media\t{'0' * 64}\t{fields[1]}"
    return line


@pytest.mark.django_db
def test_a_restore_that_differs_from_the_manifest_fails(tmp_path, fresh_database):
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "a.pdf").write_bytes(b"%PDF-1.4 a report")
    backup = _back_up(media, tmp_path / "backups")
    manifest = backup / "manifest.tsv"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    # Claim one more user than was backed up, and a different checksum for the PDF.
    manifest.write_text("".join(f"{_tampered(line)}\n" for line in lines), encoding="utf-8")

    done = _run("restore.sh", str(backup), database=fresh_database, media=tmp_path / "restored")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "校验失败" in done.stderr
    differs = [line for line in done.stdout.splitlines() if "不一致 DIFFERS" in line]
    assert any("accounts_user" in line for line in differs)
    assert any("evidence/a.pdf" in line for line in differs)


@pytest.mark.django_db
def test_a_damaged_dump_is_refused_before_anything_changes(tmp_path, fresh_database):
    media = tmp_path / "media"
    media.mkdir()
    backup = _back_up(media, tmp_path / "backups")
    with (backup / "database.dump").open("ab") as dump:
        dump.write(b"x")

    done = _run("restore.sh", str(backup), database=fresh_database, media=tmp_path / "restored")

    assert done.returncode == 2 and "database.dump" in done.stderr
    with psycopg.connect(_url("postgres")) as admin:
        found = admin.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", [fresh_database]
        ).fetchone()
    assert found == (0,) and not (tmp_path / "restored").exists()
