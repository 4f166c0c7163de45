"""Forms of the weekly ledger, the review and the office's reopening."""

from django import forms

from .figures import FigureField
from .models import LedgerEntry
from .services.ledger import EntryInput, EntryProblem
from .versions import parse_version


class EntryForm(forms.Form):
    """One indicator's line in the reporter's weekly form (prefix: the indicator id)."""

    value = FigureField(
        field=LedgerEntry._meta.get_field("value"), label="本周累计数", required=False
    )
    # Typed as 2026-06-30 in a text box (a browser date picker shows mm/dd/yyyy to some users).
    done_on = forms.DateField(
        label="完成日期",
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "应为日期，格式如 2026-06-30"},
    )
    decrease_reason = forms.CharField(label="下降原因", required=False, max_length=300)
    progress = forms.CharField(label="本周进展", required=False, widget=forms.Textarea)
    problem_category = forms.ChoiceField(
        label="问题类别",
        required=False,
        choices=[("", "—"), *LedgerEntry.ProblemCategory.choices],
    )
    problems = forms.CharField(label="存在问题", required=False, widget=forms.Textarea)
    next_steps = forms.CharField(label="下步打算", required=False, widget=forms.Textarea)
    plausibility_note = forms.CharField(label="异常说明", required=False, widget=forms.Textarea)
    # The entry's version the page showed (campaigns.versions); the autosave script updates it.
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def initial_from(cls, entry: LedgerEntry) -> dict:
        return {
            "version": entry.version,
            "value": "" if entry.value is None else f"{entry.value.normalize():f}",
            "done_on": entry.done_on,
            "decrease_reason": entry.decrease_reason,
            "progress": entry.progress,
            "problem_category": entry.problem_category,
            "problems": entry.problems,
            "next_steps": entry.next_steps,
            "plausibility_note": entry.plausibility_note,
        }

    def to_input(self, where: str = "") -> EntryInput:
        data = self.cleaned_data
        return EntryInput(
            value=data["value"],
            done_on=data["done_on"],
            decrease_reason=data["decrease_reason"],
            progress=data["progress"],
            problem_category=data["problem_category"],
            problems=data["problems"],
            next_steps=data["next_steps"],
            where=where,
            # Not posted (an older page, a test client): keep the stored note.
            plausibility_note=(
                data["plausibility_note"]
                if self.add_prefix("plausibility_note") in self.data
                else None
            ),
        )

    def seen_version(self) -> int | None:
        """The version posted with the row (None: an older page or a script sent none)."""
        return parse_version(self.data.get(self.add_prefix("version")))

    def unreadable(self, indicator_id: int, name: str) -> list[EntryProblem]:
        """What the form could not read, as the service's problems (the same list, one pass)."""
        return [
            EntryProblem(
                indicator_id=indicator_id,
                field=field,
                message=message,
                text=f"「{name}」{self.fields[field].label}：{message}",
            )
            for field, messages in self.errors.items()
            for message in messages
        ]


class ReturnForm(forms.Form):
    comment = forms.CharField(label="退回理由", widget=forms.Textarea(attrs={"rows": 2}))


class CorrectForm(forms.Form):
    verified_value = FigureField(
        field=LedgerEntry._meta.get_field("verified_value"), label="核实值"
    )
    comment = forms.CharField(label="核减理由", widget=forms.Textarea(attrs={"rows": 2}))


class InspectionForm(forms.Form):
    visited_on = forms.DateField(label="查看日期", widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label="地点", max_length=200)
    findings = forms.CharField(label="查看情况", widget=forms.Textarea(attrs={"rows": 3}))
    differs_from_ledger = forms.BooleanField(label="与周帐所报不符", required=False)


class ReopenForm(forms.Form):
    until = forms.DateTimeField(
        label="补报截止", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    reason = forms.CharField(label="原因", max_length=300)
