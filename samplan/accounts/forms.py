from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.core.forms import SamplanForm


class SignInForm(SamplanForm):
    username = forms.CharField(
        label=_("Användarnamn"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(SamplanForm):
    code = forms.RegexField(
        label=_("Engångskod"),
        regex=r"^\s*\d{6}\s*$",
        help_text=_("Sex siffror från autentiseringsappen i din telefon."),
        error_messages={"invalid": _("Koden ska bestå av sex siffror.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class ChooseUnitForm(SamplanForm):
    membership = forms.TypedChoiceField(
        label=_("Vilken enhet arbetar du för nu?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj en enhet.")},
    )

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["membership"].choices = choices  # type: ignore[attr-defined]
