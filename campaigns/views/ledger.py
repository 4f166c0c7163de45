"""The reporter's week: the unit's ledger form, its autosave, submission, confirmation."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role

from ..errors import LedgerError
from ..forms import EntryForm
from ..models import WeeklyLedger
from ..registers.week import register_counts
from ..selectors import (
    current_year,
    ledger_rows,
    ledgers_visible_to,
    period_containing,
    periods_visible_to,
)
from ..services.ledger import (
    EntryErrors,
    EntryProblem,
    confirm_ledger,
    editable_indicator_ids,
    open_ledger,
    save_entries,
    submit_ledger,
    withdraw_ledger,
)
from ..versions import parse_version

UNIT_ROLES = (Role.REPORTER, Role.UNIT_HEAD)


@role_required(*UNIT_ROLES)
def current_ledger(request):
    year = current_year()
    period = period_containing(year, timezone.now()) if year else None
    if period is None:
        return render(request, "campaigns/no_period.html", {"year": year})
    return redirect("ledger-week", period.pk)


def _time_left(deadline, now) -> str:
    seconds = int((deadline - now).total_seconds())
    if seconds < 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}天{hours}小时" if days else f"{hours}小时{rest // 60}分钟"


def unit_week(request, period_id, *, now):
    """The user's unit's ledger of the period, opened if the period is still open (or None).

    Shared by the week page and its Excel download/upload: the same checks, one place.
    """
    user = request.user
    if user.unit_id is None:
        raise Http404("您的账号未关联单位。")
    period = get_object_or_404(periods_visible_to(user), pk=period_id)
    if period.starts_on > timezone.localdate(now):
        raise Http404("该帐期尚未开始。")
    ledger = ledgers_visible_to(user).filter(unit_id=user.unit_id, period=period).first()
    if ledger is None and now <= period.locks_at:
        ledger = open_ledger(unit=user.unit, period=period)
    return period, ledger


@role_required(*UNIT_ROLES)
def ledger_week(request, period_id):
    user = request.user
    now = timezone.now()
    period, ledger = unit_week(request, period_id, now=now)
    editable = editable_indicator_ids(ledger, now=now) if ledger else set()
    rows = ledger_rows(ledger, editable_ids=editable) if ledger else []
    forms = {
        row.entry.indicator_id: EntryForm(
            request.POST if request.method == "POST" else None,
            prefix=f"e{row.entry.indicator_id}",
            initial=EntryForm.initial_from(row.entry),
        )
        for row in rows
        if row.editable
    }
    refusal = Refusal()
    if request.method == "POST" and ledger is not None:
        refusal = _handle_post(request, ledger, rows, forms)
        if refusal is None:
            return redirect("ledger-week", ledger.period_id)
    for row in rows:
        row.form = forms.get(row.entry.indicator_id)
        row.problems = refusal.by_row.get(row.entry.indicator_id, [])
    history = (
        ledgers_visible_to(user)
        .filter(unit_id=user.unit_id, period__year_id=period.year_id)
        .select_related(None)
        .values("period_id", "status", "reopened_until")
    )
    reopened_until = ledger.reopened_until if ledger else None
    return render(
        request,
        "campaigns/ledger_week.html",
        {
            "period": period,
            "ledger": ledger,
            "rows": rows,
            "refusal": refusal,
            "now": now,
            "time_left": _time_left(period.deadline, now),
            "past_deadline": now > period.deadline,
            # Open again after the lock until the office's new time (LedgerReopening).
            "reopened_until": (
                reopened_until
                if reopened_until and period.locks_at < now <= reopened_until
                else None
            ),
            "weeks": _week_list(user, period, list(history), now=now),
            "is_head": user.has_role(Role.UNIT_HEAD),
            "any_editable": bool(editable),
            "storage_key": f"jz-ledger:{user.pk}:{period.pk}",
            # The "本周台帐" box: the week's register sections (campaigns.registers.week).
            "register_counts": register_counts(ledger) if ledger else None,
        },
        status=400 if refusal else 200,
    )


@dataclass
class Refusal:
    """Why a POST changed nothing (or saved but could not submit): one heading, one summary
    line per problem linking to its field, and each field's messages for the template."""

    heading: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)  # (text, anchor)
    by_row: dict[int, list[EntryProblem]] = field(default_factory=dict)

    def __bool__(self):
        return bool(self.items)


def field_anchor(problem: EntryProblem) -> str:
    """The id of the input a problem is about (Django's id_<prefix>-<field>), or its row."""
    if problem.field:
        return f"id_e{problem.indicator_id}-{problem.field}"
    return f"row-{problem.indicator_id}"


def _refusal(heading: str, error, forms, order: dict[int, int]) -> Refusal:
    refusal = Refusal(heading=heading)
    problems = getattr(error, "problems", [])
    for problem in problems:
        form = forms.get(problem.indicator_id)
        if form is not None and form.is_bound and problem.field in form.fields:
            if problem.message not in form.errors.get(problem.field, []):
                form.add_error(problem.field, problem.message)
        else:
            refusal.by_row.setdefault(problem.indicator_id, []).append(problem)
    anchors = {p.text: (field_anchor(p), order.get(p.indicator_id, 0)) for p in problems}
    missing = [p for p in problems if p.message == "请填写本周累计数"]
    first_missing = (field_anchor(missing[0]), -1) if missing else ("", -1)
    placed = [(text, *anchors.get(text, first_missing)) for text in error.messages]
    # In the page's order, so the list reads as the form does (sorted() keeps ties in place).
    refusal.items = [(text, anchor) for text, anchor, _ in sorted(placed, key=lambda t: t[2])]
    return refusal


def _handle_post(request, ledger, rows, forms) -> Refusal | None:
    action = request.POST.get("action", "save")
    user = request.user
    order = {row.entry.indicator_id: index for index, row in enumerate(rows)}
    if action in ("save", "submit") and forms:
        names = {row.entry.indicator_id: row.entry.indicator.name for row in rows}
        unreadable = [
            problem
            for indicator_id, form in forms.items()
            if not form.is_valid()
            for problem in form.unreadable(indicator_id, names[indicator_id])
        ]
        changes = {i: form.to_input() for i, form in forms.items() if form.is_valid()}
        try:
            save_entries(
                ledger=ledger,
                user=user,
                changes=changes,
                format_problems=unreadable,
                require_notes=True,
                versions={i: form.seen_version() for i, form in forms.items()},
            )
        except LedgerError as error:
            heading = "未能保存，请修改下列问题（已填写的内容仍保留在页面上）："
            return _refusal(heading, error, forms, order)
    seen = {"expected_version": parse_version(request.POST.get("ledger_version"))}
    try:
        with transaction.atomic():
            if action == "submit":
                ledger = submit_ledger(ledger=ledger, user=user, **seen)
            elif action == "confirm":
                ledger = confirm_ledger(ledger=ledger, user=user, **seen)
            elif action == "withdraw":
                ledger = withdraw_ledger(ledger=ledger, user=user, **seen)
    except LedgerError as error:
        saved = "已保存为草稿，但" if action == "submit" and forms else ""
        heading = f"{saved}未能{_ACTION_NAMES[action]}，请处理下列问题："
        return _refusal(heading, error, forms, order)
    messages.success(request, _success_message(action, ledger))
    return None


@require_POST
@role_required(*UNIT_ROLES)
def autosave(request, period_id, indicator_id):
    """One row's draft, saved as it is typed: the same form and rules as the full save.

    JSON: {"ok": true, "saved_at": "13:21", "version": 4} (the entry's version now, which the
    script posts next time) or {"ok": false, "errors": {input id: [message]},
    "message": text}; a signed-out user is sent to the login page like any page (the script
    reads that redirect as "session expired").
    """
    now = timezone.now()
    _period, ledger = unit_week(request, period_id, now=now)
    form = EntryForm(request.POST, prefix=f"e{indicator_id}")
    valid = form.is_valid()
    try:
        if ledger is None:
            raise LedgerError("该帐期已锁定，不能再保存。")
        ledger = save_entries(
            ledger=ledger,
            user=request.user,
            changes={indicator_id: form.to_input()} if valid else {},
            format_problems=[] if valid else form.unreadable(indicator_id, ""),
            require_notes=True,
            now=now,
            versions={indicator_id: form.seen_version()},
        )
    except EntryErrors as error:
        errors: dict[str, list[str]] = {}
        for problem in error.problems:
            errors.setdefault(field_anchor(problem), []).append(problem.message)
        return JsonResponse(
            {"ok": False, "errors": errors, "message": "有内容需要修改"}, status=400
        )
    except LedgerError as error:
        return JsonResponse(
            {"ok": False, "errors": {}, "message": "；".join(error.messages)}, status=409
        )
    saved_at = f"{timezone.localtime(now):%H:%M}"
    version = ledger.entry_versions.get(indicator_id)
    return JsonResponse({"ok": True, "saved_at": saved_at, "version": version})


_ACTION_NAMES = {"save": "保存", "submit": "提交", "confirm": "确认", "withdraw": "撤回"}


def _success_message(action: str, ledger: WeeklyLedger) -> str:
    if action == "submit" and ledger.status == WeeklyLedger.Status.AWAITING_CONFIRMATION:
        return "已提交，等待单位负责人确认。"
    if action in ("submit", "confirm"):
        late = "（已过截止时间，记为迟报）" if ledger.is_late else ""
        return f"周帐已报送牵头部门核实{late}。"
    if action == "withdraw":
        return "已撤回为草稿，可继续修改。"
    return "已保存草稿。"


def _week_list(user, period, ledgers, *, now):
    """The latest 12 weeks, and any older week the office has reopened and is still open."""
    statuses = {h["period_id"]: h["status"] for h in ledgers}
    reopened = {
        h["period_id"]: h["reopened_until"]
        for h in ledgers
        if h["reopened_until"]
        and h["reopened_until"] >= now
        and h["status"] in WeeklyLedger.NOT_HANDED_IN
    }
    periods = periods_visible_to(user).filter(
        year_id=period.year_id, starts_on__lte=timezone.localdate(now)
    )
    recent = list(periods.order_by("-iso_week")[:12])
    shown = {p.pk for p in recent}
    extra = [p for p in periods.filter(pk__in=list(reopened)) if p.pk not in shown]
    labels = dict(WeeklyLedger.Status.choices)
    weeks = []
    for p in sorted([*recent, *extra], key=lambda p: -p.iso_week):
        label = labels.get(statuses.get(p.pk), "未填报")
        if p.pk in reopened and now > p.locks_at:
            until = timezone.localtime(reopened[p.pk])
            label = f"补报中，至{until.year}年{until.month}月{until.day}日 {until:%H:%M}"
        weeks.append((p, label, p.pk == period.pk))
    return weeks
