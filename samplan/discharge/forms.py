from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samplan.core.forms import SamplanForm, SamplanModelForm
from samplan.directory.models import Unit
from samplan.discharge.models import ArrivalConversation, InterruptionKind
from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import location_refusal
from samplan.people.models import CareContact

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DateTimeField(forms.DateTimeField):
    widget = DATETIME_WIDGET

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)


class AdmitForm(SamplanForm):
    admitted_at = DateTimeField(label=_("Inskriven (datum och tid)"))
    treating_physician = forms.CharField(
        label=_("Behandlande läkare"), max_length=200, required=False
    )


class ArrivalConversationForm(SamplanModelForm):
    held_at = DateTimeField(label=_("Samtalet hölls"))
    needs_judged_at = DateTimeField(
        label=_("Läkaren bedömde behovet av insatser"),
        required=False,
        help_text=_(
            "Fyll i om bedömningen gjordes senare än inskrivningen. "
            "24-timmarsfristen räknas då därifrån (2 kap. 3 §)."
        ),
    )

    fieldsets = (
        (
            _("Insatser och planer före inskrivningen"),
            (
                "had_home_help",
                "had_home_health_care",
                "had_special_housing",
                "has_existing_sip",
                "has_care_plan",
                "has_implementation_plan",
                "has_existing_care_contact",
            ),
        ),
        (
            _("Behov av insatser efter utskrivningen"),
            (
                "needs_regional_outpatient",
                "needs_social_services",
                "needs_municipal_health_care",
                "needs_special_housing",
            ),
        ),
        (_("Läkarens bedömning"), ("admission_notice_needed", "needs_judged_at")),
    )

    class Meta:
        model = ArrivalConversation
        fields = [
            "held_at",
            "participants",
            "had_home_help",
            "had_home_health_care",
            "had_special_housing",
            "has_existing_sip",
            "has_care_plan",
            "has_implementation_plan",
            "has_existing_care_contact",
            "needs_regional_outpatient",
            "needs_social_services",
            "needs_municipal_health_care",
            "needs_special_housing",
            "patient_wishes",
            "brochure_given",
            "admission_notice_needed",
        ]
        help_texts = {
            "admission_notice_needed": _(
                "Gäller kategori B, när patienten bara behöver regionens öppna vård: "
                "inskrivningsmeddelande skickas om läkaren bedömer att det behövs, och ska "
                "då skickas inom fristen. Övriga kategorier får alltid ett meddelande."
            )
        }
        widgets = {"patient_wishes": forms.Textarea(attrs={"rows": 3})}


class UnitsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.get_kind_display()}, {obj.organisation.name})"


class AdmissionNoticeForm(SamplanForm):
    recipients = UnitsField(label=_("Mottagare"), queryset=Unit.objects.none())
    estimated_discharge = DateTimeField(label=_("Beräknad tidpunkt för utskrivning"))
    body = forms.CharField(
        label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = units  # type: ignore[attr-defined]


class ReasonForm(SamplanForm):
    reason = forms.CharField(label=_("Orsak"), max_length=300)


class MessageForm(SamplanForm):
    body = forms.CharField(label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(SamplanForm):
    text = forms.CharField(label=_("Anteckning"), widget=forms.Textarea(attrs={"rows": 3}))


class UnitChoiceForm(SamplanForm):
    unit = forms.ModelChoiceField(label=_("Enhet"), queryset=Unit.objects.none())
    reason = forms.CharField(label=_("Kommentar"), max_length=300, required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class EstimatedDischargeForm(SamplanForm):
    estimated_discharge = DateTimeField(label=_("Ny beräknad tidpunkt för utskrivning"))
    reason = forms.CharField(label=_("Orsak"), max_length=300, required=False)


class AppointCareContactForm(SamplanForm):
    existing = forms.ModelChoiceField(
        label=_("Befintlig fast vårdkontakt"),
        queryset=CareContact.objects.none(),
        required=False,
        empty_label=_("Ingen – utse en ny nedan"),
        help_text=_("En fast vårdkontakt som personen redan har kan fortsätta."),
    )
    name = forms.CharField(label=_("Namn"), max_length=200, required=False)
    title = forms.CharField(label=_("Yrke/titel"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Telefon"),
        max_length=30,
        required=False,
        help_text=_("Lämna tomt för enhetens nummer."),
    )
    email = forms.EmailField(label=_("E-post"), required=False)

    def __init__(self, *args: Any, existing: QuerySet[CareContact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if existing.exists():
            self.fields["existing"].queryset = existing  # type: ignore[attr-defined]
        else:
            del self.fields["existing"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("existing") and not cleaned.get("name", "").strip():
            self.add_error("name", _("Ange namnet på den fasta vårdkontakten."))
        return cleaned


class ReadyNoticeForm(SamplanForm):
    physician = forms.CharField(
        label=_("Läkare som bedömt patienten utskrivningsklar"), max_length=200
    )
    body = forms.CharField(
        label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class UnavailabilityForm(SamplanForm):
    starts_on = forms.DateField(
        label=_("Från och med"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Orsak"), max_length=500)


class UnavailabilityEndForm(SamplanForm):
    ends_on = forms.DateField(
        label=_("Till och med"), widget=forms.DateInput(attrs={"type": "date"})
    )


PLACE_CHOICES = list(MEETING_PLACES.items())


def location_field() -> forms.CharField:
    """Where a meeting is: needed for every place but the person's home (which is known)."""
    return forms.CharField(
        label=_("Adress, lokal eller länk till videomötet"),
        max_length=300,
        required=False,
        help_text=_("Behövs inte för ett möte i hemmet: Samplan har personens adress."),
    )


def meeting_location_for(form: forms.Form, *, protected_identity: bool) -> None:
    """For a person with protected identity no location is stored for a home meeting: say so."""
    if protected_identity:
        form.fields["location"].help_text = _(
            "Personen har skyddade personuppgifter. För ett möte i hemmet: lämna fältet tomt."
        )


def clean_meeting_location(form: forms.Form, *, protected_identity: bool) -> None:
    """The services' rule (:func:`samplan.discharge.rules.places.location_refusal`), as an
    error on the field."""
    data = form.cleaned_data
    if "place_kind" not in data or "location" not in data:
        return
    refusal = location_refusal(
        place_kind=data["place_kind"],
        location=data["location"],
        protected_identity=protected_identity,
    )
    if refusal:
        form.add_error("location", refusal)


class SipInvitationForm(SamplanForm):
    meeting_at = DateTimeField(label=_("Tid för mötet"))
    place_kind = forms.ChoiceField(
        label=_("Plats"), choices=PLACE_CHOICES, widget=forms.RadioSelect
    )
    location = location_field()
    invitees = UnitsField(label=_("Kallade enheter"), queryset=Unit.objects.none())
    body = forms.CharField(
        label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(
        self, *args: Any, units: Any, protected_identity: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["invitees"].queryset = units  # type: ignore[attr-defined]
        self.protected_identity = protected_identity
        meeting_location_for(self, protected_identity=protected_identity)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        clean_meeting_location(self, protected_identity=self.protected_identity)
        return data


class CareSummaryForm(SamplanForm):
    text = forms.CharField(
        label=_("Sammanfattning av vården, i enkel svenska"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Texten står i brevet som patienten får vid utskrivningen."),
    )


class WrittenPlanGivenForm(SamplanForm):
    given_at = DateTimeField(
        label=_("Lämnad (datum och tid)"),
        help_text=_("När personen fick planen från SIP-mötet, på papper eller digitalt."),
    )


class DischargeForm(SamplanForm):
    discharged_at = DateTimeField(label=_("Utskriven (datum och tid)"))
    body = forms.CharField(
        label=_("Meddelande"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class InterruptForm(SamplanForm):
    kind = forms.ChoiceField(
        label=_("Orsak"), choices=InterruptionKind.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label=_("Kommentar"), max_length=300, required=False)


class ColourOverrideForm(SamplanForm):
    colour = forms.ChoiceField(label=_("Färg enligt din bedömning"), choices=())
    reason = forms.CharField(label=_("Motivering"), max_length=500)

    def __init__(self, *args: Any, colours: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colour"].choices = colours  # type: ignore[attr-defined]
