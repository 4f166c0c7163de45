"""Forms of the system administrator's account pages: they parse, the services write."""

from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from .models import Unit, User
from .roles import Role
from .selectors import ACCOUNT_STATES
from .services import change_own_password


class AccountForm(forms.Form):
    """An account's own fields and its roles. Parsing only: accounts.services writes."""

    username = forms.RegexField(
        label="用户名",
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text="登录用，字母、数字或 @ . + - _，建成后不能修改。",
        error_messages={"invalid": "用户名只能包含字母、数字和 @ . + - _。"},
    )
    full_name = forms.CharField(label="姓名", max_length=50)
    unit = forms.ModelChoiceField(
        label="所属单位",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="（无：县领导、系统管理员）",
    )
    title = forms.CharField(label="职务", max_length=50, required=False)
    phone = forms.CharField(label="电话", max_length=30, required=False)
    email = forms.EmailField(
        label="电子邮箱", required=False, help_text="用于接收通知邮件，可不填。"
    )
    roles = forms.MultipleChoiceField(
        label="角色",
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, units, account: User | None = None, **kwargs):
        if account is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": account.username,
                    "full_name": account.full_name,
                    "unit": account.unit_id,
                    "title": account.title,
                    "phone": account.phone,
                    "email": account.email,
                    "roles": [role.value for role in account.roles],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if account is not None:  # the username is the account's key: shown, not changed
            self.fields["username"].disabled = True
            self.fields["username"].help_text = ""

    def account_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("full_name", "unit", "title", "phone", "email")}

    def chosen_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}


class AccountFilterForm(forms.Form):
    """The account list's filters (GET); a bad value is ignored rather than refused."""

    text = forms.CharField(label="用户名或姓名", required=False)
    unit = forms.ModelChoiceField(
        label="单位", queryset=Unit.objects.none(), required=False, empty_label="全部单位"
    )
    role = forms.ChoiceField(
        label="角色", choices=[("", "全部角色"), *Role.choices], required=False
    )
    state = forms.ChoiceField(
        label="状态", choices=[("", "全部状态"), *ACCOUNT_STATES.items()], required=False
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "unit_id": data["unit"].pk if data["unit"] else None,
            "role": Role(data["role"]) if data["role"] else None,
            "state": data["state"],
            "text": data["text"].strip(),
        }


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's password change (old password, new one twice, the site's password rules),
    saved through the service that clears the first-sign-in flag and records the change."""

    def save(self, commit=True):
        return change_own_password(user=self.user, password=self.cleaned_data["new_password1"])
