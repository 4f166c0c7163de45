"""Evidence upload when the media storage fails: a full disk, or a media root that is not a
directory. The upload is refused in Chinese, no Evidence row points at a missing file and no
partly written file is left behind. Only the test's own temporary directory is touched."""

import os
import subprocess
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Evidence, LedgerEntry
from campaigns.selectors import current_year, period_containing
from campaigns.services.evidence import STORAGE_FAILED
from tests.campaigns.builders import build_small_year
from tests.campaigns.test_evidence import jpeg, stored_files, upload

pytestmark = pytest.mark.clock("2026-06-10 10:00")


@pytest.fixture
def small(db):
    return build_small_year()


@contextmanager
def full_tmpfs(path):
    """A 64 KiB tmpfs at `path`, filled to the last byte; unmounted afterwards, always."""
    if os.geteuid() != 0:
        pytest.skip("挂载 tmpfs 需要 root 权限")
    path.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)], check=True)
    try:
        try:
            with open(path / "filler", "wb", buffering=0) as filler:
                while True:
                    filler.write(b"x" * 4096)
        except OSError:
            pass  # full
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def post_photo(client, small):
    week = period_containing(current_year(), timezone.now())
    client.force_login(small.reporter)
    client.get(reverse("ledger-week", args=[week.pk]))  # opens the week's ledger
    target = LedgerEntry.objects.get(
        ledger__unit=small.reporter.unit, ledger__period=week, indicator=small.investment
    )
    url = reverse("evidence-upload", args=[target.pk])
    photo = upload("现场.jpg", jpeg(size=(200, 150)))
    return client.post(url, {"files": [photo]}, HTTP_HX_REQUEST="true")


def test_full_disk_refuses_the_upload_and_leaves_no_partial_file(client, small, settings, tmp_path):
    with full_tmpfs(tmp_path / "media") as media:
        settings.MEDIA_ROOT = media
        response = post_photo(client, small)
        assert response.status_code == 200
        assert STORAGE_FAILED in response.content.decode()
        assert not Evidence.objects.exists()
        assert stored_files(media) == ["filler"]


def test_unwritable_media_root_refuses_the_upload(client, small, settings, tmp_path):
    media = tmp_path / "media"
    media.write_text("不是目录")  # the media directory replaced by a file
    settings.MEDIA_ROOT = media
    response = post_photo(client, small)
    assert STORAGE_FAILED in response.content.decode()
    assert not Evidence.objects.exists()
    assert media.read_text() == "不是目录"
