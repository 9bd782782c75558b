from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from samplan.core.forms import SamplanForm
from samplan.directory.models import Unit
from samplan.people.forms import IdentifierField


class AccessLogFilterForm(SamplanForm):
    identifier = IdentifierField(label=_("Person (personnummer)"), required=False)
    username = forms.CharField(label=_("Användarnamn"), max_length=150, required=False)
    unit = forms.ModelChoiceField(
        label=_("Enhet"), queryset=Unit.objects.none(), required=False, empty_label=_("Alla")
    )
    date_from = forms.DateField(
        label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    protected_only = forms.BooleanField(
        label=_("Endast skyddade personuppgifter och nödåtkomst"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Slutdatumet kan inte vara före startdatumet."))
        return data
