"""The 待办 centre of the home pages: what each role must do now, counted and linked.

accounts owns the registry and the page; the apps that hold the work (campaigns, scoring)
register a provider per role in their AppConfig.ready(), since accounts imports neither. A
provider takes (user, now) and returns TodoItems; its counts come from selectors scoped to
the user, in a number of queries that does not grow with the county.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .roles import Role


@dataclass(frozen=True)
class TodoItem:
    """One line of the 待办 centre. `count` None: a status line with no number (this week's
    ledger, the latest published quarter); `level` a Bootstrap colour (danger: act now,
    warning: soon, info: to know, success: done)."""

    label: str
    count: int | None
    url: str
    level: str = "info"
    detail: str = ""

    @property
    def done(self) -> bool:
        return self.count == 0


Provider = Callable[[object, datetime], list[TodoItem]]

# role -> [(order, provider)]: items show by `order`, then in the order they registered.
_providers: dict[Role, list[tuple[int, Provider]]] = {}


def register(role: Role, provider: Provider, *, order: int = 50) -> None:
    """Add `provider`'s items to `role`'s home page, placed by `order` (lower first);
    idempotent, since ready() may run twice."""
    providers = _providers.setdefault(role, [])
    if all(registered is not provider for _, registered in providers):
        providers.append((order, provider))


def providers_for(role: Role) -> list[Provider]:
    ranked = sorted(enumerate(_providers.get(role, [])), key=lambda item: (item[1][0], item[0]))
    return [provider for _, (_, provider) in ranked]


def todo_items(user, role: Role, *, now: datetime | None = None) -> list[TodoItem]:
    """Every registered item of `role` for `user`, in registration order."""
    now = now or timezone.now()
    return [item for provider in providers_for(role) for item in provider(user, now)]


def local_minute(moment: datetime) -> str:
    """A moment as people read it here: local time, `12月4日 17:00` (the year when not this
    one's)."""
    local = timezone.localtime(moment)
    year = "" if local.year == timezone.localdate().year else f"{local.year}年"
    return f"{year}{local.month}月{local.day}日 {local:%H:%M}"


def time_left(moment: datetime, now: datetime) -> str:
    """How long until `moment`, in 天/小时/分钟 ("" once it has passed)."""
    seconds = int((moment - now).total_seconds())
    if seconds < 0:
        return ""
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    return f"{hours}小时{rest // 60}分钟" if hours else f"{rest // 60}分钟"


# --- the system administrator's items (accounts' own, registered in AccountsConfig.ready) ---


def admin_items(user, now: datetime) -> list[TodoItem]:
    """Locked accounts to unlock; accounts without a unit or role to complete."""
    from django.urls import reverse

    from .selectors import accounts_missing_unit_or_role, locked_attempts

    locked = locked_attempts(now=now).count()
    missing = accounts_missing_unit_or_role(user).count()
    accounts = reverse("account-list")
    return [
        TodoItem(
            label="被锁定的账号",
            count=locked,
            url=f"{accounts}?state=locked",
            level="danger",
            detail="密码错误次数过多；核实本人后可一键解除锁定"
            if locked
            else "当前没有被锁定的账号",
        ),
        TodoItem(
            label="缺少单位或角色的账号",
            count=missing,
            url=f"{accounts}?state=incomplete",
            level="warning",
            detail="未分配角色，或填报员、单位负责人、审核员未选所属单位"
            if missing
            else "账号信息完整",
        ),
    ]
