"""Discharge cases for Min plan tests, built through the real services.

:func:`full_case` takes a category E case as far as the SIP invitation (and, if asked, the
discharge), and on the way writes staff-internal text carrying :data:`INTERNAL` everywhere staff
can write it: notes, messages, notice bodies, withdrawal reasons, colour and felsänt reasons.
None of it may ever reach a page, calendar file or letter of the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from samplan.agreements.services import agreement_of
from samplan.discharge import rules, services
from samplan.discharge.models import InpatientStay, Message
from samplan.people.models import CareContact, Person
from samplan.testing.county import County, admit, record_conversation

INTERNAL = "INTERNT-7Q3X"


@dataclass
class Case:
    stay: InpatientStay
    invitation: Message
    meeting_at: datetime
    contact: CareContact


def full_case(county: County, person: Person, *, discharged: bool = False) -> Case:
    ward = county.acting(county.ward_nurse)
    centre = county.acting(county.primary_care_head)
    centre_nurse = county.acting(county.primary_care_nurse)
    municipality = county.acting(county.needs_assessor)
    outsider = county.acting(county.outsider)
    now = timezone.now()

    stay = admit(county, person, admitted_at=now - timedelta(days=3))
    record_conversation(county, stay)
    notice = services.admission_notice_send(
        acting=ward,
        stay=stay,
        recipients=[
            county.primary_care,
            county.social_services,
            county.home_health_care,
            county.foreign_social_services,
        ],
        estimated_discharge=now + timedelta(days=4),
        body=f"{INTERNAL} inskrivningsmeddelandets text",
    )
    services.party_mark_wrongly_addressed(
        acting=outsider, stay=stay, reason=f"{INTERNAL} fel kommun"
    )
    services.message_acknowledge(acting=centre, stay=stay, message=notice)
    services.planning_note_add(acting=municipality, stay=stay, text=f"{INTERNAL} anteckning")
    wrong = services.general_message_send(acting=ward, stay=stay, body=f"{INTERNAL} meddelande")
    services.message_withdraw(acting=ward, stay=stay, message=wrong, reason=f"{INTERNAL} skäl")
    agreement = agreement_of(stay.agreement)
    answers = {q.id: q.choices[0][0] for q in rules.planning_questions(agreement)}
    services.assessment_answer(acting=municipality, stay=stay, answers=answers)
    contact = services.care_contact_appoint(
        acting=centre,
        stay=stay,
        name="Fia Fast",
        title="Distriktssköterska",
        phone="010-100 20 11",
        email="fia.fast@region.example",
    )
    services.colour_override(acting=centre, stay=stay, colour="rod", reason=f"{INTERNAL} färg")
    services.estimated_discharge_change(
        acting=ward,
        stay=stay,
        estimated_discharge=now + timedelta(days=5),
        reason=f"{INTERNAL} ny dag",
    )
    meeting_at = (now + timedelta(days=6)).replace(hour=10, minute=30, second=0, microsecond=0)
    invitation = services.sip_invitation_send(
        acting=centre_nurse,
        stay=stay,
        meeting_at=meeting_at,
        place_kind="unit",
        location="Vårdcentralen Centrum, rum 4",
        invitees=[county.social_services, county.home_health_care],
        body=f"{INTERNAL} kallelsens text",
    )
    if discharged:
        services.care_summary_write(
            acting=ward, stay=stay, text="Du har fått behandling för lunginflammation."
        )
        services.discharge_notice_send(
            acting=ward, stay=stay, discharged_at=timezone.now(), body=f"{INTERNAL} utskrivning"
        )
    stay.refresh_from_db()
    return Case(stay=stay, invitation=invitation, meeting_at=meeting_at, contact=contact)
