"""Forms of the unit's weekly register sections: they only carry what was typed (so a refused
form shows it again); the services parse and check it (campaigns.figures, Chinese errors)."""

from django import forms

from ..models import KeyProject, PilotVillage, SignedProject
from ..register_models import NARRATIVE, NOTE

TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
FIGURE = {"class": "form-control form-control-sm", "inputmode": "decimal", "autocomplete": "off"}
DATE = {"class": "form-control form-control-sm", "placeholder": "例：2026-06-30"}


# Longer text is refused with the count, never cut (the services check the same limits).


def _text(label, *, rows=None, attrs=FIGURE, max_length=None):
    text = forms.Textarea(attrs={**TEXT, "rows": rows}) if rows else None
    widget = text or forms.TextInput(attrs=attrs)
    return forms.CharField(label=label, required=False, widget=widget, max_length=max_length)


class ProjectReportForm(forms.Form):
    status = forms.ChoiceField(
        label="项目状态", choices=KeyProject.Status.choices, widget=forms.Select(attrs=SELECT)
    )
    status_reason = _text("变更说明（跨步骤或累计投资减少时必填）", attrs=TEXT, max_length=300)
    started_on = _text("开工日期", attrs=DATE)
    investment_to_date = _text("本年累计完成投资（万元）")
    progress = _text("本周进展", rows=2, max_length=NARRATIVE)
    blocked_land = forms.BooleanField(label="土地", required=False)
    blocked_funds = forms.BooleanField(label="资金", required=False)
    blocked_procedures = forms.BooleanField(label="手续", required=False)
    blocked_other = forms.BooleanField(label="其他", required=False)
    blocking_note = _text("制约因素说明", attrs=TEXT, max_length=NOTE)

    @staticmethod
    def initial_from(report) -> dict:
        initial = {
            name: getattr(report, name)
            for name in (
                "status",
                "status_reason",
                "progress",
                "blocking_note",
                *KeyProject.BLOCKER_FIELDS,
            )
        }
        initial["started_on"] = report.started_on.isoformat() if report.started_on else ""
        initial["investment_to_date"] = f"{report.investment_to_date.normalize():f}"
        return initial

    def service_data(self) -> dict:
        return dict(self.cleaned_data)

    def blocker_fields(self):
        return [self[name] for name in KeyProject.BLOCKER_FIELDS]


class VillageReportForm(forms.Form):
    """Funds, highlights and progress; each task's completion is typed in `t<id>-…` fields."""

    highlights = _text("建设亮点", rows=2, max_length=NARRATIVE)
    progress = _text("本周进展", rows=2, max_length=NARRATIVE)

    def __init__(self, *args, report=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        for name in PilotVillage.FUND_FIELDS:
            label = str(PilotVillage._meta.get_field(name).verbose_name).removesuffix("（万元）")
            self.fields[name] = _text(f"{label}到位（万元）")
        for line in report.tasks.all():
            self.fields[f"t{line.task_id}-completion"] = _text("完成进度（%）")
            self.fields[f"t{line.task_id}-done_on"] = _text("完成日期", attrs=DATE)

    @staticmethod
    def initial_from(report) -> dict:
        initial = {"highlights": report.highlights, "progress": report.progress}
        for name in PilotVillage.FUND_FIELDS:
            initial[name] = f"{getattr(report, name).normalize():f}"
        for line in report.tasks.all():
            initial[f"t{line.task_id}-completion"] = f"{line.completion.normalize():f}"
            initial[f"t{line.task_id}-done_on"] = line.done_on.isoformat() if line.done_on else ""
        return initial

    def fund_fields(self):
        return [self[name] for name in PilotVillage.FUND_FIELDS]

    def task_rows(self):
        """(task line, its completion field, its date field) in the village's task order."""
        return [
            (line, self[f"t{line.task_id}-completion"], self[f"t{line.task_id}-done_on"])
            for line in self.report.tasks.all()
        ]

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("highlights", "progress")}
        for name in PilotVillage.FUND_FIELDS:
            data[name] = self.cleaned_data[name]
        data["tasks"] = {
            line.task_id: {
                "completion": self.cleaned_data[f"t{line.task_id}-completion"],
                "done_on": self.cleaned_data[f"t{line.task_id}-done_on"],
            }
            for line in self.report.tasks.all()
        }
        return data


class SignedProjectForm(forms.Form):
    name = _text("项目名称", attrs=TEXT, max_length=100)
    investor = _text("投资方", attrs=TEXT, max_length=100)
    investor_class = forms.ChoiceField(
        label="投资方类别",
        choices=SignedProject.InvestorClass.choices,
        initial=SignedProject.InvestorClass.OTHER,
        widget=forms.Select(attrs=SELECT),
    )
    amount = _text("协议投资额（万元）")
    signed_on = _text("签约日期", attrs=DATE)
    stage = forms.ChoiceField(
        label="进展阶段",
        choices=SignedProject.Stage.choices,
        initial=SignedProject.Stage.SIGNED,
        widget=forms.Select(attrs=SELECT),
    )
    stage_reason = _text("阶段变更说明（跨步骤时必填）", attrs=TEXT, max_length=300)

    @staticmethod
    def initial_from(row) -> dict:
        initial = {
            name: getattr(row, name)
            for name in ("name", "investor", "investor_class", "stage", "stage_reason")
        }
        initial["amount"] = f"{row.amount.normalize():f}"
        initial["signed_on"] = row.signed_on.isoformat()
        return initial
