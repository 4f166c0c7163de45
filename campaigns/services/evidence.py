"""Evidence behind entries and on-site checks: accepted by content, stored once per content.

A file is judged by what it is, not by its name: an image must open and decode in Pillow, a
PDF must parse in pypdf. Files are content-addressed (sha256), so the same photo uploaded
twice is stored once and the reviewer can be told it was reused (campaigns.flags). A refused
upload writes nothing; a database error after the files were written removes them again.
"""

import contextlib
import hashlib
import io
import math
import os
import warnings
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader

from ..errors import LedgerError
from ..models import Evidence, FollowUpEvent, Inspection, LedgerEntry, WeeklyLedger
from .ledger import editable_indicator_ids, is_unit_member

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
THUMBNAIL_PIXELS = 320
ACCEPTED = "只接受 JPG/PNG/WebP 图片和 PDF 文件"

# What the content is, told by its first bytes: (extension, kind, Pillow format, Chinese name).
IMAGE_TYPES = {
    "jpg": ("JPEG", "JPEG 图片"),
    "png": ("PNG", "PNG 图片"),
    "webp": ("WEBP", "WebP 图片"),
}
# What a name promises: the extension people use → the kind they expect.
NAME_PROMISES = {
    "jpg": Evidence.Kind.IMAGE,
    "jpeg": Evidence.Kind.IMAGE,
    "jpe": Evidence.Kind.IMAGE,
    "jfif": Evidence.Kind.IMAGE,
    "png": Evidence.Kind.IMAGE,
    "webp": Evidence.Kind.IMAGE,
    "pdf": Evidence.Kind.PDF,
}
# Types we recognise only to name them in the refusal ("实际为 Windows 可执行程序").
OTHER_SIGNATURES = [
    (b"MZ", "Windows 可执行程序"),
    (b"\x7fELF", "可执行程序"),
    (b"PK\x03\x04", "ZIP 压缩包或 Office 文档"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\xd0\xcf\x11\xe0", "Office 文档"),
    (b"GIF8", "GIF 动图"),
    (b"BM", "BMP 图片"),
    (b"II*\x00", "TIFF 图片"),
    (b"MM\x00*", "TIFF 图片"),
]
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
DATETIME = 306


@dataclass
class Checked:
    """What the content check found out about an upload."""

    kind: str
    extension: str
    sha256: str
    captured_at: datetime | None = None
    thumbnail: bytes | None = None
    content: bytes = b""


def max_bytes() -> int:
    return getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)


def _size(size: int, *, round_up: bool) -> str:
    """'12.3 MB', '1.5 KB', '800 字节'; the file's size is rounded up, the limit is not, so a
    file just over "10 MB" is never shown as "10 MB"."""
    if size < 1024:
        return f"{size} 字节"
    unit, scale = ("MB", 1024 * 1024) if size >= 1024 * 1024 else ("KB", 1024)
    tenths = size * 10 / scale
    tenths = math.ceil(tenths) if round_up else round(tenths)
    text = f"{tenths / 10:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + " " + unit


def sniff(content: bytes) -> tuple[str | None, str]:
    """(extension we accept or None, what the content is in Chinese) from the first bytes."""
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg", IMAGE_TYPES["jpg"][1]
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", IMAGE_TYPES["png"][1]
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp", IMAGE_TYPES["webp"][1]
    if content.startswith(b"%PDF-"):
        return "pdf", "PDF"
    for signature, name in OTHER_SIGNATURES:
        if content.startswith(signature):
            return None, name
    return None, "无法识别的文件类型"


def check_content(name: str, content: bytes) -> Checked:
    """Accept `content` as an image or a PDF, or raise LedgerError saying why not (pure)."""
    if not content:
        raise LedgerError(f"文件「{name}」是空文件。")
    extension, actual = sniff(content)
    promised = NAME_PROMISES.get(os.path.splitext(name)[1].lower().lstrip("."))
    kind = Evidence.Kind.PDF if extension == "pdf" else Evidence.Kind.IMAGE
    if extension is None or (promised is not None and promised != kind):
        # A JPEG named .png is accepted (phones and chat apps do this; we store it as .jpg),
        # but a name promising an image over a PDF or a program is refused as a disguise.
        if promised == Evidence.Kind.IMAGE:
            raise LedgerError(
                f"文件「{name}」的内容不是图片（实际为{_spaced(actual)}），{ACCEPTED}。"
            )
        if promised == Evidence.Kind.PDF:
            raise LedgerError(
                f"文件「{name}」的内容不是 PDF（实际为{_spaced(actual)}），{ACCEPTED}。"
            )
        raise LedgerError(f"文件「{name}」不能上传（{actual}）：{ACCEPTED}。")
    digest = hashlib.sha256(content).hexdigest()
    if kind == Evidence.Kind.PDF:
        _check_pdf(name, content)
        return Checked(kind=kind, extension=extension, sha256=digest)
    captured_at, thumbnail = _check_image(name, content, IMAGE_TYPES[extension][0])
    return Checked(
        kind=kind,
        extension=extension,
        sha256=digest,
        captured_at=captured_at,
        thumbnail=thumbnail,
    )


def check_upload(upload, *, name: str | None = None, limit: int | None = None) -> Checked:
    """Size and content check of an uploaded file: the one checker for every upload that is
    kept as evidence (ledger entries, inspections, appeals, file entries, adjustments and
    vetoes). Raises LedgerError in Chinese; leaves the upload rewound for saving."""
    name = name or os.path.basename(getattr(upload, "name", "") or "").strip() or "未命名文件"
    limit = limit or max_bytes()
    if upload.size is not None and upload.size > limit:
        raise LedgerError(
            f"文件过大（{_size(upload.size, round_up=True)}），"
            f"单个文件不能超过 {_size(limit, round_up=False)}"
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    if len(content) > limit:  # the declared size is not trusted
        raise LedgerError(f"文件过大，单个文件不能超过 {_size(limit, round_up=False)}")
    checked = check_content(name, content)
    checked.content = content
    return checked


def _spaced(actual: str) -> str:
    # "实际为 PDF" but "实际为PNG 图片" reads oddly: a space before a Latin word.
    return f" {actual}" if actual[:1].isascii() else actual


def _check_pdf(name: str, content: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise LedgerError(f"文件「{name}」是加密的 PDF，请上传未加密的文件。")
        pages = len(reader.pages)
    except LedgerError:
        raise
    except Exception:
        # pypdf reports malformed files through many exception types (KeyError, struct and
        # zlib errors, RecursionError …), not only its own: any of them means "not a PDF".
        raise LedgerError(f"文件「{name}」不是有效的 PDF（无法解析），请重新导出后上传。") from None
    if pages == 0:
        raise LedgerError(f"文件「{name}」是没有页面的 PDF。")


def _check_image(name: str, content: bytes, pillow_format: str):
    """(capture time, JPEG thumbnail bytes); refuses corrupt images and decompression bombs."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; both are refused here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=[pillow_format]) as image:
                image.verify()
            with Image.open(io.BytesIO(content), formats=[pillow_format]) as image:
                captured_at = _captured_at(image)
                thumbnail = _thumbnail(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise LedgerError(
                f"图片「{name}」像素数过大（超过 {Image.MAX_IMAGE_PIXELS // 10000} 万像素），"
                "可能是异常文件，请缩小后再上传。"
            ) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            # Pillow reports truncated or broken data as OSError / SyntaxError.
            raise LedgerError(f"文件「{name}」不是有效的图片（已损坏或不完整）。") from None
    return captured_at, thumbnail


def _captured_at(image: Image.Image) -> datetime | None:
    """EXIF DateTimeOriginal, else DateTime, read as the county's local time."""
    try:
        exif = image.getexif()
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    except Exception:  # a broken EXIF block only means "time unknown"
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:  # "0000:00:00 00:00:00" and blanks from cameras without a clock
        return None
    # Cameras record local time without a zone; the county's phones are on Beijing time.
    return moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def _thumbnail(image: Image.Image) -> bytes:
    # JPEG only (a no-op for others): decode at 1/2…1/8 scale, enough for a thumbnail.
    image.draft("RGB", (THUMBNAIL_PIXELS * 2, THUMBNAIL_PIXELS * 2))
    upright = ImageOps.exif_transpose(image)  # phones store portrait photos turned sideways
    upright.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
    if upright.mode not in ("RGB", "L"):
        rgba = upright.convert("RGBA")
        upright = Image.new("RGB", rgba.size, "white")
        upright.paste(rgba, mask=rgba.getchannel("A"))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


STORAGE_FAILED = "服务器存储空间不足或暂时无法写入，文件未保存，请稍后重试或联系系统管理员。"


def _storage():
    return Evidence._meta.get_field("file").storage


def _store(name: str, content: bytes, written: list[str]) -> str:
    """Save `content` under `name` unless that content-addressed file is already there."""
    storage = _storage()
    if storage.exists(name):
        return name
    try:
        saved = storage.save(name, ContentFile(content))
    except OSError as error:
        # Disk full or media not writable: the storage leaves a partly written file behind;
        # remove it (it was not there before) and refuse, so the row is rolled back too.
        with contextlib.suppress(OSError):
            storage.delete(name)
        raise LedgerError(STORAGE_FAILED) from error
    written.append(saved)
    if saved != name:
        # Another upload of the same content won the race; its file is byte-identical.
        storage.delete(saved)
        written.remove(saved)
    return name


def _entry_refusal(user, entry: LedgerEntry, *, now: datetime, verb: str) -> str | None:
    ledger = (
        WeeklyLedger.objects.select_for_update().select_related("period").get(pk=entry.ledger_id)
    )
    if not is_unit_member(user, ledger.unit_id):
        return f"只能为本单位的实帐{verb}佐证材料。"
    if entry.indicator_id not in editable_indicator_ids(ledger, now=now):
        return f"「{entry.indicator.name}」当前不可修改（已提交或帐期已锁定），不能{verb}佐证材料。"
    return None


def _report_refusal(user, report, *, now: datetime, verb: str) -> str | None:
    """A project or village report's photos: its unit while the report is editable."""
    from .registers.reporting import report_editable  # (it imports services.ledger)

    ledger = (
        WeeklyLedger.objects.select_for_update().select_related("period").get(pk=report.ledger_id)
    )
    if not is_unit_member(user, ledger.unit_id):
        return f"只能为本单位的周报{verb}照片。"
    if not report_editable(ledger, report.review_status, now=now):
        return f"该周报当前不可修改（已提交或帐期已锁定），不能{verb}照片。"
    return None


def attach_evidence(
    *,
    entry: LedgerEntry | None = None,
    inspection: Inspection | None = None,
    follow_up_event: FollowUpEvent | None = None,
    project_report=None,
    village_report=None,
    upload,
    user,
    now: datetime | None = None,
) -> Evidence:
    """Attach an uploaded photo or PDF to an entry (its unit, while editable), an inspection
    (its inspector) or a follow-up reply (the replying unit's people).

    The original bytes are kept as uploaded (their hash is what reveals reuse); only the
    thumbnail is turned upright.
    """
    now = now or timezone.now()
    report = project_report or village_report
    owners = (entry, inspection, follow_up_event, project_report, village_report)
    if sum(owner is not None for owner in owners) != 1:
        raise LedgerError("佐证材料须附在一条实帐条目、一次实地查看记录或一条交办反馈上。")
    name = os.path.basename(upload.name or "").strip() or "未命名文件"
    written: list[str] = []
    try:
        with transaction.atomic():
            if entry is not None:
                refusal = _entry_refusal(user, entry, now=now, verb="上传")
            elif report is not None:
                refusal = _report_refusal(user, report, now=now, verb="上传")
            elif follow_up_event is not None:
                refusal = (
                    None
                    if is_unit_member(user, follow_up_event.follow_up.unit_id)
                    else "只能为本单位的交办反馈上传材料。"
                )
            else:
                refusal = (
                    None
                    if inspection.inspector_id == user.pk
                    else "只能为自己的实地查看记录上传照片。"
                )
            if refusal:
                raise LedgerError(refusal)
            checked = check_upload(upload, name=name)
            content = checked.content

            evidence = Evidence(
                entry=entry,
                inspection=inspection,
                follow_up_event=follow_up_event,
                project_report=project_report,
                village_report=village_report,
                kind=checked.kind,
                original_name=name[:200],
                size=len(content),
                sha256=checked.sha256,
                extension=checked.extension,
                captured_at=checked.captured_at,
                uploaded_by=user,
            )
            # upload_to is content-addressed: sha256 and extension set above give the name.
            path = Evidence._meta.get_field("file").generate_filename(evidence, name)
            evidence.file.name = _store(path, content, written)
            if checked.thumbnail is not None:
                thumb = f"thumbnails/{checked.sha256[:2]}/{checked.sha256}.jpg"
                evidence.thumbnail.name = _store(thumb, checked.thumbnail, written)
            evidence.full_clean()
            evidence.save()
    except BaseException:
        # Only files this call wrote: a file that was already there belongs to other rows.
        for path in written:
            _storage().delete(path)
        raise
    return evidence


def delete_evidence(*, evidence: Evidence, user, now: datetime | None = None) -> None:
    """Remove evidence: the entry's unit while the entry is editable, or the inspector.

    The stored file goes once no other evidence row points at the same content.
    """
    now = now or timezone.now()
    with transaction.atomic():
        evidence = (
            Evidence.objects.select_related("entry__indicator", "inspection")
            .filter(pk=evidence.pk)
            .first()
        )
        if evidence is None:
            raise LedgerError("该佐证材料已删除。")
        if evidence.entry is not None:
            refusal = _entry_refusal(user, evidence.entry, now=now, verb="删除")
        elif evidence.project_report_id or evidence.village_report_id:
            report = evidence.project_report or evidence.village_report
            refusal = _report_refusal(user, report, now=now, verb="删除")
        elif evidence.follow_up_event_id is not None:
            refusal = "交办反馈的材料已记入办理过程，不能删除。"
        else:
            refusal = (
                None
                if evidence.inspection.inspector_id == user.pk
                else "只能删除自己实地查看记录中的照片。"
            )
        if refusal:
            raise LedgerError(refusal)
        paths = [evidence.file.name, evidence.thumbnail.name]
        evidence.delete()
        transaction.on_commit(lambda: _delete_unreferenced([p for p in paths if p]))


def _delete_unreferenced(paths: list[str]) -> None:
    storage = _storage()
    for path in paths:
        in_use = Evidence.objects.filter(file=path).exists() or (
            Evidence.objects.filter(thumbnail=path).exists()
        )
        if not in_use:
            storage.delete(path)
