"""What the PDF documents share: the renderer and its static-only fetcher, the page furniture,
download names, request parameters, and Chinese numbers and dates."""

import mimetypes
import re
from collections.abc import Callable
from itertools import groupby
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from jiaozhang.ids import as_id

PDF = "application/pdf"
Progress = Callable[[int], None] | None
MISSING_PARAMS = "报表参数不完整。"


def static_roots() -> list[Path]:
    """The folders the PDF renderer may read from: the project's static files, nothing else."""
    roots = [Path(p) for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    return [root.resolve() for root in roots]


class StaticOnlyFetcher(URLFetcher):
    """Serves file: URLs under the static folders; refuses (and records) everything else.

    No network, no data: URIs, no file outside static/ — an `<img src=file:///etc/passwd>`
    that somehow reached the HTML would be refused here, not read.
    """

    def __init__(self):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.fetched: list[str] = []
        self.refused: list[str] = []

    def allowed_path(self, url: str) -> Path | None:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parsed.path))).resolve()
        for root in static_roots():
            if path.is_relative_to(root) and path.is_file():
                return path
        return None

    def fetch(self, url, headers=None):
        path = self.allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"PDF 渲染拒绝读取：{url}")
        self.fetched.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def render_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Print HTML to PDF; relative URLs (the print CSS) resolve inside static/reports/."""
    css = finders.find("reports/print.css")
    base_url = Path(css).resolve().parent.as_uri() + "/"
    return HTML(
        string=html, base_url=base_url, url_fetcher=fetcher or StaticOnlyFetcher()
    ).write_pdf()


def document(
    template: str, context: dict, progress: Progress, *, steps=(40, 60), fetcher=None
) -> bytes:
    if progress:
        progress(steps[0])
    context = {
        "office": settings.ISSUING_OFFICE,
        "copy_to": settings.NOTICE_COPY_TO,  # the 通报's 版记
        "printed_at": timezone.localtime(),
        **context,
    }
    html = render_to_string(template, context)
    if progress:
        progress(steps[1])
    return render_pdf(html, fetcher=fetcher)


_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\\/:*?"<>|]+')


def safe_filename(name: str) -> str:
    """A download name without path separators or characters Windows refuses."""
    return _UNSAFE_IN_FILENAME.sub("", name).strip(" .")[:150] or "报表"


def param_id(params: dict, key: str) -> int | None:
    # Params come from requests: only an id the database can hold is one.
    return as_id(params.get(key))


DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 35 → 三十五 (numbering of sections and groups, n < 100)."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return DIGITS[n]
    return f"{DIGITS[tens] if tens > 1 else ''}十{DIGITS[ones] if ones else ''}"


def numbered(groups):
    return [(chinese_number(i), group, rows) for i, (group, rows) in enumerate(groups, 1)]


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def by_group(rows) -> list[tuple[object, list]]:
    """Rows ordered by ranking group, as (group, its rows)."""
    return [(group, list(items)) for group, items in groupby(rows, key=lambda s: s.group)]
