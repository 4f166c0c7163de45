"""Downloads: the one Content-Disposition builder, and serving uploaded files.

Every download — PDFs and workbooks rendered in a request or by a report job, evidence, the
admin's templates — names its file through `attachment_disposition`: an ASCII `filename` for
old clients and the real (Chinese) name as RFC 5987 `filename*=utf-8''…` (RFC 6266).

An uploaded PDF may carry JavaScript (/OpenAction) and an uploaded file of any other type may
be HTML in disguise: only images whose content is an image we accept are shown in the browser;
the rest go out as attachments under their original (Chinese) name, never sniffed.
"""

import re
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

from campaigns.services.evidence import sniff

INLINE_IMAGES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def attachment_disposition(filename: str, *, fallback: str | None = None) -> str:
    """The Content-Disposition of a download named `filename`.

    `fallback` is the ASCII name old clients use (by default `filename` with everything but
    letters, digits, dot, dash and underscore dropped, or "download" with its extension).
    """
    if fallback is None:
        stem, dot, extension = filename.rpartition(".")
        if not dot:
            stem, extension = filename, ""
        stem = _NOT_PLAIN.sub("_", stem).strip("_.") or "download"
        extension = _NOT_PLAIN.sub("", extension)
        fallback = f"{stem}.{extension}" if extension else stem
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(filename, safe='')}"


def download_response(
    content: bytes, *, filename: str, content_type: str, fallback: str | None = None
) -> HttpResponse:
    """A document rendered for this request, as an attachment nobody caches."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(filename, fallback=fallback)
    response["Cache-Control"] = "private, no-store"
    return response


def stored_file_response(handle, *, filename: str, content_type: str) -> FileResponse:
    """A stored document (an open file) as an attachment named `filename`."""
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(filename)
    return response


def uploaded_file_response(stored, *, filename: str) -> FileResponse:
    """The response for a stored upload (a FieldFile), named `filename` when downloaded."""
    handle = stored.open("rb")
    head = handle.read(16)
    handle.seek(0)
    extension, _what = sniff(head)
    if extension in INLINE_IMAGES:
        response = FileResponse(handle, content_type=INLINE_IMAGES[extension])
        response["Content-Disposition"] = "inline"
    else:
        content_type = "application/pdf" if extension == "pdf" else "application/octet-stream"
        response = stored_file_response(handle, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
