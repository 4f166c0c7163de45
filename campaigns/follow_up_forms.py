"""Forms of the follow-up pages: the 交办 form (new and draft), and each step's small form."""

from django import forms

from .models import FollowUp

DATE_HELP = "格式如 2026-06-30"
# A follow-up's texts are read on a page and printed: long enough for a 检讨 with its 整改措施,
# bounded so a pasted document cannot swell the thread (the form says how long it may be).
LONG_TEXT = 5000
SHORT_TEXT = 1000
DATE_ERRORS = {"invalid": "应为日期，格式如 2026-06-30", "required": "请填写日期。"}


def _date(label: str, required: bool = True) -> forms.DateField:
    # Typed as 2026-06-30 in a text box (a browser date picker shows mm/dd/yyyy to some users).
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d"],
        error_messages=DATE_ERRORS,
        widget=forms.DateInput(
            format="%Y-%m-%d",
            attrs={"inputmode": "numeric", "placeholder": "2026-06-30", "autocomplete": "off"},
        ),
    )


class FollowUpForm(forms.Form):
    """The one-click 交办 form; `units` and `indicators` are the user's (selectors)."""

    unit = forms.ModelChoiceField(label="承办单位", queryset=None, empty_label="请选择单位")
    indicator = forms.ModelChoiceField(
        label="所涉指标", queryset=None, required=False, empty_label="（不涉及具体指标）"
    )
    kind = forms.ChoiceField(label="类型", choices=FollowUp.Kind.choices)
    title = forms.CharField(label="事项", max_length=200)
    problem = forms.CharField(
        label="存在问题", max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    requirement = forms.CharField(
        label="办理要求", max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = _date("办理时限")

    def __init__(self, *args, units, indicators, draft: FollowUp | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: unit.name
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].label_from_instance = lambda i: (
            f"{i.campaign.name} · {i.name}（{i.measure}）"
        )
        if draft is not None:  # a draft's unit is fixed (it is its subject)
            del self.fields["unit"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        return {name: data[name] for name in self.fields}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="办理情况", max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    measures = forms.CharField(
        label="整改措施",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtensionForm(forms.Form):
    reason = forms.CharField(
        label="延期理由", max_length=SHORT_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    due_on = _date("申请延至")


class ReasonForm(forms.Form):
    """退回重办 and 撤销: a reason the unit reads."""

    reason = forms.CharField(
        label="理由",
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class NoteForm(forms.Form):
    """催办, 办结 and 申请办结: an optional line of text."""

    text = forms.CharField(
        label="说明",
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(forms.Form):
    extension = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    grant = forms.TypedChoiceField(
        choices=[("1", "同意"), ("0", "不同意")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="批复意见", required=False, max_length=300)
