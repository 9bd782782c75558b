from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.core.forms import SamplanForm, SamplanModelForm
from samplan.directory.models import Unit
from samplan.people.identifiers import InvalidIdentifier, PersonIdentifier
from samplan.people.models import CareContact, Person, PortalScope, Relative, Representative
from samplan.people.selectors import identifier_parse


class IdentifierField(forms.CharField):
    """Accepts personnummer, samordningsnummer or reservnummer; cleans to a PersonIdentifier."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Personnummer, samordningsnummer eller reservnummer"))
        kwargs.setdefault("help_text", _("T.ex. 19121212-1212. Hela numret krävs."))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value: Any) -> PersonIdentifier | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return identifier_parse(text)
        except InvalidIdentifier as error:
            raise forms.ValidationError(error.message, code="invalid_identifier") from error


class PersonLookupForm(SamplanForm):
    identifier = IdentifierField()


class PersonCreateForm(SamplanModelForm):
    identifier = IdentifierField()

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "street_address",
            "postal_code",
            "city",
            "municipality_code",
            "listed_unit",
            "protected_identity",
            "phone",
            "email",
        ]

    def clean_identifier(self) -> PersonIdentifier:
        identifier: PersonIdentifier = self.cleaned_data["identifier"]
        if Person.objects.filter(identifier=identifier.value).exists():
            raise forms.ValidationError(_("Det finns redan en person med det numret."))
        return identifier


class PersonEditForm(SamplanModelForm):
    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "street_address",
            "postal_code",
            "city",
            "municipality_code",
            "listed_unit",
            "phone",
            "email",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.protected_identity:
            # The address of a protected identity is neither shown nor editable.
            for name in ("street_address", "postal_code", "city"):
                del self.fields[name]


class RelativeForm(SamplanModelForm):
    class Meta:
        model = Relative
        fields = ["name", "relation", "phone", "email"]


class RepresentativeForm(SamplanModelForm):
    identifier = IdentifierField(
        label=_("Företrädarens personnummer"),
        required=False,
        help_text=_("Behövs för att företrädaren ska kunna logga in i Min plan."),
    )

    class Meta:
        model = Representative
        fields = [
            "name",
            "authority",
            "scope",
            "valid_from",
            "valid_until",
            "portal_scope",
            "phone",
            "email",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "portal_scope": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not chosen means no access to Min plan (deny by default).
        self.fields["portal_scope"].required = False

    def clean_identifier(self) -> str:
        identifier: PersonIdentifier | None = self.cleaned_data.get("identifier")
        return identifier.value if identifier else ""

    def clean_portal_scope(self) -> str:
        return self.cleaned_data.get("portal_scope") or PortalScope.NONE

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Slutdatumet kan inte vara före startdatumet."))
        scope = data.get("portal_scope")
        if scope and scope != PortalScope.NONE and not data.get("identifier"):
            self.add_error(
                "identifier",
                _("Ange företrädarens personnummer, annars kan hen inte logga in i Min plan."),
            )
        return data


class RepresentativeWithdrawForm(SamplanForm):
    reason = forms.CharField(
        label=_("Varför återkallas behörigheten?"),
        max_length=300,
        help_text=_("T.ex. beslut från tingsrätten eller att fullmakten har sagts upp."),
    )


class CareContactForm(SamplanModelForm):
    class Meta:
        model = CareContact
        fields = ["role", "name", "title", "unit", "phone", "email", "valid_from"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = cast(forms.ModelChoiceField, self.fields["unit"])
        unit_field.queryset = (
            Unit.objects.active()
            .exclude(kind__in=["hospital", "administration"])
            .select_related("organisation")
        )
