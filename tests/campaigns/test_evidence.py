"""Evidence uploads: judged by content, stored once per content, refused without a trace."""

import hashlib
import io
import os
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image
from pypdf import PdfWriter

from accounts.roles import Role
from campaigns.errors import LedgerError
from campaigns.models import Evidence, Indicator, Inspection
from campaigns.services.evidence import attach_evidence, delete_evidence
from campaigns.services.ledger import EntryInput, open_ledger, save_entries, submit_ledger
from campaigns.services.years import set_target
from tests.helpers import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- tiny real files -------------------------------------------------------------------------


def jpeg(*, size=(64, 48), original=None, plain=None, orientation=None, color="red") -> bytes:
    """A JPEG; `original` goes to EXIF DateTimeOriginal (Exif IFD), `plain` to DateTime."""
    exif = Image.Exif()
    if plain:
        exif[306] = plain
    if original:
        exif.get_ifd(0x8769)[36867] = original
    if orientation:
        exif[274] = orientation
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", exif=exif)
    return out.getvalue()


def png(size=(20, 10), color="blue") -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, color).save(out, "PNG")
    return out.getvalue()


def pdf(*, password=None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def stored_files(root) -> list[str]:
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


# --- data ------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def ctx(year_2026, county):
    """城关镇's draft ledger of week 10 (02.03–08.03, deadline Fri 06.03 18:00) with one entry."""
    fgw = county.units_named("县发展和改革委员会")
    township, other = county.units[0], county.units[1]
    indicator = Indicator.objects.create(
        campaign=year_2026.campaigns.get(name="项目建设会战"),
        name="固定资产投资完成额",
        measure="亿元",
        direction="higher",
        points=Decimal("10"),
        lead_unit=fgw,
    )
    set_target(indicator=indicator, unit=township, annual_value=Decimal("12"))
    set_target(indicator=indicator, unit=other, annual_value=Decimal("12"))
    period = year_2026.periods.get(iso_week=10)
    ledger = open_ledger(unit=township, period=period)
    other_ledger = open_ledger(unit=other, period=period)
    return SimpleNamespace(
        indicator=indicator,
        period=period,
        ledger=ledger,
        entry=ledger.entries.get(),
        other_entry=other_ledger.entries.get(),
        reporter=make_user("rep", Role.REPORTER, unit=township),
        head=make_user("head", Role.UNIT_HEAD, unit=township),
        other_reporter=make_user("rep2", Role.REPORTER, unit=other),
        reviewer=make_user("rev", Role.REVIEWER, unit=fgw),
        now=period.deadline - timedelta(hours=24),
    )


def attach(ctx, name, content, *, entry=None, user=None, now=None) -> Evidence:
    return attach_evidence(
        entry=entry or ctx.entry,
        upload=upload(name, content),
        user=user or ctx.reporter,
        now=now or ctx.now,
    )


def refusal(ctx, name, content, **kwargs) -> str:
    with pytest.raises(LedgerError) as caught:
        attach(ctx, name, content, **kwargs)
    return " ".join(caught.value.messages)


# --- accepted files --------------------------------------------------------------------------


def test_jpeg_is_stored_by_its_hash_with_capture_time_and_upright_thumbnail(ctx, media):
    """A 640×480 photo with orientation 6 (turned 90°) is shown 240×320 in the thumbnail."""
    content = jpeg(size=(640, 480), original="2026:03:01 08:15:00", orientation=6)
    digest = hashlib.sha256(content).hexdigest()

    evidence = attach(ctx, "工地现场.jpg", content)

    evidence.refresh_from_db()
    assert evidence.kind == Evidence.Kind.IMAGE
    assert (evidence.extension, evidence.sha256, evidence.size) == ("jpg", digest, len(content))
    assert evidence.original_name == "工地现场.jpg"
    assert evidence.uploaded_by == ctx.reporter
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}.jpg"
    assert (media / evidence.file.name).read_bytes() == content  # kept as uploaded
    assert evidence.captured_at == datetime(2026, 3, 1, 8, 15, tzinfo=SHANGHAI)
    with Image.open(media / evidence.thumbnail.name) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (240, 320))


def test_capture_time_falls_back_to_exif_datetime(ctx, media):
    evidence = attach(ctx, "a.jpg", jpeg(plain="2026:02:27 17:30:05"))

    assert evidence.captured_at == datetime(2026, 2, 27, 17, 30, 5, tzinfo=SHANGHAI)


def test_png_without_exif_has_no_capture_time(ctx, media):
    evidence = attach(ctx, "截图.png", png(size=(800, 400)))

    assert (evidence.kind, evidence.extension, evidence.captured_at) == ("image", "png", None)
    with Image.open(media / evidence.thumbnail.name) as thumb:
        assert thumb.size == (320, 160)


def test_webp_is_accepted(ctx, media):
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "green").save(out, "WEBP")

    evidence = attach(ctx, "现场.webp", out.getvalue())

    assert (evidence.kind, evidence.extension) == ("image", "webp")
    assert evidence.thumbnail


def test_pdf_is_accepted_without_thumbnail(ctx, media):
    evidence = attach(ctx, "验收报告.pdf", pdf())

    assert (evidence.kind, evidence.extension, evidence.captured_at) == ("pdf", "pdf", None)
    assert not evidence.thumbnail
    assert (media / evidence.file.name).exists()


def test_an_image_under_another_image_name_is_stored_under_its_real_type(ctx, media):
    """Chat apps save JPEGs as .png: harmless, kept, but stored and typed as what it is."""
    evidence = attach(ctx, "微信图片.png", jpeg())

    assert evidence.extension == "jpg"
    assert evidence.file.name.endswith(".jpg")


def test_a_name_without_a_known_extension_is_judged_by_content(ctx, media):
    evidence = attach(ctx, "扫描件", pdf())

    assert (evidence.kind, evidence.file.name[-4:]) == ("pdf", ".pdf")


def test_the_same_file_twice_is_stored_once(ctx, media):
    content = jpeg(original="2026:03:02 09:00:00")

    first = attach(ctx, "a.jpg", content)
    second = attach(ctx, "copy-of-a.jpg", content)

    assert Evidence.objects.count() == 2
    assert first.file.name == second.file.name
    assert first.thumbnail.name == second.thumbnail.name
    assert stored_files(media) == sorted([first.file.name, first.thumbnail.name])


# --- refused files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", pdf(), "文件「photo.jpg」的内容不是图片（实际为 PDF）"),
        ("report.pdf", png(), "文件「report.pdf」的内容不是 PDF（实际为 PNG 图片）"),
        ("setup.jpg", b"MZ\x90\x00" + bytes(300), "内容不是图片（实际为 Windows 可执行程序）"),
        (
            "noise.png",
            b"just some bytes " * 20,
            "文件「noise.png」的内容不是图片（实际为无法识别的文件类型）",
        ),
        ("table.docx", b"PK\x03\x04" + bytes(300), "只接受 JPG/PNG/WebP 图片和 PDF 文件"),
        ("photo.gif", b"GIF89a" + bytes(30), "只接受 JPG/PNG/WebP 图片和 PDF 文件"),
        ("cut.jpg", jpeg(size=(300, 300))[:400], "文件「cut.jpg」不是有效的图片（已损坏或不完整）"),
        ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x07" * 200, "不是有效的图片"),
        ("locked.pdf", pdf(password="123"), "文件「locked.pdf」是加密的 PDF"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj garbage", "文件「broken.pdf」不是有效的 PDF"),
        ("empty.jpg", b"", "文件「empty.jpg」是空文件"),
    ],
)
def test_content_decides_not_the_name(ctx, media, name, content, message):
    assert message in refusal(ctx, name, content)
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_file_over_the_default_limit(ctx, media):
    """12 897 484 bytes = 12.29999… MiB, shown rounded up as 12.3 MB; default limit 10 MiB."""
    content = b"\xff\xd8\xff" + bytes(12_897_484 - 3)

    assert refusal(ctx, "big.jpg", content) == "文件过大（12.3 MB），单个文件不能超过 10 MB"
    assert stored_files(media) == []


def test_file_over_a_configured_limit(ctx, media, settings):
    """Limit 2 048 bytes = 2 KB; a 3 000-byte PNG is 2.93 KB, shown rounded up as 3 KB."""
    settings.EVIDENCE_MAX_BYTES = 2048
    content = png() + bytes(3000 - len(png()))

    assert refusal(ctx, "p.png", content) == "文件过大（3 KB），单个文件不能超过 2 KB"
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("size", [(40, 30), (100, 100)])
def test_decompression_bombs_are_refused(ctx, media, monkeypatch, size):
    """Limit 1 000 px: 40×30 = 1 200 px only warns in Pillow, 100×100 raises; both refused."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    assert "像素数过大" in refusal(ctx, "bomb.png", png(size=size))
    assert stored_files(media) == []


def test_a_database_error_removes_the_files_just_written(ctx, media, monkeypatch):
    def fail(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Evidence, "save", fail)

    with pytest.raises(DatabaseError):
        attach(ctx, "a.jpg", jpeg())
    assert stored_files(media) == []


def test_a_database_error_keeps_a_file_other_evidence_uses(ctx, media, monkeypatch):
    kept = attach(ctx, "a.jpg", jpeg())
    monkeypatch.setattr(Evidence, "save", lambda *a, **k: (_ for _ in ()).throw(DatabaseError()))

    with pytest.raises(DatabaseError):
        attach(ctx, "again.jpg", jpeg())
    assert stored_files(media) == sorted([kept.file.name, kept.thumbnail.name])


# --- who and when ----------------------------------------------------------------------------


def test_unit_head_may_attach(ctx, media):
    assert attach(ctx, "a.png", png(), user=ctx.head).uploaded_by == ctx.head


@pytest.mark.parametrize("who", ["other_reporter", "reviewer"])
def test_only_the_entrys_unit_may_attach(ctx, media, who):
    assert (
        refusal(ctx, "a.png", png(), user=getattr(ctx, who)) == "只能为本单位的实帐上传佐证材料。"
    )
    assert stored_files(media) == []


def test_a_submitted_entry_takes_no_more_evidence(ctx, media):
    save_entries(
        ledger=ctx.ledger,
        user=ctx.reporter,
        changes={ctx.indicator.pk: EntryInput(value=Decimal("3"))},
        now=ctx.now,
    )
    submit_ledger(ledger=ctx.ledger, user=ctx.head, now=ctx.now)

    assert "当前不可修改" in refusal(ctx, "a.png", png())
    assert stored_files(media) == []


def test_a_locked_period_takes_no_more_evidence(ctx, media):
    after_lock = ctx.period.locks_at + timedelta(minutes=1)

    assert "当前不可修改" in refusal(ctx, "a.png", png(), now=after_lock)


def test_inspection_photos_belong_to_the_inspector(ctx, media):
    inspection = Inspection.objects.create(
        unit=ctx.entry.ledger.unit,
        entry=ctx.entry,
        inspector=ctx.reviewer,
        visited_on=date(2026, 3, 3),
        place="城关镇工业园",
        findings="主体已封顶",
    )

    photo = attach_evidence(
        inspection=inspection, upload=upload("现场.jpg", jpeg()), user=ctx.reviewer
    )
    assert photo.inspection == inspection and photo.entry is None

    with pytest.raises(LedgerError, match="只能为自己的实地查看记录上传照片"):
        attach_evidence(inspection=inspection, upload=upload("x.jpg", jpeg()), user=ctx.reporter)


# --- deleting --------------------------------------------------------------------------------


def test_delete_removes_row_and_file(ctx, media, django_capture_on_commit_callbacks):
    evidence = attach(ctx, "a.jpg", jpeg())

    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(evidence=evidence, user=ctx.head, now=ctx.now)

    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_delete_keeps_a_file_another_row_uses(ctx, media, django_capture_on_commit_callbacks):
    content = jpeg()
    first = attach(ctx, "a.jpg", content)
    attach(ctx, "b.jpg", content, entry=ctx.other_entry, user=ctx.other_reporter)

    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(evidence=first, user=ctx.reporter, now=ctx.now)

    assert Evidence.objects.count() == 1
    assert stored_files(media) == sorted([first.file.name, first.thumbnail.name])


def test_delete_is_refused_to_other_units_and_after_the_lock(ctx, media):
    evidence = attach(ctx, "a.jpg", jpeg())

    with pytest.raises(LedgerError, match="只能为本单位的实帐删除佐证材料"):
        delete_evidence(evidence=evidence, user=ctx.other_reporter, now=ctx.now)
    with pytest.raises(LedgerError, match="当前不可修改"):
        delete_evidence(
            evidence=evidence, user=ctx.reporter, now=ctx.period.locks_at + timedelta(1)
        )
    assert Evidence.objects.count() == 1


# --- serving ---------------------------------------------------------------------------------


def test_a_pdf_downloads_as_an_attachment_and_a_photo_shows_inline(ctx, media, client):
    """A PDF can carry /OpenAction JavaScript: it is never rendered inline by our origin."""
    active = pdf()  # real PDF; the check accepts it, serving must not run it
    document = attach(ctx, "现场核查报告.pdf", active)
    photo = attach(ctx, "现场.jpg", jpeg())
    client.force_login(ctx.reporter)
    response = client.get(f"/evidence/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    # RFC 5987: the Chinese name survives, percent-encoded in UTF-8.
    name = "%E7%8E%B0%E5%9C%BA%E6%A0%B8%E6%9F%A5%E6%8A%A5%E5%91%8A.pdf"  # 现场核查报告.pdf
    assert f"filename*=utf-8''{name}" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == active
    shown = client.get(f"/evidence/{photo.pk}/")
    assert (shown["Content-Type"], shown["Content-Disposition"]) == ("image/jpeg", "inline")
    assert shown["X-Content-Type-Options"] == "nosniff"
    thumbnail = client.get(f"/evidence/{photo.pk}/thumbnail/")
    assert (thumbnail["Content-Type"], thumbnail["Content-Disposition"]) == ("image/jpeg", "inline")
