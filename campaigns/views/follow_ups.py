"""督查督办 pages: the list, the 交办 form, a follow-up's thread with the forms of its next
steps, a draft's edit page, and one POST address per step (`follow-up-action`).

A refused step shows the thread again with the typed text kept and the reason beside the form.
"""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from accounts.selectors import units_visible_to
from jiaozhang.ids import id_param

from ..errors import LedgerError
from ..follow_up_forms import (
    DATE_HELP,
    DecisionForm,
    ExtensionForm,
    FollowUpForm,
    NoteForm,
    ReasonForm,
    ReplyForm,
)
from ..follow_up_selectors import (
    extensions_visible_to,
    flag_rows,
    follow_up_list,
    follow_up_thread,
    follow_ups_visible_to,
    history_lines,
    indicators_taskable_by,
    status_counts,
    task_prefill,
    units_taskable_by,
)
from ..models import FollowUp
from ..selectors import current_year
from ..services import follow_ups as service

READERS = (Role.REPORTER, Role.UNIT_HEAD, Role.REVIEWER, Role.OFFICE, Role.LEADER)
ISSUERS = (Role.REVIEWER, Role.OFFICE)
PAGE_SIZE = 50
Status = FollowUp.Status
CARDS = {"yellow": "黄牌", "red": "红牌", "any": "黄牌或红牌"}


# --- the list --------------------------------------------------------------------------------


@role_required(*READERS)
def follow_up_index(request):
    user, now = request.user, timezone.now()
    status = request.GET.get("status", "")
    if status not in {*Status.values, "open"}:
        status = ""
    card = request.GET.get("card", "")
    card = card if card in CARDS else ""
    unit_id = id_param(request.GET, "unit")
    rows = follow_up_list(user, now=now, status=status, unit_id=unit_id, card=card)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = status_counts(user)
    tabs = [
        ("", "全部", sum(counts.get(s, 0) for s in Status.values)),
        ("open", "办理中的", counts["open"]),
    ]
    tabs += [(value, label, counts.get(value, 0)) for value, label in Status.choices]
    paging = request.GET.copy()
    paging.pop("page", None)
    return render(
        request,
        "campaigns/follow_ups/list.html",
        {
            "page": page,
            "rows": flag_rows(page.object_list, now),
            "tabs": [t for t in tabs if t[0] in ("", "open") or t[2]],
            "status": status,
            "card": card,
            "cards": CARDS,
            "unit_id": unit_id,
            "units": units_visible_to(user).filter(active=True),
            "may_issue": any(user.has_role(role) for role in ISSUERS),
            "querystring": paging.urlencode(),
        },
    )


# --- the 交办 form and a draft's edit page ----------------------------------------------------


def _due_param(request) -> date | None:
    try:
        return date.fromisoformat(request.GET.get("due", ""))
    except ValueError:
        return None


def _form_page(request, form, *, draft=None, year=None):
    return render(
        request,
        "campaigns/follow_ups/form.html",
        {"form": form, "draft": draft, "year": year, "date_help": DATE_HELP},
    )


def _refused(form, error: LedgerError) -> None:
    """The service's reasons beside the fields they name (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            for text in texts:
                form.add_error(name if name in form.fields else None, text)
    else:
        for text in error.messages:
            form.add_error(None, text)


@role_required(*ISSUERS)
def follow_up_new(request):
    user = request.user
    year = current_year()
    if year is None:
        messages.warning(request, "当前没有进行中的考核年度，不能交办。")
        return redirect("follow-up-list")
    units = units_taskable_by(user, year)
    indicators = indicators_taskable_by(user, year)
    if request.method == "POST":
        form = FollowUpForm(request.POST, units=units, indicators=indicators)
        if form.is_valid():
            send = "issue" in request.POST
            try:
                follow_up = service.create_and_issue(
                    send=send, user=user, year=year, **form.service_fields()
                )
            except LedgerError as error:
                _refused(form, error)
            else:
                done = f"已发出{follow_up.serial}" if send else "已保存草稿"
                messages.success(request, f"{done}：{follow_up.title}。")
                return redirect("follow-up-detail", follow_up.pk)
        return _form_page(request, form, year=year)
    unit = units.filter(pk=id_param(request.GET, "unit") or 0).first()
    indicator = indicators.filter(pk=id_param(request.GET, "indicator") or 0).first()
    initial = {"unit": unit, "indicator": indicator, "due_on": _due_param(request)}
    initial |= task_prefill(unit, indicator)
    initial["requirement"] = "请对照目标任务查找原因，制定整改措施，按时限反馈办理情况。"
    return _form_page(
        request, FollowUpForm(initial=initial, units=units, indicators=indicators), year=year
    )


@role_required(*ISSUERS)
def follow_up_edit(request, pk):
    user = request.user
    draft = get_object_or_404(follow_ups_visible_to(user), pk=pk)
    if draft.status != Status.DRAFT or not service.is_issuer_side(user, draft):
        messages.info(request, "该交办单已发出，不能再编辑。")
        return redirect("follow-up-detail", draft.pk)
    # A system draft may be about an indicator another unit leads: it stays a choice.
    indicators = indicators_taskable_by(user, draft.year, keep=draft.indicator_id)
    options = {"units": units_taskable_by(user, draft.year), "indicators": indicators}
    if request.method == "POST":
        form = FollowUpForm(request.POST, draft=draft, **options)
        if form.is_valid():
            send = "issue" in request.POST
            try:
                with transaction.atomic():  # edited and sent, or neither
                    draft = service.update_draft(
                        follow_up=draft, user=user, **form.service_fields()
                    )
                    if send:
                        draft = service.issue_follow_up(follow_up=draft, user=user)
            except LedgerError as error:
                _refused(form, error)
            else:
                done = f"已发出{draft.serial}" if send else "已保存草稿"
                messages.success(request, f"{done}：{draft.title}。")
                return redirect("follow-up-detail", draft.pk)
        return _form_page(request, form, draft=draft, year=draft.year)
    initial = {name: getattr(draft, name) for name in service.DRAFT_FIELDS}
    return _form_page(
        request, FollowUpForm(initial=initial, draft=draft, **options), draft=draft, year=draft.year
    )


# --- the thread ------------------------------------------------------------------------------


def _actions(user, follow_up: FollowUp) -> set[str]:
    """The steps `user` may take now (the services decide again when one is posted)."""
    status = follow_up.status
    actions = set()
    if service.is_unit_side(user, follow_up):
        pending = any(e.status == "pending" for e in follow_up.extensions.all())
        actions |= {
            Status.ISSUED: {"acknowledge"},
            Status.ACKNOWLEDGED: {"reply", "close-request"} | (set() if pending else {"extend"}),
            Status.CLOSING: {"reply"},
        }.get(status, set())
    if service.is_issuer_side(user, follow_up):
        actions |= {
            Status.DRAFT: {"edit", "issue", "withdraw"},
            Status.ISSUED: {"urge", "withdraw"},
            Status.ACKNOWLEDGED: {"urge", "withdraw"},
            Status.CLOSING: {"close", "return", "withdraw"},
        }.get(status, set())
        if status in service.OPEN:
            actions.add("decide")
    return actions


def _thread_page(request, pk: int, *, bound: dict | None = None, status: int = 200):
    user = request.user
    follow_up = follow_up_thread(user, pk)
    if follow_up is None:
        raise Http404("交办事项不存在或无权查看。")
    now = timezone.now()
    (follow_up,) = flag_rows([follow_up], now)
    forms = {
        "reply": ReplyForm(),
        "extend": ExtensionForm(),
        "return": ReasonForm(),
        "withdraw": ReasonForm(),
        "urge": NoteForm(),
        "close": NoteForm(),
        "close_request": NoteForm(),
    }
    # Template names cannot hold "-": close-request's form is forms.close_request.
    forms |= {name.replace("-", "_"): form for name, form in (bound or {}).items()}
    return render(
        request,
        "campaigns/follow_ups/detail.html",
        {
            "f": follow_up,
            "events": list(follow_up.events.all()),
            "extensions": list(follow_up.extensions.all()),
            "pending": [e for e in follow_up.extensions.all() if e.status == "pending"],
            "history": history_lines(follow_up),
            "actions": _actions(user, follow_up),
            "forms": forms,
            "opened": next(iter(bound), "") if bound else "",
            "self_review": follow_up.kind == FollowUp.Kind.SELF_REVIEW,
            "date_help": DATE_HELP,
        },
        status=status,
    )


@role_required(*READERS)
def follow_up_detail(request, pk):
    return _thread_page(request, pk)


# --- the steps (POST) ------------------------------------------------------------------------


class _Invalid(Exception):
    def __init__(self, form):
        self.form = form


def _valid(form):
    if not form.is_valid():
        raise _Invalid(form)
    return form.cleaned_data


def _acknowledge(request, f):
    service.acknowledge(follow_up=f, user=request.user)
    return NoteForm(), "已签收，请按要求办理并及时反馈。"


def _reply(request, f):
    form = ReplyForm(request.POST)
    data = _valid(form)
    try:
        service.reply(
            follow_up=f,
            user=request.user,
            text=data["text"],
            measures=data["measures"],
            files=request.FILES.getlist("files"),
        )
    except LedgerError as error:
        _refused(form, error)
        raise _Invalid(form) from None
    return form, "已提交检讨和整改措施。" if f.kind == FollowUp.Kind.SELF_REVIEW else "已反馈。"


def _close_request(request, f):
    form = NoteForm(request.POST)
    service.request_close(follow_up=f, user=request.user, text=_valid(form)["text"])
    return form, "已申请办结，等待交办单位审核。"


def _extend(request, f):
    form = ExtensionForm(request.POST)
    data = _valid(form)
    service.request_extension(
        follow_up=f, user=request.user, reason=data["reason"], due_on=data["due_on"]
    )
    return form, "已提交延期申请，等待交办单位批复。"


def _close(request, f):
    form = NoteForm(request.POST)
    service.close(follow_up=f, user=request.user, text=_valid(form)["text"])
    done = "已接受检讨，办结。" if f.kind == FollowUp.Kind.SELF_REVIEW else "已办结销号。"
    return form, done


def _return(request, f):
    form = ReasonForm(request.POST)
    service.return_for_redo(follow_up=f, user=request.user, reason=_valid(form)["reason"])
    return form, "已退回重办。"


def _urge(request, f):
    form = NoteForm(request.POST)
    service.urge(follow_up=f, user=request.user, text=_valid(form)["text"])
    return form, "已催办，承办单位将收到通知。"


def _decide(request, f):
    form = DecisionForm(request.POST)
    data = _valid(form)
    extension = get_object_or_404(
        extensions_visible_to(request.user).filter(follow_up=f), pk=data["extension"]
    )
    service.decide_extension(
        extension=extension, user=request.user, grant=data["grant"], note=data["note"]
    )
    return form, "已同意延期。" if data["grant"] else "已批复：不同意延期。"


def _withdraw(request, f):
    form = ReasonForm(request.POST)
    service.withdraw(follow_up=f, user=request.user, reason=_valid(form)["reason"])
    return form, "已撤销。"


def _issue(request, f):
    f = service.issue_follow_up(follow_up=f, user=request.user)
    return NoteForm(), f"已发出{f.serial}。"


STEPS = {
    "acknowledge": _acknowledge,
    "reply": _reply,
    "close-request": _close_request,
    "extend": _extend,
    "close": _close,
    "return": _return,
    "urge": _urge,
    "decide": _decide,
    "withdraw": _withdraw,
    "issue": _issue,
}
# Forms shown again (typed text kept) when their step is refused.
FORMS = {
    "reply": ReplyForm,
    "close-request": NoteForm,
    "extend": ExtensionForm,
    "close": NoteForm,
    "return": ReasonForm,
    "urge": NoteForm,
    "withdraw": ReasonForm,
}


@require_POST
@role_required(*READERS)
def follow_up_action(request, pk, action):
    step = STEPS.get(action)
    if step is None:
        raise Http404("没有这项操作。")
    follow_up = get_object_or_404(follow_ups_visible_to(request.user), pk=pk)
    try:
        _, done = step(request, follow_up)
    except _Invalid as invalid:
        return _thread_page(request, pk, bound={action: invalid.form})
    except LedgerError as error:
        form = FORMS[action](request.POST) if action in FORMS else None
        if form is None:
            for text in error.messages:
                messages.error(request, text)
            return redirect("follow-up-detail", pk)
        form.is_valid()
        _refused(form, error)
        return _thread_page(request, pk, bound={action: form})
    messages.success(request, done)
    return redirect("follow-up-detail", pk)
