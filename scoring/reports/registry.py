"""One export mechanism for every PDF and sheet (after pretix's exporters).

An Export has an identifier, a Chinese label, a permission check and a `render(params)` that
returns (filename, content_type, bytes), and says itself whether it may render inside a
request (`synchronous`: a workbook of a few thousand rows) or only through a report job (PDFs,
anything a user would wait on); a synchronous workbook that estimates itself big (`cells`) for
the params asked goes through a report job too (`renders_inline`). Views and Celery tasks look
exports up here by identifier; nothing else knows how a document is made. Modules that define
exports register them at import time; `load_exports()` imports those modules once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings

# Modules whose import registers exports. Add a module here when it defines new exports.
EXPORT_MODULES = (
    "scoring.reports.pdf",
    "scoring.reports.xlsx",
    "scoring.reports.briefing_xlsx",
    "scoring.reports.analysis_sheets",
    "scoring.reports.register_sheets",
)

Rendered = tuple[str, str, bytes]  # filename, content type, content


@dataclass(frozen=True)
class Export:
    identifier: str
    label: str
    render: Callable[[dict], Rendered]
    # allowed(user, params) -> None when the user may have it, else a Chinese reason.
    allowed: Callable[[object, dict], str | None]
    # The cache key's parts: a document of the same identifier and key is reused.
    cache_key: Callable[[dict], str]
    # May render within a request (results/export/<identifier>/); otherwise report jobs only.
    synchronous: bool = False
    # cells(params) -> about how many cells the document will hold, counted before rendering
    # (one cheap query). A synchronous export above settings.EXPORT_INLINE_MAX_CELLS goes
    # through a report job instead of a web worker; None: always small enough to render inline.
    cells: Callable[[dict], int] | None = None


def renders_inline(export: Export, params: dict) -> bool:
    """Whether this request's document may be rendered within the request: a synchronous
    export whose estimated size is within EXPORT_INLINE_MAX_CELLS (a few thousand rows)."""
    if not export.synchronous:
        return False
    if export.cells is None:
        return True
    return export.cells(params) <= settings.EXPORT_INLINE_MAX_CELLS


_REGISTRY: dict[str, Export] = {}


def register(export: Export) -> Export:
    if export.identifier in _REGISTRY:
        raise ValueError(f"export {export.identifier!r} registered twice")
    _REGISTRY[export.identifier] = export
    return export


def load_exports() -> dict[str, Export]:
    for module in EXPORT_MODULES:
        try:
            import_module(module)
        except ModuleNotFoundError as missing:
            if missing.name != module:
                raise
    return dict(_REGISTRY)


def get_export(identifier: str) -> Export | None:
    return load_exports().get(identifier)


def synchronous_exports() -> list[str]:
    """Identifiers of the exports that may render inside a request."""
    return [identifier for identifier, e in load_exports().items() if e.synchronous]
