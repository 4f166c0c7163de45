"""The reporter's week: the unit's ledger form, submission, confirmation, past weeks."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.permissions import role_required
from accounts.roles import Role

from ..errors import LedgerError
from ..forms import EntryForm
from ..models import WeeklyLedger
from ..selectors import (
    current_year,
    ledger_rows,
    ledgers_visible_to,
    period_containing,
    periods_visible_to,
)
from ..services.ledger import (
    confirm_ledger,
    editable_indicator_ids,
    open_ledger,
    save_entries,
    submit_ledger,
    withdraw_ledger,
)

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
    errors: list[str] = []
    if request.method == "POST" and ledger is not None:
        outcome = _handle_post(request, ledger, rows, forms, errors)
        if outcome:
            return outcome
    for row in rows:
        row.form = forms.get(row.entry.indicator_id)
    history = (
        ledgers_visible_to(user)
        .filter(unit_id=user.unit_id, period__year_id=period.year_id)
        .select_related(None)
        .values("period_id", "status")
    )
    return render(
        request,
        "campaigns/ledger_week.html",
        {
            "period": period,
            "ledger": ledger,
            "rows": rows,
            "errors": errors,
            "now": now,
            "time_left": _time_left(period.deadline, now),
            "past_deadline": now > period.deadline,
            "weeks": _week_list(user, period, {h["period_id"]: h["status"] for h in history}),
            "is_head": user.has_role(Role.UNIT_HEAD),
            "any_editable": bool(editable),
        },
        status=400 if errors else 200,
    )


def _handle_post(request, ledger, rows, forms, errors):
    action = request.POST.get("action", "save")
    user = request.user
    if action in ("save", "submit") and forms:
        if not all(form.is_valid() for form in forms.values()):
            names = {row.entry.indicator_id: row.entry.indicator.name for row in rows}
            for indicator_id, form in forms.items():
                for field, field_errors in form.errors.items():
                    label = form.fields[field].label if field in form.fields else field
                    errors += [f"「{names[indicator_id]}」{label}：{e}" for e in field_errors]
            return None
        changes = {i: form.to_input() for i, form in forms.items()}
        try:
            save_entries(ledger=ledger, user=user, changes=changes)
        except LedgerError as error:
            errors += error.messages
            return None
    try:
        with transaction.atomic():
            if action == "submit":
                ledger = submit_ledger(ledger=ledger, user=user)
            elif action == "confirm":
                ledger = confirm_ledger(ledger=ledger, user=user)
            elif action == "withdraw":
                ledger = withdraw_ledger(ledger=ledger, user=user)
    except LedgerError as error:
        saved = "已保存为草稿，但" if action == "submit" and forms else ""
        errors += [f"{saved}未能{_ACTION_NAMES[action]}：{m}" for m in error.messages]
        return None
    messages.success(request, _success_message(action, ledger))
    return redirect("ledger-week", ledger.period_id)


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


def _week_list(user, period, statuses):
    periods = periods_visible_to(user).filter(
        year_id=period.year_id, starts_on__lte=timezone.localdate()
    )
    labels = dict(WeeklyLedger.Status.choices)
    return [
        (p, labels.get(statuses.get(p.pk), "未填报"), p.pk == period.pk)
        for p in periods.order_by("-iso_week")[:12]
    ]
