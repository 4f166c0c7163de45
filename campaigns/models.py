"""The assessment year and the weekly ledger (DESIGN §3, campaigns/).

A year holds campaigns, their indicators, the targets units carry and the weekly periods; a unit
hands in one ledger per period with one entry per indicator it carries, which the indicator's
lead unit verifies. Status changes go through campaigns.services, never through save() alone.
"""

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import Unit

# The registers (issue 13) live in their own module (string references only, so no cycle);
# imported here so the app's models are all reachable as campaigns.models.X.
from campaigns.register_models import (  # noqa: F401
    KeyProject,
    PilotVillage,
    ProjectReport,
    Review,
    ReviewStatus,
    SignedProject,
    VillageReport,
    VillageTask,
    VillageTaskProgress,
)
from campaigns.versions import Versioned

FIGURE = {"max_digits": 18, "decimal_places": 4}


class AssessmentYear(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "筹备中"
        ACTIVE = "active", "进行中"
        CLOSED = "closed", "已结束"

    year = models.PositiveSmallIntegerField("考核年度", unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    deadline_weekday = models.PositiveSmallIntegerField(
        "每周截止日",
        default=4,
        validators=[MaxValueValidator(6)],
        help_text="0=周一 … 4=周五 … 6=周日（帐期所在周）",
    )
    deadline_time = models.TimeField("截止时间", default=time(18, 0))
    lock_after_days = models.PositiveSmallIntegerField(
        "截止后锁定天数", default=3, help_text="截止后再过这么多天，帐期锁定，未交即为缺报"
    )
    requires_head_confirmation = models.BooleanField(
        "需单位负责人确认", default=True, help_text="周帐提交后须经单位负责人确认签字"
    )
    # 督查督办 (issue 12): the office sets the escalation steps per year, in working days.
    yellow_card_after_days = models.PositiveSmallIntegerField(
        "黄牌（逾期工作日）",
        default=1,
        validators=[MinValueValidator(1)],
        help_text="交办事项超过办理时限这么多个工作日仍未办结，亮黄牌",
    )
    red_card_after_days = models.PositiveSmallIntegerField(
        "红牌（黄牌后工作日）",
        default=5,
        validators=[MinValueValidator(1)],
        help_text="黄牌后再过这么多个工作日仍未办结，亮红牌",
    )
    self_review_days = models.PositiveSmallIntegerField(
        "检讨时限（工作日）",
        default=5,
        validators=[MinValueValidator(1)],
        help_text="后进单位提交书面检讨和整改措施的时限",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "考核年度"
        verbose_name_plural = "考核年度"
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年度"


class Campaign(models.Model):
    """One of the four 会战 of a year, led by one unit."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.CASCADE, related_name="campaigns", verbose_name="考核年度"
    )
    name = models.CharField("会战名称", max_length=50)
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_campaigns", verbose_name="牵头单位"
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "会战"
        verbose_name_plural = "会战"
        ordering = ["year", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="campaign_unique_name_per_year")
        ]

    def __str__(self):
        return self.name


class Indicator(models.Model):
    class Measure(models.TextChoices):
        HUNDRED_MILLION_YUAN = "亿元", "亿元"
        TEN_THOUSAND_YUAN = "万元", "万元"
        COUNT = "个", "个"
        PERCENT = "%", "%"
        CASES = "件", "件"
        ITEMS = "项", "项"
        KILOMETRES = "公里", "公里"
        TIMES = "次", "次"

    class Direction(models.TextChoices):
        HIGHER_BETTER = "higher", "越高越好"
        LOWER_BETTER = "lower", "越低越好"
        MILESTONE = "milestone", "节点完成"

    class Method(models.TextChoices):
        COMPLETION = "completion", "完成率法"
        RANK = "rank", "排名法"

    class Source(models.TextChoices):
        # Every other source is derived from a register (campaigns.registers.derivation):
        # shown read-only in the ledger and verified when the register rows behind it are.
        LEDGER = "ledger", "周帐填报"
        PROJECTS_STARTED_RATE = "projects_started_rate", "重点项目库：新开工项目开工率（%）"
        PROJECTS_STARTED_COUNT = "projects_started_count", "重点项目库：新开工项目已开工个数"
        PROJECTS_INVESTMENT_RATE = "projects_investment_rate", "重点项目库：年度投资完成率（%）"
        PROJECTS_INVESTMENT = "projects_investment", "重点项目库：本年累计完成投资"
        SIGNED_AMOUNT = "signed_amount", "招商签约库：签约额"
        SIGNED_COUNT = "signed_count", "招商签约库：签约项目数"
        SIGNED_LARGE_COUNT = "signed_large_count", "招商签约库：亿元以上签约项目数"
        SIGNED_CENTRAL_SOE = "signed_central_soe", "招商签约库：央企签约项目数"
        SIGNED_GLOBAL_500 = "signed_global500", "招商签约库：世界500强签约项目数"
        SIGNED_CHINA_500 = "signed_china500", "招商签约库：国内500强签约项目数"
        VILLAGE_TASK_RATE = "village_task_rate", "试点村库：建设任务完成率（%）"
        VILLAGE_FUNDS_RATE = "village_funds_rate", "试点村库：资金到位率（%）"
        VILLAGE_MATCHING_RATE = "village_matching_rate", "试点村库：配套资金到位率（%）"
        VILLAGE_SECURED_FUNDS = "village_secured_funds", "试点村库：争取中央省市资金到位额"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="indicators", verbose_name="会战"
    )
    name = models.CharField("指标名称", max_length=100)
    measure = models.CharField("计量单位", max_length=10, choices=Measure.choices)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices)
    points = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    method = models.CharField(
        "计分方法", max_length=12, choices=Method.choices, default=Method.COMPLETION
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_indicators", verbose_name="牵头部门"
    )
    cumulative = models.BooleanField(
        "累计值", default=True, help_text="累计值：填报年初至今的累计数；否则填报当前水平（如比率）"
    )
    source = models.CharField("数据来源", max_length=30, choices=Source.choices, default="ledger")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    description = models.CharField("口径说明", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["campaign__sort_order", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"], name="indicator_unique_name_per_campaign"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_milestone(self) -> bool:
        return self.direction == self.Direction.MILESTONE

    @property
    def is_derived(self) -> bool:
        """Derived from a register: never typed, verified with the register rows behind it."""
        return self.source != self.Source.LEDGER

    @property
    def register(self) -> str | None:
        """ "projects", "signed" or "villages": the register a derived indicator reads."""
        if not self.is_derived:
            return None
        return {"projects": "projects", "signed": "signed", "village": "villages"}[
            self.source.split("_")[0]
        ]


class Target(models.Model):
    """The annual task a unit carries on an indicator; a unit reports only what it carries."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name="指标"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="targets", verbose_name="责任单位"
    )
    annual_value = models.DecimalField(
        "年度目标值", **FIGURE, null=True, blank=True, help_text="节点类指标不填"
    )
    note = models.CharField("备注", max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "目标任务"
        verbose_name_plural = "目标任务"
        ordering = ["indicator_id", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit"], name="target_unique_per_unit")
        ]

    def __str__(self):
        return f"{self.unit} · {self.indicator}"


class Milestone(models.Model):
    """A share of the annual target due by a date (e.g. 07-31 at 80 %)."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="milestones", verbose_name="目标任务"
    )
    due_date = models.DateField("节点日期")
    fraction = models.DecimalField(
        "累计完成比例",
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0–1，如 0.8 表示完成全年目标的 80%",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["target_id", "due_date"]
        constraints = [
            models.UniqueConstraint(fields=["target", "due_date"], name="milestone_unique_date")
        ]

    def __str__(self):
        return f"{self.due_date:%m-%d} {self.fraction:.0%}"


class Holiday(models.Model):
    """A day that departs from the Monday–Friday week: a public holiday (休息日) or a make-up
    working day (调休上班日). Prefilled from the chinese_calendar package, edited by the office
    (the State Council publishes next year's arrangement each winter); campaigns/workdays.py
    is the one reader."""

    class Kind(models.TextChoices):
        REST = "rest", "休息日"
        WORKDAY = "workday", "调休上班日"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=50, blank=True, help_text="如：国庆节、春节")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"


class Period(models.Model):
    """One ISO week of the year's ISO calendar: the ledger's 帐期."""

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.CASCADE, related_name="periods", verbose_name="考核年度"
    )
    iso_week = models.PositiveSmallIntegerField("周次")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    quarter = models.PositiveSmallIntegerField("季度", help_text="按该周周四所在季度")
    deadline = models.DateTimeField("填报截止")
    locks_at = models.DateTimeField("锁定时间")
    deadline_set_by_office = models.BooleanField(
        "考核办指定截止", default=False, help_text="考核办修改过截止时间；重新生成帐期时不再改动"
    )
    # A past deadline changes only through change_period_deadline, with a reason recorded here.
    history = HistoricalRecords()

    class Meta:
        verbose_name = "帐期"
        verbose_name_plural = "帐期"
        ordering = ["year", "iso_week"]
        constraints = [
            models.UniqueConstraint(fields=["year", "iso_week"], name="period_unique_week")
        ]

    def __str__(self):
        return f"{self.year.year}年第{self.iso_week}周"

    @property
    def label(self) -> str:
        return f"第{self.iso_week}周（{self.starts_on:%m.%d}–{self.ends_on:%m.%d}）"

    ON_TIME, LATE, MISSING = "on_time", "late", "missing"

    def punctuality(self, handed_in_at) -> str:
        """DESIGN §4.6 for one ledger: on time, late (after the deadline), or missing (not
        handed in before the lock — a hand-in after an office reopening counts as missing).
        The one place this rule lives; the matrix, the scoring and the pages all ask here."""
        if handed_in_at is None or handed_in_at > self.locks_at:
            return self.MISSING
        return self.LATE if handed_in_at > self.deadline else self.ON_TIME


class WeeklyLedger(Versioned):
    """A unit's 周帐 for one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        AWAITING_CONFIRMATION = "awaiting", "待负责人确认"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "被退回"
        PARTLY_VERIFIED = "partly_verified", "部分核实"
        VERIFIED = "verified", "已核实"

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="ledgers", verbose_name="单位"
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="ledgers", verbose_name="帐期"
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # Optimistic concurrency, as on LedgerEntry (campaigns.register_models.Review.version).
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    # The first submission's time: timeliness is judged on it, not on resubmissions after a
    # return, and "late" / "missing" are derived from it and the period (no stored flags).
    submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    reopened_until = models.DateTimeField(
        "补报截止", null=True, blank=True, help_text="锁定后由考核办重新开放的截止时间"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "周帐"
        verbose_name_plural = "周帐"
        ordering = ["period_id", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="ledger_unique_per_week")
        ]

    # The states in which a ledger has reached the reviewers, and the rest: the one definition.
    HANDED_IN = (
        Status.SUBMITTED,
        Status.RETURNED,
        Status.PARTLY_VERIFIED,
        Status.VERIFIED,
    )
    NOT_HANDED_IN = (Status.DRAFT, Status.AWAITING_CONFIRMATION)  # every other state

    def __str__(self):
        return f"{self.unit} · {self.period}"

    @classmethod
    def status_from_reviews(cls, review_states) -> str:
        """A handed-in ledger's status from its entries' review states (a set of
        LedgerEntry.ReviewStatus values): the one rule, for the services and the demo builder.
        Any entry returned: returned; every entry verified: verified; some: partly verified."""
        states = set(review_states)
        if LedgerEntry.ReviewStatus.RETURNED in states:
            return cls.Status.RETURNED
        if states == {LedgerEntry.ReviewStatus.VERIFIED}:
            return cls.Status.VERIFIED
        if LedgerEntry.ReviewStatus.VERIFIED in states:
            return cls.Status.PARTLY_VERIFIED
        return cls.Status.SUBMITTED

    def hand_in(self, *, at) -> None:
        """Mark the ledger handed in at `at` (unsaved): timeliness is judged on the first
        hand-in, so a later one after a return keeps `submitted_at`."""
        self.status = self.Status.SUBMITTED
        if self.submitted_at is None:
            self.submitted_at = at

    @property
    def is_late(self) -> bool:
        """Handed in after the deadline (including after a reopening: late and counted missing)."""
        handed_in = self.submitted_at is not None
        return handed_in and self.period.punctuality(self.submitted_at) != Period.ON_TIME


class LedgerEntry(Review):
    """One indicator's figures in a ledger, with the reviewer's verdict beside them."""

    class ProblemCategory(models.TextChoices):
        LAND = "land", "土地"
        FUNDS = "funds", "资金"
        PROCEDURES = "procedures", "手续"
        OTHER = "other", "其他"

    ReviewStatus = ReviewStatus  # the one set of verdicts, shared with register reports

    ledger = models.ForeignKey(
        WeeklyLedger, on_delete=models.CASCADE, related_name="entries", verbose_name="周帐"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="entries", verbose_name="指标"
    )
    value = models.DecimalField(
        "填报值", **FIGURE, null=True, blank=True, help_text="累计指标：年初至今累计数"
    )
    done_on = models.DateField("完成日期", null=True, blank=True, help_text="节点类指标")
    decrease_reason = models.CharField("下降原因", max_length=300, blank=True)
    progress = models.TextField("本周进展", blank=True)
    problem_category = models.CharField(
        "问题类别", max_length=12, choices=ProblemCategory.choices, blank=True
    )
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    # review_status, reviewer, reviewed_at, review_comment: from Review, as on register reports.
    verified_value = models.DecimalField(
        "核实值", **FIGURE, null=True, blank=True, help_text="核减时与填报值不同，填报值保留"
    )
    checked_on_site = models.BooleanField("已实地查看", default=False)
    # campaigns.plausibility: a figure far outside what the unit could mean is kept, flagged,
    # and explained by the unit; the reviewer reads the note beside the figure.
    plausibility_flagged = models.BooleanField(
        "数值异常", default=False, help_text="填报值超过年度目标的 3 倍，须由单位填写异常说明"
    )
    plausibility_note = models.TextField("异常说明", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "实帐条目"
        verbose_name_plural = "实帐条目"
        ordering = ["ledger_id", "indicator__sort_order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["ledger", "indicator"], name="entry_unique_indicator")
        ]
        indexes = [models.Index(fields=["indicator", "review_status"], name="entry_review_queue")]

    def __str__(self):
        return f"{self.ledger} · {self.indicator}"

    @property
    def corrected(self) -> bool:
        return self.verified_value is not None and self.verified_value != self.value


class Inspection(models.Model):
    """A reviewer's on-site check (实地查看) of a unit, usually against a ledger entry, or of
    a register row (a key project or a pilot village; `unit` is then its responsible unit)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="inspections", verbose_name="被查看单位"
    )
    entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name="实帐条目",
    )
    project = models.ForeignKey(
        "campaigns.KeyProject",
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name="重点项目",
    )
    village = models.ForeignKey(
        "campaigns.PilotVillage",
        on_delete=models.PROTECT,
        related_name="inspections",
        null=True,
        blank=True,
        verbose_name="试点村",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="查看人"
    )
    visited_on = models.DateField("查看日期")
    place = models.CharField("地点", max_length=200)
    findings = models.TextField("查看情况")
    differs_from_ledger = models.BooleanField(
        "与实帐不符", default=False, help_text="查看情况与周帐所报不一致（将起草交办单）"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "实地查看记录"
        verbose_name_plural = "实地查看记录"
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.unit} · {self.visited_on}"


def evidence_path(instance, filename):
    # Content-addressed: the same photo uploaded twice is stored (and found) once.
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Evidence(models.Model):
    """A photo or PDF behind an entry or an inspection, checked by content, with its hash."""

    class Kind(models.TextChoices):
        IMAGE = "image", "图片"
        PDF = "pdf", "PDF 文件"

    entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
        verbose_name="实帐条目",
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        related_name="photos",
        null=True,
        blank=True,
        verbose_name="实地查看记录",
    )
    follow_up_event = models.ForeignKey(
        "FollowUpEvent",
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
        verbose_name="交办反馈",
    )
    project_report = models.ForeignKey(
        "campaigns.ProjectReport",
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
        verbose_name="重点项目周报",
    )
    village_report = models.ForeignKey(
        "campaigns.VillageReport",
        on_delete=models.CASCADE,
        related_name="evidence",
        null=True,
        blank=True,
        verbose_name="试点村周报",
    )
    file = models.FileField("文件", upload_to=evidence_path)
    thumbnail = models.ImageField("缩略图", upload_to="thumbnails/", blank=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("内容指纹", max_length=64, db_index=True)
    extension = models.CharField("扩展名", max_length=5)
    captured_at = models.DateTimeField("拍摄时间", null=True, blank=True, help_text="照片 EXIF")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry__isnull=False)
                | models.Q(inspection__isnull=False)
                | models.Q(follow_up_event__isnull=False)
                | models.Q(project_report__isnull=False)
                | models.Q(village_report__isnull=False),
                name="evidence_belongs_somewhere",
            )
        ]

    def __str__(self):
        return self.original_name


class ReminderLog(models.Model):
    """One reminder sent to a unit for a period; the unique key makes reminders idempotent."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "day_before", "截止前一天提醒"
        DEADLINE_DAY = "deadline_day", "截止当天提醒"
        MISSING = "missing", "缺报通知"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, verbose_name="单位")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, verbose_name="帐期")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒记录"
        verbose_name_plural = "提醒记录"
        constraints = [
            models.UniqueConstraint(fields=["unit", "period", "kind"], name="reminder_once")
        ]

    def __str__(self):
        return f"{self.unit_id} · {self.period_id} · {self.get_kind_display()}"


class LedgerReopening(models.Model):
    """The office reopened a locked ledger for a unit; kept as the record of who and why."""

    ledger = models.ForeignKey(
        WeeklyLedger, on_delete=models.CASCADE, related_name="reopenings", verbose_name="周帐"
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    reopened_at = models.DateTimeField("操作时间", auto_now_add=True)
    until = models.DateTimeField("补报截止")
    reason = models.CharField("原因", max_length=300)

    class Meta:
        verbose_name = "重新开放记录"
        verbose_name_plural = "重新开放记录"
        ordering = ["-reopened_at"]

    def __str__(self):
        return f"{self.ledger} · {self.reason}"


# --------------------------------------------------------------------------------------------
# 督查督办: follow-ups (交办单) from a lead department or the office to a unit (issue 12)
# --------------------------------------------------------------------------------------------


class FollowUp(models.Model):
    """交办单: what is wrong, what is required, by when; its thread is `events`.

    Status changes only through campaigns.services.follow_ups; the overdue cards (黄牌/红牌)
    are set by the escalation service, which also writes the 绩误档案 fault (DESIGN §4.11).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        ISSUED = "issued", "待签收"
        ACKNOWLEDGED = "acknowledged", "办理中"
        CLOSING = "closing", "申请办结"
        CLOSED = "closed", "已办结"
        WITHDRAWN = "withdrawn", "已撤销"

    class Kind(models.TextChoices):
        TASK = "task", "督办事项"
        SELF_REVIEW = "self_review", "责令检讨"

    class Origin(models.TextChoices):
        MANUAL = "manual", "手动交办"
        LAGGING = "lagging", "季度后进"
        WEAK_ITEM = "weak_item", "半年未过半"
        INSPECTION = "inspection", "实地查看不符"

    class Card(models.TextChoices):
        NONE = "", "无"
        YELLOW = "yellow", "黄牌"
        RED = "red", "红牌"

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="年度"
    )
    number = models.PositiveIntegerField(
        "编号", null=True, blank=True, help_text="发出时按年度顺序编号：督办〔年度〕N号"
    )
    kind = models.CharField("类型", max_length=20, choices=Kind.choices, default=Kind.TASK)
    origin = models.CharField("来源", max_length=20, choices=Origin.choices, default=Origin.MANUAL)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    issuer_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="follow_ups_issued", verbose_name="交办单位"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="起草人",
        help_text="空：系统自动起草",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="follow_ups", verbose_name="承办单位"
    )
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name="指标",
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name="实地查看记录",
    )
    quarter = models.PositiveSmallIntegerField(
        "季度", null=True, blank=True, help_text="责令检讨：所涉季度"
    )
    title = models.CharField("事项", max_length=200)
    problem = models.TextField("存在问题")
    requirement = models.TextField("办理要求")
    due_on = models.DateField("办理时限")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="交办人",
    )
    issued_at = models.DateTimeField("交办时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签收人",
    )
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结人",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    card = models.CharField(
        "逾期警示", max_length=10, choices=Card.choices, default=Card.NONE, blank=True
    )
    yellow_card_on = models.DateField("黄牌日期", null=True, blank=True)
    red_card_on = models.DateField("红牌日期", null=True, blank=True)
    created_at = models.DateTimeField("起草时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "交办事项"
        verbose_name_plural = "交办事项"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"], name="follow_up_unit_status"),
            models.Index(fields=["issuer_unit", "status"], name="follow_up_issuer_status"),
            models.Index(fields=["status", "due_on"], name="follow_up_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="follow_up_number_once"),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(status="withdrawn")
                | models.Q(number__isnull=False),
                name="follow_up_sent_has_number",
            ),
        ]

    def __str__(self):
        return f"{self.serial or '草稿'} {self.title}"

    @property
    def serial(self) -> str:
        """督办〔2026〕12号; empty for a draft."""
        if self.number is None:
            return ""
        return f"督办〔{self.year.year}〕{self.number}号"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.ISSUED, self.Status.ACKNOWLEDGED, self.Status.CLOSING)


class FollowUpEvent(models.Model):
    """One step in a follow-up's thread: who did what, when, with what text and evidence."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "交办"
        ACKNOWLEDGED = "acknowledged", "签收"
        REPLY = "reply", "反馈"
        CLOSE_REQUESTED = "close_requested", "申请办结"
        CLOSED = "closed", "办结销号"
        RETURNED = "returned", "退回重办"
        URGED = "urged", "催办"
        EXTENSION_REQUESTED = "extension_requested", "申请延期"
        EXTENSION_GRANTED = "extension_granted", "同意延期"
        EXTENSION_REFUSED = "extension_refused", "不同意延期"
        YELLOW_CARD = "yellow_card", "逾期黄牌"
        RED_CARD = "red_card", "逾期红牌"
        WITHDRAWN = "withdrawn", "撤销"

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="events", verbose_name="交办事项"
    )
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
        help_text="空：系统（逾期警示）",
    )
    at = models.DateTimeField("时间")
    text = models.TextField("内容", blank=True)
    measures = models.TextField("整改措施", blank=True, help_text="责令检讨：整改措施")
    due_on = models.DateField("时限", null=True, blank=True, help_text="延期：申请或批准的新时限")

    class Meta:
        verbose_name = "交办记录"
        verbose_name_plural = "交办记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["follow_up", "at"], name="follow_up_event_at")]

    def __str__(self):
        return f"{self.follow_up_id} · {self.get_kind_display()}"


class Extension(models.Model):
    """A unit's request to move a follow-up's due date; at most one pending at a time."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        GRANTED = "granted", "已同意"
        REFUSED = "refused", "未同意"

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="extensions", verbose_name="交办事项"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    reason = models.TextField("延期理由")
    due_on = models.DateField("申请延至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up"],
                condition=models.Q(status="pending"),
                name="extension_one_pending",
                violation_error_message="该交办事项已有待审批的延期申请。",
            )
        ]

    def __str__(self):
        return f"{self.follow_up_id} → {self.due_on}（{self.get_status_display()}）"
