"""Helpers that take a SIP process through its services, for tests (on the county of
:func:`samplan.testing.county.make_county`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from samplan.discharge import services as discharge_services
from samplan.people.models import Person
from samplan.sip import services
from samplan.sip.models import (
    ConsentForm,
    ConsentGiver,
    ParticipantKind,
    PlanDraft,
    PlanVersion,
    SipParticipant,
    SipProcess,
)
from samplan.sip.plan import PlanContent
from samplan.testing.county import County, admit, record_conversation, send_admission_notice


def start_outpatient_sip(county: County, person: Person | None = None) -> SipProcess:
    """A SIP started by the vårdcentral outside hospital (the region is the home organisation)."""
    return services.sip_start(
        acting=county.acting(county.primary_care_nurse),
        person=person or county.person(),
        reason="Behöver insatser från både vårdcentral och socialtjänst.",
        has_mandate=True,
    )


def sip_continuing_a_stay(county: County, *, kallelse: bool) -> SipProcess:
    """A SIP the vårdcentral continues from a category E discharge case whose utskrivningsklar
    notice is sent (and, with ``kallelse``, the SIP kallelse), with the person's consent."""
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    discharge_services.ready_notice_send(
        acting=county.acting(county.ward_nurse), stay=stay, physician="Lars Läkare"
    )
    if kallelse:
        discharge_services.care_contact_appoint(
            acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
        )
        discharge_services.sip_invitation_send(
            acting=county.acting(county.primary_care_nurse),
            stay=stay,
            meeting_at=timezone.now() + timedelta(days=2),
            place_kind="hospital",
            location="Avdelning 12, samtalsrummet",
            invitees=[county.social_services, county.home_health_care],
        )
    process = services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=stay
    )
    give_consent(county, process)
    return process


def give_consent(
    county: County, process: SipProcess, giver: str = ConsentGiver.PERSON, name: str = ""
) -> None:
    services.consent_give(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        giver=giver,
        giver_name=name,
        form=ConsentForm.WRITTEN,
        scope="Vårdcentralen, socialtjänsten och hemsjukvården i Testby",
    )


def add_social_services(county: County, process: SipProcess) -> SipParticipant:
    return services.participant_add(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        kind=ParticipantKind.UNIT,
        unit=county.social_services,
        has_mandate=True,
    )


def plan_content(
    county: County, *, lead: Any = None, follow_up_on: date | None = None, **fields: Any
) -> dict[str, Any]:
    """A complete plan: the person's goal first, a region and a municipality action and one by
    an external actor, lead unit and follow-up."""
    today = timezone.localdate()
    content: dict[str, Any] = {
        "long_term_goal": "Jag vill kunna bo kvar hemma och gå till affären själv.",
        "goals": [
            {"id": "g1", "text": "Gå till affären med rollator", "measure": "Två gånger i veckan"}
        ],
        "needs": ["Hjälp med dusch", "Läkemedelsgenomgång"],
        "actions": [
            {
                "id": "a1",
                "what": "Läkemedelsgenomgång",
                "organisation_kind": "region",
                "unit_id": county.primary_care.pk,
                "responsible": "Fia Fast",
                "due": (today + timedelta(days=14)).isoformat(),
                "goal_ids": ["g1"],
            },
            {
                "id": "a2",
                "what": "Hemtjänst morgon och kväll",
                "organisation_kind": "municipality",
                "unit_id": county.social_services.pk,
                "responsible": "Bo Bistånd",
                "due": (today + timedelta(days=7)).isoformat(),
            },
            {
                "id": "a3",
                "what": "Följer med till affären på lördagar",
                "organisation_kind": "other",
                "organisation": "Dottern Eva",
                "responsible": "Eva",
            },
        ],
        "lead_unit_id": (lead or county.primary_care).pk,
        "follow_up_on": (follow_up_on or today + timedelta(days=60)).isoformat(),
        "follow_up_by": "Fia Fast, Vårdcentralen Centrum",
    }
    content.update(fields)
    return content


def save_plan(county: County, process: SipProcess, **fields: Any) -> PlanDraft:
    draft = PlanDraft.objects.get(process=process)
    return services.plan_draft_save(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        content=plan_content(county, **fields),
        base_revision=draft.revision,
    )


def establish(county: County, process: SipProcess) -> PlanVersion:
    """Establish the current draft, approved by every active participant with a mandate."""
    draft = PlanDraft.objects.get(process=process)
    return services.plan_establish(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        base_revision=draft.revision,
        approved_by=process.participants.filter(removed_at__isnull=True, has_mandate=True),
        person_agreed=True,
    )


def current_content(process: SipProcess) -> PlanContent:
    return PlanContent.model_validate(PlanDraft.objects.get(process=process).content)
