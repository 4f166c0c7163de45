"""The campaign registers (DESIGN §3, issue 13): key projects, signed projects, pilot villages.

A register row is master data (what the project or village is, its plan, who contracts it);
its progress arrives week by week inside the responsible unit's ledger as a report (project,
village) or as the row itself (a signing), and the indicators fed by a register (开工率,
投资完成率, 签约额, 试点村任务完成率, 资金到位率 …) are derived from the verified reports
only — nobody types those figures twice (campaigns.registers.derivation).

Amounts are in 万元, the unit county project lists are kept in; a derived indicator measured
in 亿元 converts. Imported into campaigns.models, so `from campaigns.models import KeyProject`
works like every other model of the app.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from campaigns.versions import Versioned

FIGURE = {"max_digits": 18, "decimal_places": 4}
# Longest texts a unit may type in a report (as for follow-ups): a narrative, and a note. The
# forms and the services refuse longer text with the count; it is never cut.
NARRATIVE, NOTE = 5000, 1000
PERCENT = {"max_digits": 7, "decimal_places": 2}


class ReviewStatus(models.TextChoices):
    """A weekly register report's verdict, the same three states as a ledger entry's."""

    PENDING = "pending", "待核实"
    VERIFIED = "verified", "已核实"
    RETURNED = "returned", "已退回"


class Blockers(models.Model):
    """The blocking causes of a project (土地 / 资金 / 手续 / 其他, with text): on the register
    row (the current diagnosis) and on each weekly report (what the unit reported that week)."""

    blocked_land = models.BooleanField("土地制约", default=False)
    blocked_funds = models.BooleanField("资金制约", default=False)
    blocked_procedures = models.BooleanField("手续制约", default=False)
    blocked_other = models.BooleanField("其他制约", default=False)
    blocking_note = models.TextField("制约因素说明", blank=True)

    BLOCKER_FIELDS = ("blocked_land", "blocked_funds", "blocked_procedures", "blocked_other")

    class Meta:
        abstract = True

    @property
    def blocker_labels(self) -> list[str]:
        return [
            str(self._meta.get_field(name).verbose_name).removesuffix("制约")
            for name in self.BLOCKER_FIELDS
            if getattr(self, name)
        ]


class Review(Versioned):
    """The reviewer's side of a register report or signing, like LedgerEntry's."""

    review_status = models.CharField(
        "核实状态", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="核实人",
    )
    reviewed_at = models.DateTimeField("核实时间", null=True, blank=True)
    review_comment = models.TextField("审核意见", blank=True)
    # Optimistic concurrency: every save through a service raises it, and a form posted with
    # an older number is refused with what changed instead of overwriting the newer row.
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True

    @property
    def is_verified(self) -> bool:
        return self.review_status == ReviewStatus.VERIFIED


class KeyProject(Blockers):
    """A 重点项目 of the 项目建设 or 县城建设 campaign, reported weekly by its responsible unit."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开工"
        UNDER_CONSTRUCTION = "building", "在建"
        SUSPENDED = "suspended", "停建"
        COMPLETED = "completed", "竣工"
        OPERATING = "operating", "投产"

    class Category(models.TextChoices):
        INDUSTRY = "industry", "工业项目"
        INFRASTRUCTURE = "infrastructure", "基础设施"
        URBAN = "urban", "城市建设"
        SOCIAL = "social", "社会民生"
        AGRICULTURE = "agriculture", "农业农村"
        SERVICES = "services", "现代服务业"
        OTHER = "other", "其他"

    # A project that has broken ground: counted as started (开工) whatever it became since.
    STARTED = (Status.UNDER_CONSTRUCTION, Status.SUSPENDED, Status.COMPLETED, Status.OPERATING)

    year = models.ForeignKey(
        "campaigns.AssessmentYear",
        on_delete=models.CASCADE,
        related_name="key_projects",
        verbose_name="考核年度",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.PROTECT,
        related_name="key_projects",
        verbose_name="会战",
    )
    name = models.CharField("项目名称", max_length=100)
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="key_projects",
        verbose_name="责任单位",
    )
    park = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="park_projects",
        null=True,
        blank=True,
        verbose_name="所在园区",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contracted_projects",
        null=True,
        blank=True,
        verbose_name="分包县领导",
    )
    category = models.CharField("项目类别", max_length=20, choices=Category.choices)
    total_investment = models.DecimalField(
        "总投资（万元）", **FIGURE, validators=[MinValueValidator(0)]
    )
    annual_plan = models.DecimalField(
        "年度计划投资（万元）", **FIGURE, validators=[MinValueValidator(0)]
    )
    planned_start = models.DateField("计划开工日期", null=True, blank=True)
    # The status when the row was registered: 未开工 makes it a new project of the year (the
    # 开工率's denominator); the derivation starts from it until a report is verified.
    registered_status = models.CharField(
        "登记时状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    # The latest verified state, kept by the review service for lists and the 分包 view.
    status = models.CharField(
        "当前状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    started_on = models.DateField("实际开工日期", null=True, blank=True)
    investment_to_date = models.DecimalField(
        "本年累计完成投资（万元）", **FIGURE, default=0, help_text="最近一次核实的数"
    )
    strategic = models.BooleanField("战略支撑项目", default=False)
    showcase = models.BooleanField("精品工程", default=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("在库", default=True, help_text="移出项目库的项目不再填报")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "重点项目"
        verbose_name_plural = "重点项目"
        ordering = ["year", "unit__sort_order", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"],
                name="key_project_unique_name",
                violation_error_message="本年度已有同名的重点项目。",
            ),
            models.CheckConstraint(
                condition=models.Q(annual_plan__lte=models.F("total_investment")),
                name="key_project_annual_within_total",
                violation_error_message="年度计划投资不能超过项目总投资。",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_new(self) -> bool:
        """A project planned to start this year (the 开工率's denominator)."""
        return self.registered_status == self.Status.NOT_STARTED


class ProjectReport(Blockers, Review):
    """A project's weekly progress inside its responsible unit's ledger."""

    project = models.ForeignKey(
        KeyProject, on_delete=models.CASCADE, related_name="reports", verbose_name="重点项目"
    )
    ledger = models.ForeignKey(
        "campaigns.WeeklyLedger",
        on_delete=models.CASCADE,
        related_name="project_reports",
        verbose_name="周帐",
    )
    status = models.CharField("项目状态", max_length=12, choices=KeyProject.Status.choices)
    status_reason = models.CharField(
        "状态变更说明", max_length=300, blank=True, help_text="跨步骤或倒退的状态变更须说明"
    )
    started_on = models.DateField("开工日期", null=True, blank=True)
    investment_to_date = models.DecimalField(
        "本年累计完成投资（万元）", **FIGURE, validators=[MinValueValidator(0)]
    )
    verified_investment = models.DecimalField(
        "核实投资（万元）", **FIGURE, null=True, blank=True, help_text="核减时与填报数不同"
    )
    progress = models.TextField("本周进展", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "重点项目周报"
        verbose_name_plural = "重点项目周报"
        ordering = ["ledger_id", "project__sort_order", "project_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "ledger"], name="project_report_unique_per_ledger"
            )
        ]
        indexes = [
            models.Index(fields=["project", "review_status"], name="project_report_review"),
        ]

    def __str__(self):
        return f"{self.project} · {self.ledger.period}"

    @property
    def counted_investment(self):
        """The figure that counts once verified: the reviewer's, else the reported one."""
        if self.verified_investment is not None:
            return self.verified_investment
        return self.investment_to_date


class SignedProject(Review):
    """A 招商签约 project: entered by the signing unit in its weekly ledger and verified by
    the lead department of the signing indicators; its stage is kept up to date after."""

    class InvestorClass(models.TextChoices):
        CENTRAL_SOE = "central_soe", "央企"
        GLOBAL_500 = "global500", "世界500强"
        CHINA_500 = "china500", "国内500强"
        OTHER = "other", "其他"

    class Stage(models.TextChoices):
        SIGNED = "signed", "签约"
        REGISTERED = "registered", "注册"
        STARTED = "started", "开工"
        OPERATING = "operating", "投产"

    year = models.ForeignKey(
        "campaigns.AssessmentYear",
        on_delete=models.CASCADE,
        related_name="signed_projects",
        verbose_name="考核年度",
    )
    unit = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="signed_projects",
        verbose_name="签约单位",
    )
    # The ledger the signing was entered (or last changed) in: its derived figures are
    # verified only once this row is.
    ledger = models.ForeignKey(
        "campaigns.WeeklyLedger",
        on_delete=models.PROTECT,
        related_name="signed_projects",
        verbose_name="填报周帐",
    )
    name = models.CharField("项目名称", max_length=100)
    investor = models.CharField("投资方", max_length=100)
    investor_class = models.CharField(
        "投资方类别", max_length=12, choices=InvestorClass.choices, default=InvestorClass.OTHER
    )
    amount = models.DecimalField("协议投资额（万元）", **FIGURE, validators=[MinValueValidator(0)])
    verified_amount = models.DecimalField(
        "核实投资额（万元）", **FIGURE, null=True, blank=True, help_text="核减时与填报数不同"
    )
    signed_on = models.DateField("签约日期")
    stage = models.CharField("进展阶段", max_length=12, choices=Stage.choices, default=Stage.SIGNED)
    stage_reason = models.CharField("阶段变更说明", max_length=300, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "招商签约项目"
        verbose_name_plural = "招商签约项目"
        ordering = ["year", "-signed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "name"], name="signed_project_unique_name"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def counted_amount(self):
        if self.verified_amount is not None:
            return self.verified_amount
        return self.amount


class Funds(models.Model):
    """A pilot village's funds by source, in 万元: secured from above (中央 / 省 / 市) and
    matching (县 / 乡镇 / 村). Planned on the village, in place (到位, cumulative) on a report."""

    funds_central = models.DecimalField("中央资金（万元）", **FIGURE, default=0)
    funds_provincial = models.DecimalField("省级资金（万元）", **FIGURE, default=0)
    funds_municipal = models.DecimalField("市级资金（万元）", **FIGURE, default=0)
    match_county = models.DecimalField("县级配套（万元）", **FIGURE, default=0)
    match_township = models.DecimalField("乡镇配套（万元）", **FIGURE, default=0)
    match_village = models.DecimalField("村级自筹（万元）", **FIGURE, default=0)

    SECURED_FIELDS = ("funds_central", "funds_provincial", "funds_municipal")
    MATCHING_FIELDS = ("match_county", "match_township", "match_village")
    FUND_FIELDS = SECURED_FIELDS + MATCHING_FIELDS

    class Meta:
        abstract = True


class PilotVillage(Funds):
    """A 美丽乡村试点村 with its planned funds; the township reports it weekly."""

    class Level(models.TextChoices):
        PROVINCIAL = "provincial", "省级"
        MUNICIPAL = "municipal", "市级"
        COUNTY_AID = "county_aid", "县级重点帮扶"

    year = models.ForeignKey(
        "campaigns.AssessmentYear",
        on_delete=models.CASCADE,
        related_name="pilot_villages",
        verbose_name="考核年度",
    )
    township = models.ForeignKey(
        "accounts.Unit",
        on_delete=models.PROTECT,
        related_name="pilot_villages",
        verbose_name="所属乡镇",
    )
    name = models.CharField("村名", max_length=50)
    level = models.CharField("试点级别", max_length=12, choices=Level.choices)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contracted_villages",
        null=True,
        blank=True,
        verbose_name="分包县领导",
    )
    highlights = models.TextField("建设亮点", blank=True, help_text="最近一次核实的亮点")
    sort_order = models.PositiveIntegerField("排序", default=0)
    active = models.BooleanField("在库", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "美丽乡村试点村"
        verbose_name_plural = "美丽乡村试点村"
        ordering = ["year", "township__sort_order", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "township", "name"], name="pilot_village_unique_name"
            )
        ]

    def __str__(self):
        return f"{self.township.short_name}{self.name}" if self.township_id else self.name


class VillageTask(models.Model):
    """One item of a pilot village's task list, with its due date."""

    village = models.ForeignKey(
        PilotVillage, on_delete=models.CASCADE, related_name="tasks", verbose_name="试点村"
    )
    name = models.CharField("建设任务", max_length=200)
    due_on = models.DateField("完成时限")
    # The latest verified completion, kept by the review service for lists and the 分包 view.
    completion = models.DecimalField(
        "完成进度（%）",
        **PERCENT,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    sort_order = models.PositiveIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "试点村建设任务"
        verbose_name_plural = "试点村建设任务"
        ordering = ["village_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="village_task_unique_name"),
            models.CheckConstraint(
                condition=models.Q(completion__gte=0, completion__lte=100),
                name="village_task_completion_range",
                violation_error_message="完成进度须在 0–100% 之间。",
            ),
        ]

    def __str__(self):
        return self.name


class VillageReport(Funds, Review):
    """A pilot village's weekly report inside its township's ledger: the funds in place
    (cumulative), the highlights and progress, and one line per task (VillageTaskProgress)."""

    village = models.ForeignKey(
        PilotVillage, on_delete=models.CASCADE, related_name="reports", verbose_name="试点村"
    )
    ledger = models.ForeignKey(
        "campaigns.WeeklyLedger",
        on_delete=models.CASCADE,
        related_name="village_reports",
        verbose_name="周帐",
    )
    highlights = models.TextField("建设亮点", blank=True)
    progress = models.TextField("本周进展", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "试点村周报"
        verbose_name_plural = "试点村周报"
        ordering = ["ledger_id", "village__sort_order", "village_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "ledger"], name="village_report_unique_per_ledger"
            )
        ]
        indexes = [
            models.Index(fields=["village", "review_status"], name="village_report_review"),
        ]

    def __str__(self):
        return f"{self.village} · {self.ledger.period}"


class VillageTaskProgress(models.Model):
    """A task's completion as reported in one village report (0–100 %)."""

    report = models.ForeignKey(
        VillageReport, on_delete=models.CASCADE, related_name="tasks", verbose_name="试点村周报"
    )
    task = models.ForeignKey(
        VillageTask, on_delete=models.CASCADE, related_name="progress", verbose_name="建设任务"
    )
    completion = models.DecimalField(
        "完成进度（%）", **PERCENT, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    done_on = models.DateField("完成日期", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "建设任务进度"
        verbose_name_plural = "建设任务进度"
        ordering = ["report_id", "task__sort_order", "task_id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "task"], name="task_progress_unique"),
            models.CheckConstraint(
                condition=models.Q(completion__gte=0, completion__lte=100),
                name="task_progress_completion_range",
                violation_error_message="完成进度须在 0–100% 之间。",
            ),
        ]

    def __str__(self):
        return f"{self.task} {self.completion}%"
