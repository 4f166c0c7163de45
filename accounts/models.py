"""Units, ranking groups and users (DESIGN §3, accounts/)."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from simple_history.models import HistoricalRecords

from .permissions import user_acts_as
from .roles import ADMIN_SITE_ROLES, COUNTY_WIDE_ROLES, ROLE_PERMISSIONS, Role


class RankingGroup(models.Model):
    """A 考核组别: units are ranked only against the other units of their group."""

    name = models.CharField("组别名称", max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    description = models.CharField("说明", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核组别"
        verbose_name_plural = "考核组别"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A responsible unit: a township, a county department or an industrial park."""

    class Kind(models.TextChoices):
        TOWNSHIP = "township", "乡镇"
        DEPARTMENT = "department", "县直部门"
        PARK = "park", "园区"

    name = models.CharField("单位名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30)
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    group = models.ForeignKey(
        RankingGroup, on_delete=models.PROTECT, related_name="units", verbose_name="考核组别"
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("在用", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in; belongs to one unit (leaders and the admin may have none)."""

    # One full-name field: Chinese names are not split into first and last for display.
    first_name = None
    last_name = None
    full_name = models.CharField("姓名", max_length=50)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name="所属单位",
    )
    title = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    contact_units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="contact_leaders",
        verbose_name="联系单位",
        help_text="县领导联系的乡镇、部门或园区（驾驶舱“我的”）",
    )
    must_change_password = models.BooleanField(
        "首次登录须修改密码",
        default=False,
        help_text="新建账号和演示账号在第一次登录后须先修改密码，才能使用系统",
    )
    # Part of the session hash (below): raising it ends every session of the account at once,
    # whatever the session backend, without touching the password.
    session_generation = models.PositiveIntegerField("会话代数", default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self):
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    def get_full_name(self):
        return self.full_name or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django's hash of the password, with the session generation mixed in: a session
        # signed before the generation was raised no longer verifies and is signed out.
        key_salt = "accounts.User.get_session_auth_hash"
        value = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    def get_short_name(self):
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The user's roles, read once per request from its groups."""
        names = self.groups.values_list("name", flat=True)
        return frozenset(r for r in map(Role.from_group_name, names) if r is not None)

    def has_role(self, role: Role) -> bool:
        return self.is_active and role in self.roles

    # A superuser holds the system administrator's permissions (plus its roles', if any), not
    # Django's "everything": in the admin too it manages accounts, not the office's year, rules,
    # adjustments or vetoes (docs/decisions.md, "Who acts as whom").
    def _superuser_perms(self) -> set[str]:
        return {p for role in {Role.ADMIN, *self.roles} for p in ROLE_PERMISSIONS[role]}

    def has_perm(self, perm, obj=None):
        if self.is_active and self.is_superuser:
            return perm in self._superuser_perms()
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.is_superuser:
            return any(p.startswith(f"{app_label}.") for p in self._superuser_perms())
        return super().has_module_perms(app_label)

    # Both through user_acts_as, the one rule for superusers (they act as the admin role).
    @property
    def sees_whole_county(self) -> bool:
        return any(user_acts_as(self, role) for role in COUNTY_WIDE_ROLES)

    @property
    def may_use_admin_site(self) -> bool:
        return any(user_acts_as(self, role) for role in ADMIN_SITE_ROLES)


class RoleChange(models.Model):
    """One change of a user's roles: who changed whose roles, when, and what was granted or
    withdrawn. Written only by accounts.services.set_roles, whatever page asked for it."""

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_changes", verbose_name="用户"
    )
    changed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="操作人",
        help_text="为空表示由系统命令（如演示数据）设置。",
    )
    changed_at = models.DateTimeField("时间", default=timezone.now)
    added = models.CharField("授予角色", max_length=200, blank=True)
    removed = models.CharField("撤销角色", max_length=200, blank=True)

    class Meta:
        verbose_name = "角色变更记录"
        verbose_name_plural = "角色变更记录"
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        parts = [f"授予“{self.added}”" if self.added else ""]
        parts.append(f"撤销“{self.removed}”" if self.removed else "")
        return f"{self.user}：{'，'.join(p for p in parts if p)}"


class Notification(models.Model):
    """An in-app message to one user (a reminder, a return, a reopened ledger …)."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "填报提醒"
        MISSING = "missing", "缺报通知"
        RETURNED = "returned", "退回修改"
        REOPENED = "reopened", "重新开放"
        CONFIRM = "confirm", "待确认"
        PUBLISHED = "published", "考评发布"
        APPEAL = "appeal", "申诉处理"
        FOLLOW_UP = "follow_up", "督查督办"
        ESCALATION = "escalation", "逾期警示"
        BRIEFING = "briefing", "周通报"

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class OutboxTask(models.Model):
    """A Celery task to send, written in the transaction of the change that causes it.

    Published right after commit; if the broker is down the row stays pending and beat's
    `flush_outbox` sends it once the broker is back, so no task is lost (jiaozhang.tasking).
    """

    name = models.CharField("任务", max_length=200)
    args = models.JSONField("参数", default=list)
    queue = models.CharField("队列", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "待发送任务"
        verbose_name_plural = "待发送任务"
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.name}{self.args}"
