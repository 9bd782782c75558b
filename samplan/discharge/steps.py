"""The steps a user can take on a case, as data: form, who sees it, which service performs it.

One view (:func:`samplan.discharge.views.step`) serves them all, so every step gets the same
page shape, error handling and HTMX behaviour.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samplan.agreements.services import agreement_in_force
from samplan.core.acting import Acting
from samplan.directory.models import Unit, UnitKind
from samplan.discharge import access, rules, services
from samplan.discharge import forms as f
from samplan.discharge.models import InpatientStay, MessageKind, MessageRecipient, PartyStatus
from samplan.people.models import CareContact, CareContactRole


@dataclass(frozen=True)
class Step:
    slug: str
    title: Promise
    success: Promise
    form: Callable[[InpatientStay, Acting, Any], forms.BaseForm]
    perform: Callable[[Acting, InpatientStay, dict[str, Any]], object]
    allowed: Callable[[Acting, InpatientStay], bool]
    submit: Promise
    """The submit button's text: what pressing it does (WCAG 2.4.6)."""


def _plain(
    form_class: type[forms.BaseForm],
) -> Callable[[InpatientStay, Acting, Any], forms.BaseForm]:
    return lambda stay, acting, data: form_class(data)


def _party_units(stay: InpatientStay) -> QuerySet[Unit]:
    active = stay.parties.filter(status=PartyStatus.ACTIVE).values("unit")
    return Unit.objects.filter(pk__in=active).select_related("organisation")


def care_units() -> QuerySet[Unit]:
    return (
        Unit.objects.active()
        .filter(
            kind__in=[*access.OUTPATIENT_KINDS, *access.MUNICIPAL_KINDS, UnitKind.INPATIENT_WARD]
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def proposed_recipients(stay: InpatientStay) -> QuerySet[Unit]:
    """Units the inskrivningsmeddelande should go to: by category, the person's municipality
    and listed vårdcentral (SPEC §3.1), leaving out units an earlier notice already reached (after
    a change of category only the newly needed ones are proposed). The ward can change it."""
    kinds = services.requirements_of(stay).notified_unit_kinds
    municipal = [k for k in kinds if k in access.MUNICIPAL_KINDS]
    query = Q(kind__in=municipal, organisation__municipality_code=stay.person.municipality_code)
    if UnitKind.PRIMARY_CARE in kinds and stay.person.listed_unit_id:
        query |= Q(pk=stay.person.listed_unit_id)
    reached = MessageRecipient.objects.filter(
        message__stay=stay,
        message__kind=MessageKind.ADMISSION_NOTICE,
        message__withdrawn_at__isnull=True,
    ).values("unit")
    return (
        Unit.objects.active().filter(query).exclude(pk__in=reached).select_related("organisation")
    )


def _admission_notice_form(stay: InpatientStay, acting: Acting, data: Any) -> forms.Form:
    initial = {
        "recipients": list(proposed_recipients(stay)),
        "estimated_discharge": stay.estimated_discharge,
    }
    return f.AdmissionNoticeForm(data, units=care_units().exclude(pk=stay.ward_id), initial=initial)


def _colour_form(stay: InpatientStay, acting: Acting, data: Any) -> forms.Form:
    agreement = agreement_in_force(timezone.now())
    return f.ColourOverrideForm(data, colours=rules.colour_choices(agreement))


def _assessment_form(stay: InpatientStay, acting: Acting, data: Any) -> forms.Form:
    return assessment_form_class(stay)(data)


def assessment_form_class(stay: InpatientStay) -> type[forms.Form]:
    """A form built from the planning questions of the agreement version in force now, which
    the answers will be judged by."""
    agreement = agreement_in_force(timezone.now())
    fields: dict[str, forms.Field] = {}
    for question in rules.planning_questions(agreement):
        fields[question.id] = forms.ChoiceField(
            label=question.text, choices=question.choices, widget=forms.RadioSelect
        )
    return type("AssessmentForm", (f.SamplanForm,), fields)


def _sip_form(stay: InpatientStay, acting: Acting, data: Any) -> forms.Form:
    parties = _party_units(stay).exclude(pk=acting.unit.pk)
    return f.SipInvitationForm(
        data,
        units=parties,
        initial={"invitees": list(parties)},
        protected_identity=stay.person.protected_identity,
    )


def _care_contact_form(stay: InpatientStay, acting: Acting, data: Any) -> forms.Form:
    current = CareContact.objects.filter(
        person=stay.person, role=CareContactRole.FAST_VARDKONTAKT, ended_on__isnull=True
    ).select_related("unit")
    return f.AppointCareContactForm(data, existing=current)


def _forward_form(stay: InpatientStay, acting: Acting, data: Any) -> forms.Form:
    units = (
        Unit.objects.active()
        .filter(organisation=acting.unit.organisation)
        .exclude(pk=acting.unit.pk)
    )
    return f.UnitChoiceForm(data, units=units)


def _add_party_form(stay: InpatientStay, acting: Acting, data: Any) -> forms.Form:
    return f.UnitChoiceForm(data, units=care_units().exclude(pk__in=_party_units(stay)))


STEPS: dict[str, Step] = {
    step.slug: step
    for step in [
        Step(
            "ankomstsamtal",
            _("Dokumentera ankomstsamtal"),
            _("Ankomstsamtalet är dokumenterat."),
            _plain(f.ArrivalConversationForm),
            lambda a, s, d: services.arrival_conversation_record(acting=a, stay=s, **d),
            access.WARD_STEP.allows,
            submit=_("Spara ankomstsamtalet"),
        ),
        Step(
            "inskrivningsmeddelande",
            _("Skicka inskrivningsmeddelande"),
            _("Inskrivningsmeddelandet är skickat."),
            _admission_notice_form,
            lambda a, s, d: services.admission_notice_send(acting=a, stay=s, **d),
            access.WARD_STEP.allows,
            submit=_("Skicka inskrivningsmeddelandet"),
        ),
        Step(
            "planeringsunderlag",
            _("Besvara planeringsunderlag"),
            _("Planeringsunderlaget är besvarat."),
            _assessment_form,
            lambda a, s, d: services.assessment_answer(acting=a, stay=s, answers=d),
            access.PARTY_STEP.allows,
            submit=_("Spara svaren"),
        ),
        Step(
            "farg",
            _("Ändra färg efter egen bedömning"),
            _("Din bedömning av färgen är sparad."),
            _colour_form,
            lambda a, s, d: services.colour_override(acting=a, stay=s, **d),
            access.COLOUR_OVERRIDE.allows,
            submit=_("Spara färgen"),
        ),
        Step(
            "anteckning",
            _("Skriv i löpande planering"),
            _("Anteckningen är sparad."),
            _plain(f.NoteForm),
            lambda a, s, d: services.planning_note_add(acting=a, stay=s, **d),
            access.PARTY_STEP.allows,
            submit=_("Spara anteckningen"),
        ),
        Step(
            "meddelande",
            _("Skicka generellt meddelande"),
            _("Meddelandet är skickat."),
            _plain(f.MessageForm),
            lambda a, s, d: services.general_message_send(acting=a, stay=s, **d),
            access.PARTY_STEP.allows,
            submit=_("Skicka meddelandet"),
        ),
        Step(
            "beraknad-utskrivning",
            _("Ändra beräknad utskrivning"),
            _("Den nya tidpunkten är skickad till alla berörda enheter."),
            _plain(f.EstimatedDischargeForm),
            lambda a, s, d: services.estimated_discharge_change(acting=a, stay=s, **d),
            access.WARD_STEP.allows,
            submit=_("Skicka den nya tidpunkten"),
        ),
        Step(
            "fast-vardkontakt",
            _("Utse fast vårdkontakt"),
            _("Fast vårdkontakt är utsedd."),
            _care_contact_form,
            lambda a, s, d: services.care_contact_appoint(acting=a, stay=s, **d),
            access.CARE_CONTACT.allows,
            submit=_("Utse fast vårdkontakt"),
        ),
        Step(
            "utskrivningsklar",
            _("Skicka underrättelse om utskrivningsklar"),
            _("Underrättelsen om utskrivningsklar är skickad."),
            _plain(f.ReadyNoticeForm),
            lambda a, s, d: services.ready_notice_send(acting=a, stay=s, **d),
            access.READY_NOTICE.allows,
            submit=_("Skicka underrättelsen"),
        ),
        Step(
            "oppenvard-saknas",
            _("Registrera att öppenvårdsinsatser saknas (5 kap. 5 §)"),
            _("Perioden är registrerad."),
            _plain(f.UnavailabilityForm),
            lambda a, s, d: services.unavailability_record(acting=a, stay=s, **d),
            access.UNAVAILABILITY.allows,
            submit=_("Registrera perioden"),
        ),
        Step(
            "kallelse",
            _("Skicka kallelse till SIP"),
            _("Kallelsen är skickad."),
            _sip_form,
            lambda a, s, d: services.sip_invitation_send(acting=a, stay=s, **d),
            access.SIP_INVITATION.allows,
            submit=_("Skicka kallelsen"),
        ),
        Step(
            "skriftlig-plan",
            _("Registrera att personen fått den skriftliga planen"),
            _("Det är registrerat att planen är lämnad."),
            _plain(f.WrittenPlanGivenForm),
            lambda a, s, d: services.written_plan_given_record(acting=a, stay=s, **d),
            access.WRITTEN_PLAN.allows,
            submit=_("Registrera"),
        ),
        Step(
            "sammanfattning",
            _("Skriv sammanfattning till patienten"),
            _("Sammanfattningen är sparad."),
            _plain(f.CareSummaryForm),
            lambda a, s, d: services.care_summary_write(acting=a, stay=s, **d),
            access.WARD_STEP.allows,
            submit=_("Spara sammanfattningen"),
        ),
        Step(
            "utskrivning",
            _("Skicka utskrivningsmeddelande"),
            _("Utskrivningsmeddelandet är skickat och ärendet avslutat."),
            _plain(f.DischargeForm),
            lambda a, s, d: services.discharge_notice_send(acting=a, stay=s, **d),
            access.WARD_STEP.allows,
            submit=_("Skicka utskrivningsmeddelandet"),
        ),
        Step(
            "avbrott",
            _("Avbryt processen"),
            _("Processen är avbruten."),
            _plain(f.InterruptForm),
            lambda a, s, d: services.stay_interrupt(acting=a, stay=s, **d),
            access.WARD_STEP.allows,
            submit=_("Avbryt processen"),
        ),
        Step(
            "lagg-till-enhet",
            _("Lägg till enhet"),
            _("Enheten är tillagd i ärendet."),
            _add_party_form,
            lambda a, s, d: services.party_add(acting=a, stay=s, unit=d["unit"]),
            access.WARD_STEP.allows,
            submit=_("Lägg till enheten"),
        ),
        Step(
            "vidaresand",
            _("Vidaresänd inom kommunen"),
            _("Ärendet är vidaresänt."),
            _forward_form,
            lambda a, s, d: services.party_forward(
                acting=a, stay=s, to_unit=d["unit"], reason=d["reason"]
            ),
            access.FORWARD.allows,
            submit=_("Vidaresänd ärendet"),
        ),
        Step(
            "felsant",
            _("Markera som felsänt"),
            _("Ärendet är markerat som felsänt. Din enhet ser det inte längre."),
            _plain(f.ReasonForm),
            lambda a, s, d: services.party_mark_wrongly_addressed(acting=a, stay=s, **d),
            access.WRONGLY_ADDRESSED.allows,
            submit=_("Markera som felsänt"),
        ),
    ]
}
