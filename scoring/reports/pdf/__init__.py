"""The PDF documents: the quarterly 通报, a unit's scorecard, its 绩误档案, the annual 通报.

Each is an Export (scoring.reports.registry): a permission check that goes through the scoring
selectors, a cache key, and a render that fills a Django template (autoescaped: unit names and
comments are text, never markup) and prints it with WeasyPrint. The renderer gets a URL
fetcher that refuses everything but files under the project's static folders, so a document
can never pull in a local file or a network address, whatever its text contains.

One module per document (`quarter_notice`, `scorecard`, `unit_file`, `annual_notice`,
`weekly_briefing`, `deck` — the 亮相会's landscape pack), each
registering its export; `rendering` holds what they share (the renderer and its fetcher, the
page furniture, Chinese numbers and dates).
"""

from .annual_notice import annual_notice_context, render_annual_notice
from .deck import render_deck
from .quarter_notice import quarter_notice_context, render_quarter_notice
from .rendering import StaticOnlyFetcher, render_pdf, safe_filename
from .scorecard import campaign_trends, render_unit_scorecard, scorecard_context
from .unit_file import render_unit_file, unit_file_context
from .weekly_briefing import render_weekly_briefing, weekly_briefing_context

__all__ = [
    "StaticOnlyFetcher",
    "annual_notice_context",
    "campaign_trends",
    "quarter_notice_context",
    "render_annual_notice",
    "render_deck",
    "render_pdf",
    "render_quarter_notice",
    "render_unit_file",
    "render_unit_scorecard",
    "render_weekly_briefing",
    "safe_filename",
    "scorecard_context",
    "unit_file_context",
    "weekly_briefing_context",
]
