"""The evaluation office's pages: the completeness matrix, reopening, an entry's history."""

from collections import Counter

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from accounts.permissions import acts_as_office, role_required
from accounts.roles import Role
from accounts.selectors import ranking_groups_visible_to, units_visible_to
from jiaozhang.ids import id_param

from ..errors import LedgerError
from ..forms import ReopenForm
from ..selectors import (
    completeness_matrix,
    current_year,
    entries_visible_to,
    entry_history_rows,
    ledger_rows,
    ledgers_visible_to,
    periods_visible_to,
    reopenings_of,
)
from ..services.ledger import reopen_ledger

ALL_GROUPS = "all"


def _group(request, groups) -> int | None:
    """The group shown: the one asked for, None for 全部 (`group=all`), else the first group —
    a city's whole matrix is ~25k cells, so the page opens on one group."""
    if request.GET.get("group") == ALL_GROUPS:
        return None
    group_id = id_param(request.GET, "group")
    if group_id is None and groups:
        return groups[0].pk
    return group_id


def _matrix(request, groups):
    year = current_year()
    if year is None:
        return None, None, None
    group_id = _group(request, groups)
    today = timezone.localdate()
    periods = periods_visible_to(request.user).filter(year=year, starts_on__lte=today)
    periods = periods.order_by("iso_week")
    return (
        year,
        group_id,
        completeness_matrix(request.user, year=year, group_id=group_id, periods=periods),
    )


@role_required(Role.OFFICE, Role.LEADER)
def completeness(request):
    groups = list(ranking_groups_visible_to(request.user))
    year, group_id, matrix = _matrix(request, groups)
    if year is None:
        return render(request, "campaigns/no_period.html", {"year": None})
    periods, rows = matrix
    totals = Counter(label for _, cells in rows for _period, _code, label in cells)
    is_office = acts_as_office(request.user)
    return render(
        request,
        "campaigns/completeness.html",
        {
            "year": year,
            "periods": periods,
            "rows": rows,
            "rows_html": _rows_html(rows, is_office=is_office),
            "groups": groups,
            "group_id": group_id,
            "totals": sorted(totals.items()),
            "is_office": is_office,
        },
    )


def _prefix(name: str) -> str:
    """The URL of `name` up to its <unit_id>/<period_id>/ tail."""
    return reverse(name, args=[1, 1]).removesuffix("1/1/")


def _rows_html(rows, *, is_office: bool) -> list[tuple[object, str]]:
    """Each matrix row's cells as HTML. A county has ~4,700 cells: built here in one pass,
    because the template language spends most of the page's time on them."""
    bases = _prefix("ledger-view"), _prefix("ledger-reopen")
    return [(unit, _cells_html(unit, cells, bases, is_office=is_office)) for unit, cells in rows]


def _cells_html(unit, cells, bases, *, is_office: bool) -> str:
    """One row's cells; every text is escaped."""
    ledger_base, reopen_base = bases
    parts = []
    for period, code, label in cells:
        mark = escape(label[:1])
        if code == "missing" and is_office:
            href = f"{reopen_base}{unit.pk}/{period.pk}/"
            inner = f'<a href="{href}" class="text-dark" title="重新开放">{mark}</a>'
        elif code in ("open", "missing", "overdue"):
            inner = mark
        else:
            href = f"{ledger_base}{unit.pk}/{period.pk}/"
            inner = f'<a href="{href}" class="text-dark text-decoration-none">{mark}</a>'
        parts.append(
            f'<td class="c-{code}" title="第{period.iso_week}周：{escape(label)}" '
            f'data-state="{code}">{inner}</td>'
        )
    return mark_safe("".join(parts))


@role_required(Role.OFFICE)
def reopen(request, unit_id, period_id):
    unit = get_object_or_404(units_visible_to(request.user), pk=unit_id)
    period = get_object_or_404(periods_visible_to(request.user), pk=period_id)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reopen_ledger(unit=unit, period=period, user=request.user, **form.cleaned_data)
        except LedgerError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已为{unit.name}重新开放{period.label}。")
            return redirect("completeness")
    return render(request, "campaigns/reopen.html", {"unit": unit, "period": period, "form": form})


@role_required(Role.OFFICE)
def entry_history(request, entry_id):
    entries = entries_visible_to(request.user)
    entry = get_object_or_404(
        entries.select_related("ledger__unit", "ledger__period", "indicator"), pk=entry_id
    )
    return render(
        request,
        "campaigns/entry_history.html",
        {"entry": entry, "rows": entry_history_rows(entry)},
    )


@role_required(Role.OFFICE, Role.LEADER)
def ledger_view(request, unit_id, period_id):
    """A unit's ledger of a week, read-only, with each entry's change history (office)."""
    ledger = get_object_or_404(
        ledgers_visible_to(request.user), unit_id=unit_id, period_id=period_id
    )
    return render(
        request,
        "campaigns/ledger_view.html",
        {
            "ledger": ledger,
            "rows": ledger_rows(ledger, editable_ids=set()),
            "reopenings": reopenings_of(ledger),
            "is_office": acts_as_office(request.user),
        },
    )
