"""Scoring records (DESIGN §3 scoring/, §4, §8): rules per year, adjustments and vetoes,
quarterly evaluations with frozen versions, appeals, the merit-and-fault file, the annual result.

A computed version stores every figure it used (targets, verified actuals, the entries behind
them, rules), so later ledger edits never change it; a recomputation makes a new version.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from accounts.models import RankingGroup, Unit
from campaigns.models import AssessmentYear, Indicator, LedgerEntry, Period
from campaigns.quarters import QUARTER_NAMES, quarter_name

from . import engine

SCORE = {"max_digits": 12, "decimal_places": 6}
FIGURE = {"max_digits": 18, "decimal_places": 4}
QUARTERS = list(QUARTER_NAMES.items())


def quarter_in_range(name: str) -> models.CheckConstraint:
    """The database refuses a quarter outside 1–4 (a null quarter passes, as SQL CHECKs do)."""
    return models.CheckConstraint(
        condition=models.Q(quarter__gte=1, quarter__lte=4),
        name=name,
        violation_error_message="季度只能是 1–4。",
    )


def _share(label, default):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=4,
        default=Decimal(default),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )


def _points(label, default):
    return models.DecimalField(
        label,
        max_digits=6,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(0)],
    )


class ScoringRules(models.Model):
    """Every parameter of DESIGN §4 for one year; defaults are the design's."""

    year = models.OneToOneField(
        AssessmentYear, on_delete=models.CASCADE, related_name="scoring_rules", verbose_name="年度"
    )
    milestone_late_rate = _share("节点逾期完成得分率", "0.5")
    rate_cap = models.DecimalField(
        "完成率封顶",
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.2"),
        validators=[MinValueValidator(1)],
    )
    rank_step = _share("排名法末位扣减比例", "0.4")
    late_deduction = _points("迟报每次扣分", "0.5")
    missing_deduction = _points("缺报每次扣分", "1")
    timeliness_cap = _points("报送扣分季度上限", "5")
    bonus_cap = _points("加分季度上限", "5")
    penalty_cap = _points("减分季度上限", "5")
    top_share = _share("先进比例", "0.3")
    bottom_share = _share("后进比例", "0.1")
    bottom_min_group = models.PositiveSmallIntegerField("按比例定后进的最小组规模", default=5)
    lagging_below = _points("后进分数线（低于）", "60")
    advanced_from = _points("先进分数线（不低于）", "85")
    q1_weight = _share("第一季度权重", "0.2")
    q2_weight = _share("第二季度权重", "0.25")
    q3_weight = _share("第三季度权重", "0.25")
    q4_weight = _share("第四季度权重", "0.3")
    excellent_share = _share("优秀比例", "0.2")
    excellent_from = _points("优秀分数线（不低于）", "85")
    fair_below = _points("一般分数线（低于）", "70")
    poor_share = _share("较差比例", "0.1")
    poor_min_group = models.PositiveSmallIntegerField("按比例定较差的最小组规模", default=5)
    appeal_working_days = models.PositiveSmallIntegerField("申诉期（工作日）", default=3)
    history = HistoricalRecords()

    ENGINE_FIELDS = (
        "milestone_late_rate",
        "rate_cap",
        "rank_step",
        "late_deduction",
        "missing_deduction",
        "timeliness_cap",
        "bonus_cap",
        "penalty_cap",
        "top_share",
        "bottom_share",
        "bottom_min_group",
        "lagging_below",
        "advanced_from",
        "excellent_share",
        "excellent_from",
        "fair_below",
        "poor_share",
        "poor_min_group",
    )

    class Meta:
        verbose_name = "计分规则"
        verbose_name_plural = "计分规则"

    def __str__(self):
        return f"{self.year}计分规则"

    def as_engine_rules(self, **overrides) -> engine.Rules:
        values = {name: getattr(self, name) for name in self.ENGINE_FIELDS}
        values["quarter_weights"] = (self.q1_weight, self.q2_weight, self.q3_weight, self.q4_weight)
        values.update(overrides)
        return engine.Rules(**values)

    def clean(self):
        try:
            problems = self.as_engine_rules().validate()
        except (TypeError, ValueError, ArithmeticError) as error:
            problems = [f"规则参数无效：{error}"]
        if problems:
            raise ValidationError(problems)


class OfficeDecision(models.Model):
    """A quarter's item about a unit that one office user enters and another approves; it
    counts only once approved (adjustments and vetoes share this four-eyes record)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="单位")
    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, verbose_name="年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTERS)
    reason = models.CharField("事由", max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="录入人"
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审核人",
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["year", "quarter", "unit__sort_order", "id"]
        constraints = [
            quarter_in_range("%(class)s_quarter_1_to_4"),
            # Four eyes (DESIGN §3): whoever entered an item never approves it.
            models.CheckConstraint(
                condition=~models.Q(approved_by=models.F("entered_by")),
                name="%(class)s_approver_not_enterer",
                violation_error_message="须由录入人以外的考核办人员审核。",
            ),
        ]

    @property
    def approved(self) -> bool:
        return self.approved_by_id is not None


class Adjustment(OfficeDecision):
    """加减分: a quarter's bonus (positive) or penalty (negative)."""

    class Kind(models.TextChoices):
        COMMENDATION = "commendation", "上级表彰"
        HONOUR = "honour", "为省市争光"
        CRITICISM = "criticism", "通报批评"
        ACCIDENT = "accident", "重大事故"
        OTHER = "other", "其他"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    points = models.DecimalField(
        "分值", max_digits=6, decimal_places=2, help_text="加分为正，减分为负"
    )
    evidence = models.FileField("依据材料", upload_to="adjustments/", blank=True)
    history = HistoricalRecords()

    class Meta(OfficeDecision.Meta):
        verbose_name = "加减分"
        verbose_name_plural = "加减分"

    def __str__(self):
        return f"{self.unit} {quarter_name(self.quarter)} {self.get_kind_display()} {self.points:+}"


class Veto(OfficeDecision):
    """一票否决 or 一票否优 of a unit in a quarter."""

    class Kind(models.TextChoices):
        VETO = "veto", "一票否决"
        NO_EXCELLENCE = "no_excellence", "一票否优"

    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    evidence = models.FileField("依据材料", upload_to="vetoes/", blank=True)
    history = HistoricalRecords()

    class Meta(OfficeDecision.Meta):
        verbose_name = "一票否决/否优"
        verbose_name_plural = "一票否决/否优"

    def __str__(self):
        return f"{self.unit} {quarter_name(self.quarter)} {self.get_kind_display()}"


class QuarterlyEvaluation(models.Model):
    """季度考评: draft → computed (appeal window) → reviewed → published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "未计算"
        APPEAL = "appeal", "已计算（申诉期）"
        REVIEWED = "reviewed", "已审定"
        PUBLISHED = "published", "已发布"

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="evaluations", verbose_name="年度"
    )
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTERS)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    current_version = models.ForeignKey(
        "EvaluationVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="当前版本",
    )
    appeal_deadline = models.DateTimeField("申诉截止", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审定人",
    )
    reviewed_at = models.DateTimeField("审定时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    document_number = models.CharField("文号", max_length=40, blank=True, help_text="如〔2026〕3号")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "季度考评"
        verbose_name_plural = "季度考评"
        ordering = ["-year__year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["year", "quarter"], name="evaluation_once_per_quarter"),
            quarter_in_range("evaluation_quarter_1_to_4"),
        ]

    def __str__(self):
        return f"{self.year.year}年{quarter_name(self.quarter)}考评"

    @property
    def title(self) -> str:
        return f"{self.year.year}年{self.get_quarter_display()}"


class EvaluationVersion(models.Model):
    """One computation of a quarter, frozen with every figure it used."""

    evaluation = models.ForeignKey(
        QuarterlyEvaluation,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name="季度考评",
    )
    number = models.PositiveSmallIntegerField("版本号")
    computed_at = models.DateTimeField("计算时间")
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="计算人"
    )
    reason = models.CharField("计算原因", max_length=300, blank=True)
    rules = models.JSONField("所用规则")
    quarter_end = models.DateField("季度末")
    open_periods = models.PositiveSmallIntegerField(
        "计算时未锁定的帐期数", default=0, help_text="大于0表示计算时本季度仍有帐期未关闭"
    )
    # The quarter's approved adjustments and vetoes as this computation used them (see
    # scoring.services.loading.decision_snapshot): publication writes the file from these and
    # refuses when today's approved items differ.
    adjustments = models.JSONField("所用加减分", default=list, blank=True)
    vetoes = models.JSONField("所用一票否决/否优", default=list, blank=True)

    class Meta:
        verbose_name = "考评版本"
        verbose_name_plural = "考评版本"
        ordering = ["evaluation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="version_number_once")
        ]

    def __str__(self):
        return f"{self.evaluation} 第{self.number}版"


class SkippedQuarter(models.Model):
    """季度不考评登记: the office records, with a reason, that a quarter is not evaluated, so
    later quarters may be published and the year evaluated without it (DESIGN §4.12)."""

    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, verbose_name="年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTERS)
    reason = models.CharField("不考评原因", max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "季度不考评登记"
        verbose_name_plural = "季度不考评登记"
        ordering = ["year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"], name="skipped_quarter_once",
                violation_error_message="该季度已登记为不考评。",
            ),
            quarter_in_range("skipped_quarter_1_to_4"),
        ]  # fmt: skip

    def __str__(self):
        return f"{self.year.year}年{quarter_name(self.quarter)}不考评"


class UnitScore(models.Model):
    """A unit's result in one version: totals, rank and tier, and what went into them."""

    class Tier(models.TextChoices):
        # Values are the engine's (scoring.engine.Tier), labels what people read.
        ADVANCED = "advanced", "先进"
        STANDARD = "standard", "达标"
        LAGGING = "lagging", "后进"

    version = models.ForeignKey(
        EvaluationVersion,
        on_delete=models.CASCADE,
        related_name="unit_scores",
        verbose_name="版本",
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="单位")
    group = models.ForeignKey(RankingGroup, on_delete=models.PROTECT, verbose_name="考核组别")
    sort_order = models.PositiveIntegerField("排序")
    scored_points = models.DecimalField("计分指标总分值", **SCORE)
    earned_points = models.DecimalField("指标得分合计", **SCORE)
    base = models.DecimalField("基础分", **SCORE, null=True)
    late_ledgers = models.PositiveSmallIntegerField("迟报次数", default=0)
    missing_ledgers = models.PositiveSmallIntegerField("缺报次数", default=0)
    overdue_follow_ups = models.PositiveSmallIntegerField(
        "交办逾期次数",
        default=0,
        help_text="计算时已记入绩误档案的逾期交办事项（规则11，由逾期警示写入）",
    )
    timeliness = models.DecimalField("报送扣分", **SCORE)
    bonus = models.DecimalField("加分", **SCORE)
    penalty = models.DecimalField("减分", **SCORE, help_text="扣减的分数，记为正数")
    total = models.DecimalField("总分", **SCORE, null=True)
    vetoed = models.BooleanField("一票否决", default=False)
    no_excellence = models.BooleanField("一票否优", default=False)
    group_size = models.PositiveSmallIntegerField("组内参评单位数", default=0)
    rank = models.PositiveSmallIntegerField("组内名次", null=True)
    position = models.PositiveSmallIntegerField("排列位次", null=True)
    units_below = models.PositiveSmallIntegerField("排在其后的单位数", null=True)
    tier = models.CharField("等次", max_length=10, choices=Tier.choices, blank=True)
    previous_rank = models.PositiveSmallIntegerField("上季度名次", null=True)

    class Meta:
        verbose_name = "单位得分"
        verbose_name_plural = "单位得分"
        ordering = ["version", "group__sort_order", "position", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["version", "unit"], name="unit_score_once")]

    def __str__(self):
        return f"{self.unit} {self.total}"

    @property
    def adjustment(self) -> Decimal:
        return self.bonus - self.penalty

    @property
    def rank_change(self) -> int | None:
        """Places gained since last quarter (positive: moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


class IndicatorScore(models.Model):
    """One indicator of one unit in a version: T, A, r, points, with the entry behind A."""

    unit_score = models.ForeignKey(
        UnitScore,
        on_delete=models.CASCADE,
        related_name="indicator_scores",
        verbose_name="单位得分",
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name="指标")
    points = models.DecimalField("分值", max_digits=6, decimal_places=2)
    method = models.CharField("计分方法", max_length=12)
    direction = models.CharField("方向", max_length=10)
    annual_target = models.DecimalField("年度目标", **FIGURE, null=True)
    target_to_date = models.DecimalField("序时目标", **FIGURE, null=True)
    due = models.DateField("对应节点", null=True)
    actual = models.DecimalField("核实值", **FIGURE, null=True)
    reported = models.DecimalField("填报值", **FIGURE, null=True)
    done_on = models.DateField("完成日期", null=True)
    entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="依据实帐条目",
    )
    period_week = models.PositiveSmallIntegerField("依据帐期周次", null=True)
    rate = models.DecimalField("完成率", **SCORE, null=True)
    score = models.DecimalField("得分", **SCORE, null=True)
    reason = models.CharField("说明", max_length=200, blank=True)
    rank = models.PositiveSmallIntegerField("组内排名", null=True)
    rank_of = models.PositiveSmallIntegerField("参与排名单位数", null=True)

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        ordering = ["unit_score", "indicator__campaign__sort_order", "indicator__sort_order"]

    def __str__(self):
        return f"{self.indicator} {self.score}"

    @property
    def scored(self) -> bool:
        return self.rate is not None

    @property
    def corrected(self) -> bool:
        return (
            self.reported is not None and self.actual is not None and self.reported != self.actual
        )


class Appeal(models.Model):
    """申诉: a unit contests an indicator's figure within the appeal window."""

    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        UPHELD = "upheld", "已采纳"
        REJECTED = "rejected", "已驳回"

    version = models.ForeignKey(
        EvaluationVersion, on_delete=models.PROTECT, related_name="appeals", verbose_name="版本"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="单位")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, verbose_name="指标")
    claim = models.TextField("申诉理由")
    claimed_value = models.DecimalField("主张数值", **FIGURE, null=True, blank=True)
    evidence = models.FileField("佐证材料", upload_to="appeals/", blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申诉人"
    )
    filed_at = models.DateTimeField("申诉时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision = models.TextField("处理意见", blank=True)
    corrected_value = models.DecimalField("更正后数值", **FIGURE, null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"
        ordering = ["-filed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit", "indicator"],
                condition=models.Q(status="pending"),
                name="appeal_one_pending_per_indicator",
                violation_error_message="本单位已就该指标提出申诉，尚未处理，不能重复申诉。",
            )
        ]

    def __str__(self):
        return f"{self.unit} · {self.indicator}（{self.get_status_display()}）"


class FileEntry(models.Model):
    """绩误档案: one merit (绩) or fault (误) in a unit's (or a person's) annual file."""

    class Source(models.TextChoices):
        EVALUATION = "evaluation", "季度考评"
        ADJUSTMENT = "adjustment", "加减分"
        LATE_LEDGER = "late_ledger", "周帐迟报"
        MISSING_LEDGER = "missing_ledger", "周帐缺报"
        FOLLOW_UP = "follow_up", "交办事项逾期"
        VETO = "veto", "一票否决"
        OFFICE = "office", "考核办录入"

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="file_entries", verbose_name="单位"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="file_entries",
        verbose_name="个人",
    )
    year = models.ForeignKey(AssessmentYear, on_delete=models.PROTECT, verbose_name="年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=QUARTERS, null=True, blank=True)
    recorded_on = models.DateField("日期")
    merit = models.BooleanField("绩/误", choices=[(True, "绩"), (False, "误")])
    kind = models.CharField("类别", max_length=30)
    source = models.CharField("来源", max_length=20, choices=Source.choices)
    description = models.CharField("事项", max_length=300)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, default=0)
    counts_for_year = models.BooleanField(
        "计入年度得分",
        default=False,
        help_text="仅考核办录入的事项可计入（季度内的加减分已含在季度得分中）",
    )
    evaluation_version = models.ForeignKey(
        EvaluationVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源考评版本",
    )
    follow_up = models.ForeignKey(
        "campaigns.FollowUp",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="file_entries",
        verbose_name="逾期交办事项",
    )
    evidence = models.FileField("依据材料", upload_to="file-entries/", blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "绩误档案"
        verbose_name_plural = "绩误档案"
        ordering = ["year", "unit__sort_order", "recorded_on", "id"]
        indexes = [models.Index(fields=["unit", "year"], name="file_entry_unit_year")]
        constraints = [
            quarter_in_range("file_entry_quarter_1_to_4"),
            # One overdue fault per follow-up, however often the escalation task runs.
            models.UniqueConstraint(fields=["follow_up"], name="file_entry_once_per_follow_up"),
        ]

    def __str__(self):
        return f"{self.unit} {'绩' if self.merit else '误'}：{self.description}"

    def clean(self):
        if self.counts_for_year and self.source != self.Source.OFFICE:
            raise ValidationError("只有考核办录入的事项可以计入年度得分。")


class AnnualEvaluation(models.Model):
    """年度实绩评定: draft → computed → reviewed → published, from published quarters."""

    class Status(models.TextChoices):
        DRAFT = "draft", "未计算"
        COMPUTED = "computed", "已计算"
        REVIEWED = "reviewed", "已审定"
        PUBLISHED = "published", "已发布"

    year = models.OneToOneField(
        AssessmentYear,
        on_delete=models.PROTECT,
        related_name="annual_evaluation",
        verbose_name="年度",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="计算人",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审定人",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发布人",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    document_number = models.CharField(
        "文号", max_length=40, blank=True, help_text="年度通报的文号，如年评〔2026〕1号"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度实绩评定"
        verbose_name_plural = "年度实绩评定"

    def __str__(self):
        return f"{self.year.year}年度实绩评定"


class AnnualResult(models.Model):
    """A unit's annual score, rank and grade, with the quarter totals it came from."""

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "优秀"
        GOOD = "good", "良好"
        FAIR = "fair", "一般"
        POOR = "poor", "较差"

    evaluation = models.ForeignKey(
        AnnualEvaluation, on_delete=models.CASCADE, related_name="results", verbose_name="评定"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, verbose_name="单位")
    group = models.ForeignKey(RankingGroup, on_delete=models.PROTECT, verbose_name="考核组别")
    sort_order = models.PositiveIntegerField("排序")
    q1 = models.DecimalField("第一季度", **SCORE, null=True)
    q2 = models.DecimalField("第二季度", **SCORE, null=True)
    q3 = models.DecimalField("第三季度", **SCORE, null=True)
    q4 = models.DecimalField("第四季度", **SCORE, null=True)
    file_points = models.DecimalField("档案计分", **SCORE, default=0)
    score = models.DecimalField("年度得分", **SCORE, null=True)
    vetoed = models.BooleanField("一票否决", default=False)
    no_excellence = models.BooleanField("一票否优", default=False)
    group_size = models.PositiveSmallIntegerField("组内参评单位数", default=0)
    rank = models.PositiveSmallIntegerField("组内名次", null=True)
    position = models.PositiveSmallIntegerField("排列位次", null=True)
    grade = models.CharField("等次", max_length=10, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = "年度结果"
        verbose_name_plural = "年度结果"
        ordering = ["evaluation", "group__sort_order", "position", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "unit"], name="annual_result_once")
        ]

    def __str__(self):
        score = "未计分" if self.score is None else self.score
        return f"{self.unit} {score} {self.get_grade_display() or ''}".strip()


class ReportJob(models.Model):
    """One request for a document (PDF or sheet): who asked, what, how far, and the file.

    A file is cached per export and cache key (for a quarter: its evaluation version), so a
    second request for the same version gets a new job row pointing at the same stored file.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "生成失败"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="申请人",
    )
    identifier = models.CharField("报表类型", max_length=50)
    params = models.JSONField("参数", default=dict, blank=True)
    cache_key = models.CharField("缓存键", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="queued")
    progress = models.PositiveSmallIntegerField(
        "进度（%）", default=0, validators=[MaxValueValidator(100)]
    )
    file = models.FileField("文件", upload_to="reports/", blank=True)
    filename = models.CharField("文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    error = models.CharField("说明", max_length=500, blank=True, help_text="失败原因或排队说明")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    # Written by the worker while it renders; a running job whose heartbeat stopped (its
    # worker was killed) is handed out again by the sweeper.
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "报表生成任务"
        verbose_name_plural = "报表生成任务"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["identifier", "cache_key", "status"], name="report_job_cache")
        ]

    def __str__(self):
        return f"{self.filename or self.identifier}（{self.get_status_display()}）"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class WeeklyBriefing(models.Model):
    """周通报: generated each Monday from last week's verified ledgers; the office edits the
    text, then issues it with its own 文号 series. An issued briefing is kept as issued."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待签发"
        ISSUED = "issued", "已签发"

    year = models.ForeignKey(
        AssessmentYear, on_delete=models.PROTECT, related_name="briefings", verbose_name="年度"
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="briefings", verbose_name="通报周"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.PositiveIntegerField(
        "期号", null=True, blank=True, help_text="签发时按年度编号"
    )
    document_number = models.CharField("文号", max_length=50, blank=True)
    title = models.CharField("标题", max_length=200)
    facts = models.JSONField(
        "生成数据", default=dict, help_text="生成时的各会战进展、落后单位、受阻事项和逾期交办"
    )
    body = models.TextField("通报正文", help_text="系统生成，考核办可在签发前修改")
    generated_at = models.DateTimeField("生成时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签发人",
    )
    issued_at = models.DateTimeField("签发时间", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "周通报"
        verbose_name_plural = "周通报"
        ordering = ["-period__starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period"], name="briefing_once_per_week"),
            models.UniqueConstraint(fields=["year", "number"], name="briefing_number_once"),
        ]

    def __str__(self):
        return self.title


class ComputeJob(models.Model):
    """A quarter's computation asked for by the office, followed by the page until it is done.

    A durable record (not only the Celery result) so a computation whose worker was killed is
    found by its stopped heartbeat and sent again (scoring.services.compute_jobs).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "计算中"
        DONE = "done", "已完成"
        FAILED = "failed", "计算失败"

    evaluation = models.ForeignKey(
        QuarterlyEvaluation, on_delete=models.CASCADE, related_name="+", verbose_name="季度考评"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    # The page's address carries it; every Celery message of the job is sent under a new id.
    key = models.CharField("任务编号", max_length=64, unique=True)
    reason = models.CharField("原因", max_length=500, blank=True)
    confirm = models.BooleanField("已确认帐期未关闭", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default="queued")
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    message = models.CharField("进度说明", max_length=200, blank=True)
    outcome = models.JSONField("结果", default=dict, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "季度计算任务"
        verbose_name_plural = "季度计算任务"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.evaluation}（{self.get_status_display()}）"
