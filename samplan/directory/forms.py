from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from samplan.accounts.models import User
from samplan.core.forms import SamplanForm, SamplanModelForm
from samplan.directory.models import Role, Unit


class UnitForm(SamplanModelForm):
    class Meta:
        model = Unit
        fields = [
            "name",
            "kind",
            "hsa_id",
            "parent",
            "is_psychiatric",
            "phone",
            "email",
            "visiting_address",
            "is_active",
        ]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = units  # type: ignore[attr-defined]


class StaffCreateForm(SamplanForm):
    username = forms.CharField(label=_("Användarnamn"), max_length=150)
    first_name = forms.CharField(label=_("Förnamn"), max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150)
    email = forms.EmailField(label=_("E-post"), required=False)
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none())
    role = forms.ChoiceField(label=_("Roll"), choices=Role.choices)
    password = forms.CharField(
        label=_("Startlösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Minst 12 tecken. Användaren kopplar sin autentiseringsapp vid första inloggningen."
        ),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("Användarnamnet är upptaget."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password"):
            user = User(
                username=data.get("username", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                validate_password(data["password"], user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data
