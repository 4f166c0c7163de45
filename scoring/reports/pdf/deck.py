"""The 亮相会's printed pack: the deck (scoring/showcase.py) as a landscape A4 PDF, a slide a page.

The office and county leaders may have it (they read every unit, and the pack shows every
unit's slide); leaders once the quarter is published, the office also as a preview. The
inspection photos are embedded from media storage: the renderer gets a fetcher that serves
exactly the thumbnails of this deck (by made-up addresses it hands out itself) and otherwise
only static files, as every document's does.
"""

from django.db.models import Max
from weasyprint.urls import URLFetcherResponse

from accounts.permissions import reads_every_unit
from campaigns.models import Evidence, FollowUp

from ...models import QuarterlyEvaluation
from ...selectors import results_visible_to
from ...showcase import printed_deck, quarter_days
from ..registry import Export, Rendered, register
from .rendering import (
    MISSING_PARAMS,
    PDF,
    Progress,
    StaticOnlyFetcher,
    document,
    param_id,
    safe_filename,
)

Status = QuarterlyEvaluation.Status
PHOTO_URL = "file:///jz-deck-photo/{pk}.jpg"


class DeckPhotoFetcher(StaticOnlyFetcher):
    """The static-only fetcher, plus the deck's own thumbnails (bytes read beforehand)."""

    def __init__(self, photos: dict[str, bytes]):
        super().__init__()
        self.photos = photos

    def fetch(self, url, headers=None):
        if url in self.photos:
            self.fetched.append(url)
            return URLFetcherResponse(
                url, body=self.photos[url], headers={"Content-Type": "image/jpeg"}
            )
        return super().fetch(url, headers)


def deck_allowed(user, params) -> str | None:
    evaluation_id = param_id(params, "evaluation_id")
    if evaluation_id is None:
        return MISSING_PARAMS
    if not reads_every_unit(user):
        return "亮相会材料包含全县各单位情况，仅供考核办和县领导下载。"
    if not results_visible_to(user).filter(pk=evaluation_id).exists():
        if QuarterlyEvaluation.objects.filter(pk=evaluation_id).exists():
            return "该季度考评尚未发布，不能下载亮相会材料。"
        return "没有这个季度考评。"
    return None


def deck_cache_key(params) -> str:
    """The version, and what changes after it: follow-ups and the quarter's photos."""
    evaluation = QuarterlyEvaluation.objects.select_related("year").get(
        pk=param_id(params, "evaluation_id")
    )
    key = f"v{evaluation.current_version_id}"
    if evaluation.status != Status.PUBLISHED:
        key = f"{key}-{evaluation.status}"
    changed = FollowUp.objects.filter(year=evaluation.year).aggregate(at=Max("updated_at"))["at"]
    start, end = quarter_days(evaluation.year.year, evaluation.quarter)
    photo = Evidence.objects.filter(inspection__visited_on__range=(start, end)).aggregate(
        last=Max("pk")
    )["last"]
    return f"{key}-f{int(changed.timestamp()) if changed else 0}-p{photo or 0}"


def _photo_bytes(deck) -> dict[str, bytes]:
    """Each shown thumbnail's bytes under the address the template prints (set on the row)."""
    photos = {}
    for slide in deck.units:
        for photo in slide.photos:
            url = PHOTO_URL.format(pk=photo.pk)
            try:
                with photo.thumbnail.open("rb") as handle:
                    photos[url] = handle.read()
            except (FileNotFoundError, OSError, ValueError):
                continue  # a thumbnail gone from storage: the slide prints without it
            photo.print_src = url
    return photos


def render_deck(params: dict, progress: Progress = None) -> Rendered:
    evaluation = QuarterlyEvaluation.objects.select_related("year", "current_version").get(
        pk=param_id(params, "evaluation_id")
    )
    deck = printed_deck(evaluation)
    fetcher = DeckPhotoFetcher(_photo_bytes(deck))
    content = document("reports/deck.html", {"deck": deck}, progress, fetcher=fetcher)
    draft = "（预览稿）" if deck.preview else ""
    name = f"{evaluation.title}交帐亮相会材料{draft}.pdf"
    return safe_filename(name), PDF, content


register(
    Export(
        identifier="showcase_deck",
        label="亮相会材料（PDF，横版）",
        render=render_deck,
        allowed=deck_allowed,
        cache_key=deck_cache_key,
    )
)
