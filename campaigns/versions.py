"""Optimistic versions: every save of a versioned row raises `version`; a form posted with an
older number is refused with what changed since, who changed it and when (from the history).

The rule (docs/architecture.md, "Concurrency"): a service locks the row (`select_for_update`),
calls `check_version` with the number the user saw, then saves; the save raises the number.
Callers that saw no page (tasks, the shell, derive_ledger) pass None: no check, still a bump.
"""

from django.db import models
from django.utils import timezone

from .errors import LedgerError

# Bookkeeping a person would not call a change of the row.
QUIET_FIELDS = {"id", "version", "reviewer", "reviewed_at", "submitted_by", "confirmed_by"}
SHOWN_CHANGES = 4


class Versioned(models.Model):
    """Raises `version` by one in the same UPDATE as every other save of an existing row
    (the subclass declares the field; its history copies it)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def parse_version(text) -> int | None:
    """The version a form or a JSON payload carried (None when absent or unreadable)."""
    try:
        number = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def check_version(row, expected: int | None, *, what: str = "该条目") -> None:
    """Refuse (LedgerError) when `row` — freshly read under a row lock — is no longer at the
    version the user saw; the message names who changed what, and when."""
    if expected is None or row.version == expected:
        return
    raise LedgerError(stale_message(row, expected, what=what))


def stale_refusal(row, expected: int | None, *, what: str = "该条目") -> str | None:
    """check_version's message as a value (None: current), for services that gather problems."""
    if expected is None or row.version == expected:
        return None
    return stale_message(row, expected, what=what)


def stale_message(row, expected: int, *, what: str) -> str:
    """Who changed the row last since `expected`, when, and each field from then to now."""
    last = row.history.filter(version__gt=expected).order_by("-history_id").first()
    seen = row.history.filter(version=expected).order_by("-history_id").first()
    if last is None:  # no history of it (an older row): still refused, without the details
        return f"{what}已被他人修改，请刷新页面后再操作。"
    who = getattr(last.history_user, "full_name", "") or getattr(last.history_user, "username", "")
    when = timezone.localtime(last.history_date)
    head = f"{what}已被 {who or '系统'} 于 {when.month}月{when.day}日 {when:%H:%M} 修改"
    changes = _changes(seen, last) if seen is not None else []
    body = f"：{'；'.join(changes)}" if changes else ""
    return f"{head}{body}。请刷新页面后再操作。"


def _changes(old, new) -> list[str]:
    """`状态 待核实→已核实` for each field a person would notice, the first few of them."""
    shown = []
    for field in new.instance_type._meta.concrete_fields:
        if field.name in QUIET_FIELDS or isinstance(field, models.ForeignKey):
            continue
        before, after = getattr(old, field.attname), getattr(new, field.attname)
        if before == after:
            continue
        shown.append(f"{field.verbose_name} {_shown(field, before)}→{_shown(field, after)}")
    if len(shown) > SHOWN_CHANGES:
        shown = [*shown[:SHOWN_CHANGES], "等"]
    return shown


def _shown(field, value) -> str:
    if value is None or value == "":
        return "空"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        local = timezone.localtime(value)
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    text = str(value)
    return text if len(text) <= 20 else f"{text[:20]}…"
