"""Serving uploaded files: images we render open inline, everything else downloads.

An uploaded PDF may carry JavaScript (/OpenAction) and an uploaded file of any other type may
be HTML in disguise: only images whose content is an image we accept are shown in the browser;
the rest go out as attachments under their original (Chinese) name, never sniffed.
"""

from django.http import FileResponse

from campaigns.services.evidence import sniff

INLINE_IMAGES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


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
        # Django writes a non-ASCII name as RFC 5987 filename*=utf-8''… (and an ASCII fallback).
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
