"""The PDF documents: the quarterly 通报, a unit's scorecard, its 绩误档案, the annual 通报.

Each is an Export (scoring.reports.registry): a permission check that goes through the scoring
selectors, a cache key, and a render that fills a Django template (autoescaped: unit names and
comments are text, never markup) and prints it with WeasyPrint. The renderer gets a URL
fetcher that refuses everything but files under the project's static folders, so a document
can never pull in a local file or a network address, whatever its text contains.
"""

import mimetypes
import re
from collections import defaultdict
from collections.abc import Callable
from itertools import groupby
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from accounts.models import Unit
from accounts.permissions import acts_as_office
from accounts.roles import Role
from campaigns.models import AssessmentYear, Indicator, LedgerEntry, Target, WeeklyLedger
from jiaozhang.ids import as_id

from ..models import (
    Adjustment,
    AnnualEvaluation,
    AnnualResult,
    FileEntry,
    QuarterlyEvaluation,
    UnitScore,
    Veto,
)
from ..selectors import evaluations_visible_to, file_entries_visible_to, scorecards_visible_to
from .charts import sparkline_svg
from .registry import Export, Rendered, register

PDF = "application/pdf"
Status = QuarterlyEvaluation.Status
Progress = Callable[[int], None] | None

NOT_PUBLISHED = "该季度考评尚未发布，不能下载通报。"
SCORECARD_NOT_PUBLISHED = "该季度考评尚未发布，不能下载得分卡。"
ANNUAL_NOT_PUBLISHED = "该年度实绩评定尚未发布，不能下载年度通报。"
MISSING_PARAMS = "报表参数不完整。"


# --- rendering ---------------------------------------------------------------------------


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


def _document(template: str, context: dict, progress: Progress, *, steps=(40, 60)) -> bytes:
    if progress:
        progress(steps[0])
    context = {
        "office": settings.ISSUING_OFFICE,
        "printed_at": timezone.localtime(),
        **context,
    }
    html = render_to_string(template, context)
    if progress:
        progress(steps[1])
    return render_pdf(html)


_UNSAFE_IN_FILENAME = re.compile(r'[\x00-\x1f\\/:*?"<>|]+')


def safe_filename(name: str) -> str:
    """A download name without path separators or characters Windows refuses."""
    return _UNSAFE_IN_FILENAME.sub("", name).strip(" .")[:150] or "报表"


def _int(params: dict, key: str) -> int | None:
    # Params come from requests: only an id the database can hold is one.
    return as_id(params.get(key))


_office = acts_as_office


DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 35 → 三十五 (numbering of sections and groups, n < 100)."""
    tens, ones = divmod(n, 10)
    if n < 10:
        return DIGITS[n]
    return f"{DIGITS[tens] if tens > 1 else ''}十{DIGITS[ones] if ones else ''}"


def _numbered(groups):
    return [(chinese_number(i), group, rows) for i, (group, rows) in enumerate(groups, 1)]


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- the quarterly 通报 ---------------------------------------------------------------------


def _evaluation_for(user, params) -> tuple[QuarterlyEvaluation | None, str | None]:
    evaluation_id = _int(params, "evaluation_id")
    if evaluation_id is None:
        return None, MISSING_PARAMS
    evaluation = evaluations_visible_to(user).filter(pk=evaluation_id).first()
    if evaluation is None:
        exists = QuarterlyEvaluation.objects.filter(pk=evaluation_id).exists()
        return None, NOT_PUBLISHED if exists else "没有这个季度考评。"
    if evaluation.current_version_id is None:
        return None, "该季度考评尚未计算，没有可下载的结果。"
    return evaluation, None


def notice_allowed(user, params) -> str | None:
    evaluation, reason = _evaluation_for(user, params)
    if reason:
        return reason
    if not _office(user) and evaluation.status != Status.PUBLISHED:
        return NOT_PUBLISHED
    return None


def notice_cache_key(params) -> str:
    evaluation = QuarterlyEvaluation.objects.get(pk=_int(params, "evaluation_id"))
    key = f"v{evaluation.current_version_id}"
    # The office may print a draft before publication; it must not be served afterwards.
    return key if evaluation.status == Status.PUBLISHED else f"{key}-{evaluation.status}"


def _ranked_scores(version_id):
    return list(
        UnitScore.objects.filter(version_id=version_id)
        .select_related("unit", "group")
        .order_by("group__sort_order", "group_id", "position", "sort_order")
    )


def _by_group(rows) -> list[tuple[object, list]]:
    return [(group, list(items)) for group, items in groupby(rows, key=lambda s: s.group)]


def quarter_notice_context(evaluation: QuarterlyEvaluation) -> dict:
    version = evaluation.current_version
    scores = _ranked_scores(version.pk)
    groups = _by_group(scores)
    # The vetoes the version was computed with (frozen with it), not today's rows.
    vetoes = list(
        Veto.objects.filter(pk__in=[item["id"] for item in version.vetoes]).select_related("unit")
    )
    published = evaluation.status == Status.PUBLISHED
    issued_on = timezone.localdate(evaluation.published_at) if published else timezone.localdate()
    praised = [(g, [s for s in rows if s.tier == UnitScore.Tier.ADVANCED]) for g, rows in groups]
    lagging = [(g, [s for s in rows if s.tier == UnitScore.Tier.LAGGING]) for g, rows in groups]
    return {
        "evaluation": evaluation,
        "version": version,
        "published": published,
        "title": f"关于{evaluation.year.year}年{evaluation.get_quarter_display()}"
        "“交帐亮相”考评结果的通报",
        # Official titles break in two balanced lines, at a meaningful place.
        "title_lines": (
            f"关于{evaluation.year.year}年{evaluation.get_quarter_display()}“交帐亮相”",
            "考评结果的通报",
        ),
        "issued_on": chinese_date(issued_on),
        "groups": groups,
        "unit_count": sum(1 for s in scores if s.total is not None),
        "praised": [(g, rows) for g, rows in praised if rows],
        "praised_count": sum(len(rows) for _, rows in praised),
        "lagging": [(g, rows) for g, rows in lagging if rows],
        "lagging_count": sum(len(rows) for _, rows in lagging),
        "vetoes": [v for v in vetoes if v.kind == Veto.Kind.VETO],
        "no_excellence": [v for v in vetoes if v.kind == Veto.Kind.NO_EXCELLENCE],
        "numbered_groups": _numbered(groups),
    }


def render_quarter_notice(params: dict, progress: Progress = None) -> Rendered:
    evaluation = QuarterlyEvaluation.objects.select_related("year", "current_version").get(
        pk=_int(params, "evaluation_id")
    )
    context = quarter_notice_context(evaluation)
    content = _document("reports/quarter_notice.html", context, progress)
    draft = "" if context["published"] else "（未发布稿）"
    name = f"{evaluation.title}交帐亮相考评结果通报（第{context['version'].number}版）{draft}.pdf"
    return safe_filename(name), PDF, content


# --- a unit's scorecard ----------------------------------------------------------------------


def scorecard_allowed(user, params) -> str | None:
    unit_id = _int(params, "unit_id")
    evaluation_id = _int(params, "evaluation_id")
    if unit_id is None or evaluation_id is None:
        return MISSING_PARAMS
    evaluation = evaluations_visible_to(user).filter(pk=evaluation_id).first()
    # The scorecard is the unit score page on paper: the same selector decides.
    visible = evaluation is not None and (
        scorecards_visible_to(user)
        .filter(version_id=evaluation.current_version_id, unit_id=unit_id)
        .exists()
    )
    if visible:
        return None
    if (
        user.has_role(Role.LEADER)
        and QuarterlyEvaluation.objects.filter(pk=evaluation_id)
        .exclude(status=Status.PUBLISHED)
        .exists()
    ):
        return SCORECARD_NOT_PUBLISHED
    return "无权下载该单位的得分卡。"


def scorecard_cache_key(params) -> str:
    evaluation = QuarterlyEvaluation.objects.get(pk=_int(params, "evaluation_id"))
    return f"v{evaluation.current_version_id}-u{_int(params, 'unit_id')}"


def campaign_trends(unit_id: int, year: AssessmentYear, last_week: int) -> list[dict]:
    """Per campaign, the unit's weekly completion share up to `last_week` (two queries).

    A week's share is the mean, over the unit's higher-better indicators of the campaign with a
    positive annual target, of figure ÷ annual target (capped at 1.2); the figure is the
    verified one where the lead department has verified it, else what the unit reported.
    Lower-better and milestone indicators have no share of a target and stay out of the line.
    """
    targets = {
        t.indicator_id: t
        for t in Target.objects.filter(
            unit_id=unit_id,
            indicator__campaign__year=year,
            indicator__direction=Indicator.Direction.HIGHER_BETTER,
            annual_value__gt=0,
        ).select_related("indicator__campaign")
    }
    figures = (
        LedgerEntry.objects.filter(
            ledger__unit_id=unit_id,
            ledger__period__year=year,
            ledger__period__iso_week__lte=last_week,
            indicator_id__in=list(targets),
        )
        .exclude(ledger__status=WeeklyLedger.Status.DRAFT)
        .values_list("indicator_id", "ledger__period__iso_week", "value", "verified_value")
    )
    shares: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for indicator_id, week, value, verified in figures:
        figure = verified if verified is not None else value
        if figure is None:
            continue
        target = targets[indicator_id]
        share = min(float(figure) / float(target.annual_value), 1.2)
        shares[target.indicator.campaign_id][week].append(share)
    campaigns = {t.indicator.campaign_id: t.indicator.campaign for t in targets.values()}
    rows = []
    for campaign in sorted(campaigns.values(), key=lambda c: (c.sort_order, c.pk)):
        weekly = shares.get(campaign.pk, {})
        points = [
            (week, sum(weekly[week]) / len(weekly[week]) if weekly.get(week) else None)
            for week in range(1, last_week + 1)
        ]
        rows.append(
            {
                "campaign": campaign,
                "svg": mark_safe(
                    sparkline_svg(points, first_week=1, last_week=last_week, caption=campaign.name)
                ),
                "latest": next((v for _, v in reversed(points) if v is not None), None),
            }
        )
    return rows


def scorecard_context(evaluation: QuarterlyEvaluation, unit_id: int) -> dict:
    score = UnitScore.objects.select_related("unit", "group", "version").get(
        version_id=evaluation.current_version_id, unit_id=unit_id
    )
    items = list(
        score.indicator_scores.select_related("indicator", "indicator__campaign").order_by(
            "indicator__campaign__sort_order", "indicator__sort_order"
        )
    )
    last_week = (
        evaluation.year.periods.filter(quarter=evaluation.quarter).aggregate(w=Max("iso_week"))["w"]
        or 1
    )
    return {
        "evaluation": evaluation,
        "version": evaluation.current_version,
        "published": evaluation.status == Status.PUBLISHED,
        "score": score,
        "items": items,
        "trends": campaign_trends(unit_id, evaluation.year, last_week),
        # The adjustments and vetoes the version was computed with (frozen with it).
        "adjustments": Adjustment.objects.filter(
            unit_id=unit_id, pk__in=[item["id"] for item in score.version.adjustments]
        ),
        "vetoes": Veto.objects.filter(
            unit_id=unit_id, pk__in=[item["id"] for item in score.version.vetoes]
        ),
        "file_entries": FileEntry.objects.filter(
            unit_id=unit_id, year=evaluation.year, quarter=evaluation.quarter
        ).order_by("recorded_on", "id"),
        "title": f"{score.unit.name}{evaluation.title}“交帐亮相”得分卡",
    }


def render_unit_scorecard(params: dict, progress: Progress = None) -> Rendered:
    evaluation = QuarterlyEvaluation.objects.select_related("year", "current_version").get(
        pk=_int(params, "evaluation_id")
    )
    context = scorecard_context(evaluation, _int(params, "unit_id"))
    content = _document("reports/unit_scorecard.html", context, progress)
    version = context["version"].number
    name = f"{context['score'].unit.name}{evaluation.title}得分卡（第{version}版）.pdf"
    return safe_filename(name), PDF, content


# --- a unit's 绩误档案 for a year -------------------------------------------------------------


def file_allowed(user, params) -> str | None:
    unit_id, year_id = _int(params, "unit_id"), _int(params, "year_id")
    if unit_id is None or year_id is None:
        return MISSING_PARAMS
    if (
        not Unit.objects.filter(pk=unit_id).exists()
        or not AssessmentYear.objects.filter(pk=year_id).exists()
    ):
        return "没有这个单位或年度。"
    entries = file_entries_visible_to(user)
    if entries.filter(unit_id=unit_id).exists():
        return None
    # A file with no entry yet: the selector has nothing to answer with, so apply its rule
    # (the office and leaders every file, a unit its own) to the empty file directly.
    if not FileEntry.objects.filter(unit_id=unit_id).exists() and (
        _office(user)
        or user.has_role(Role.LEADER)
        or (
            user.unit_id == unit_id
            and (user.has_role(Role.UNIT_HEAD) or user.has_role(Role.REPORTER))
        )
    ):
        return None
    return "无权下载该单位的绩误档案。"


def file_cache_key(params) -> str:
    unit_id, year_id = _int(params, "unit_id"), _int(params, "year_id")
    # Any change to the file (an entry added, edited or removed) adds a history row; any new
    # publication changes the quarter results printed beside it.
    last_change = FileEntry.history.filter(unit_id=unit_id, year_id=year_id).aggregate(
        h=Max("history_id")
    )["h"]
    published = QuarterlyEvaluation.objects.filter(
        year_id=year_id, status=Status.PUBLISHED
    ).aggregate(v=Max("current_version_id"))
    annual = AnnualEvaluation.objects.filter(year_id=year_id).first()
    annual_key = (
        f"{annual.status}{int(annual.computed_at.timestamp()) if annual.computed_at else 0}"
        if annual
        else "none"
    )
    return f"y{year_id}-u{unit_id}-h{last_change or 0}-v{published['v'] or 0}-a{annual_key}"


def unit_file_context(unit_id: int, year_id: int) -> dict:
    unit = Unit.objects.select_related("group").get(pk=unit_id)
    year = AssessmentYear.objects.get(pk=year_id)
    entries = list(
        FileEntry.objects.filter(unit_id=unit_id, year_id=year_id)
        .select_related("person")
        .order_by("recorded_on", "id")
    )
    quarters = list(
        UnitScore.objects.filter(
            unit_id=unit_id,
            version__evaluation__year_id=year_id,
            version__evaluation__status=Status.PUBLISHED,
        )
        .filter(version_id__in=_current_versions())
        .select_related("version__evaluation")
        .order_by("version__evaluation__quarter")
    )
    annual = (
        AnnualResult.objects.filter(
            unit_id=unit_id,
            evaluation__year_id=year_id,
            evaluation__status=AnnualEvaluation.Status.PUBLISHED,
        )
        .select_related("evaluation")
        .first()
    )
    return {
        "unit": unit,
        "year": year,
        "entries": entries,
        "merits": sum(1 for e in entries if e.merit),
        "faults": sum(1 for e in entries if not e.merit),
        "counted_points": sum((e.points for e in entries if e.counts_for_year), 0),
        "quarters": quarters,
        "annual": annual,
        "title": f"{unit.name}{year.year}年度绩误档案",
    }


def _current_versions():
    """A quarter's result is its current version (older versions stay readable elsewhere)."""
    return QuarterlyEvaluation.objects.filter(current_version__isnull=False).values(
        "current_version_id"
    )


def render_unit_file(params: dict, progress: Progress = None) -> Rendered:
    context = unit_file_context(_int(params, "unit_id"), _int(params, "year_id"))
    content = _document("reports/unit_file.html", context, progress)
    return safe_filename(f"{context['title']}.pdf"), PDF, content


# --- the annual result 通报 -----------------------------------------------------------------


def annual_allowed(user, params) -> str | None:
    year_id = _int(params, "year_id")
    if year_id is None:
        return MISSING_PARAMS
    if not AssessmentYear.objects.filter(pk=year_id).exists():
        return "没有这个考核年度。"
    if _office(user):
        return None
    if not AnnualEvaluation.objects.filter(
        year_id=year_id, status=AnnualEvaluation.Status.PUBLISHED
    ).exists():
        return ANNUAL_NOT_PUBLISHED
    return None


def annual_cache_key(params) -> str:
    annual = AnnualEvaluation.objects.filter(year_id=_int(params, "year_id")).first()
    if annual is None:
        return f"y{_int(params, 'year_id')}-none"
    stamp = int(annual.computed_at.timestamp()) if annual.computed_at else 0
    return f"a{annual.pk}-{annual.status}-{stamp}"


def annual_notice_context(year_id: int) -> dict:
    year = AssessmentYear.objects.get(pk=year_id)
    annual = AnnualEvaluation.objects.filter(year=year).first()
    results = (
        list(
            AnnualResult.objects.filter(evaluation=annual)
            .select_related("unit", "group")
            .order_by("group__sort_order", "group_id", "position", "sort_order")
        )
        if annual
        else []
    )
    groups = _by_group(results)
    published = annual is not None and annual.status == AnnualEvaluation.Status.PUBLISHED
    issued_on = timezone.localdate(annual.published_at) if published else timezone.localdate()
    excellent = [(g, [r for r in rows if r.grade == "excellent"]) for g, rows in groups]
    poor = [(g, [r for r in rows if r.grade == "poor"]) for g, rows in groups]
    return {
        "year": year,
        "annual": annual,
        "published": published,
        "title": f"关于{year.year}年度“交帐亮相”实绩评定结果的通报",
        "title_lines": (f"关于{year.year}年度“交帐亮相”", "实绩评定结果的通报"),
        "issued_on": chinese_date(issued_on),
        "groups": groups,
        "unit_count": len(results),
        "excellent": [(g, rows) for g, rows in excellent if rows],
        "poor": [(g, rows) for g, rows in poor if rows],
        "numbered_groups": _numbered(groups),
    }


def render_annual_notice(params: dict, progress: Progress = None) -> Rendered:
    context = annual_notice_context(_int(params, "year_id"))
    content = _document("reports/annual_notice.html", context, progress)
    draft = "" if context["published"] else "（未发布稿）"
    return safe_filename(f"{context['year'].year}年度实绩评定结果通报{draft}.pdf"), PDF, content


register(
    Export(
        identifier="quarter_notice",
        label="季度考评结果通报（PDF）",
        render=render_quarter_notice,
        allowed=notice_allowed,
        cache_key=notice_cache_key,
    )
)
register(
    Export(
        identifier="unit_scorecard",
        label="单位得分卡（PDF）",
        render=render_unit_scorecard,
        allowed=scorecard_allowed,
        cache_key=scorecard_cache_key,
    )
)
register(
    Export(
        identifier="unit_file",
        label="单位绩误档案（PDF）",
        render=render_unit_file,
        allowed=file_allowed,
        cache_key=file_cache_key,
    )
)
register(
    Export(
        identifier="annual_notice",
        label="年度实绩评定结果通报（PDF）",
        render=render_annual_notice,
        allowed=annual_allowed,
        cache_key=annual_cache_key,
    )
)
