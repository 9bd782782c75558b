"""/api/v1/stays: every step of the discharge process for record systems.

Thin: resolve the case through the same access check as the web pages (non-party → 404, logged),
call the same service, return a schema.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status

from samplan.audit.models import AccessPurpose
from samplan.core.acting import Acting, DomainError
from samplan.directory.models import Unit
from samplan.discharge import access, documents, selectors, services
from samplan.discharge.models import (
    ChecklistKind,
    InpatientStay,
    InterruptionKind,
    Message,
    MessageKind,
    OutpatientUnavailability,
)
from samplan.discharge.rules.places import Audience
from samplan.people import selectors as people_selectors
from samplan.people.identifiers import InvalidIdentifier

router = Router(tags=["Samverkan vid utskrivning"])


def _acting(request: HttpRequest) -> Acting:
    acting: Acting = request.auth  # type: ignore[attr-defined]
    return acting


def _stay(request: HttpRequest, stay_id: UUID) -> tuple[Acting, InpatientStay]:
    acting = _acting(request)
    return acting, access.stay_get(acting, stay_id)


def _units(hsa_ids: list[str]) -> list[Unit]:
    units = list(Unit.objects.active().filter(hsa_id__in=hsa_ids).select_related("organisation"))
    missing = set(hsa_ids) - {u.hsa_id for u in units}
    if missing:
        raise DomainError("Okända HSA-id: " + ", ".join(sorted(missing)))
    return units


# --- Schemas ----------------------------------------------------------------------------------


class RecipientOut(Schema):
    unit_hsa_id: str
    unit_name: str
    acknowledged_at: datetime | None


class MessageOut(Schema):
    id: int
    kind: str
    sender_unit_hsa_id: str
    sent_at: datetime
    body: str
    payload: dict[str, Any]
    withdrawn_at: datetime | None
    withdrawn_reason: str
    recipients: list[RecipientOut]


class ObligationOut(Schema):
    label: str
    responsible: str
    due: datetime | None
    overdue: bool
    mine: bool


class PartyOut(Schema):
    unit_hsa_id: str
    unit_name: str
    status: str


class StayOut(Schema):
    id: UUID
    person_identifier: str
    person_name: str
    ward_hsa_id: str
    admitted_at: datetime
    status: str
    planning_category: str
    estimated_discharge: datetime | None
    ready_notice_sent_at: datetime | None
    discharged_at: datetime | None
    agreement_version: str


class StayDetailOut(StayOut):
    parties: list[PartyOut]
    messages: list[MessageOut]
    obligations: list[ObligationOut]
    colour: str | None


class WorkItemOut(Schema):
    stay: StayOut
    obligations: list[ObligationOut]
    unacknowledged: int


def _stay_out(stay: InpatientStay) -> dict[str, Any]:
    return {
        "id": stay.public_id,
        "person_identifier": stay.person.display_identifier,
        "person_name": stay.person.full_name,
        "ward_hsa_id": stay.ward.hsa_id,
        "admitted_at": stay.admitted_at,
        "status": stay.status,
        "planning_category": stay.planning_category,
        "estimated_discharge": stay.estimated_discharge,
        "ready_notice_sent_at": stay.ready_notice_sent_at,
        "discharged_at": stay.discharged_at,
        "agreement_version": stay.agreement.version_id,
    }


def _payload_out(message: Message) -> dict[str, Any]:
    """The message's structured content; a kallelse's place as staff may read it (never a
    protected identity's home address)."""
    if message.kind != MessageKind.SIP_INVITATION:
        return message.payload
    place = documents.invitation_place(message, Audience.STAFF)
    return {**message.payload, "location": place.location}


def _message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "kind": message.kind,
        "sender_unit_hsa_id": message.sender_unit.hsa_id,
        "sent_at": message.sent_at,
        "body": message.body,
        "payload": _payload_out(message),
        "withdrawn_at": message.withdrawn_at,
        "withdrawn_reason": message.withdrawn_reason,
        "recipients": [
            {
                "unit_hsa_id": r.unit.hsa_id,
                "unit_name": r.unit.name,
                "acknowledged_at": r.acknowledged_at,
            }
            for r in message.recipients.all()
        ],
    }


def _detail(acting: Acting, stay: InpatientStay) -> dict[str, Any]:
    overview = selectors.case_overview(acting=acting, stay=stay, now=timezone.now())
    stay.refresh_from_db()
    return {
        **_stay_out(stay),
        "parties": [
            {"unit_hsa_id": p.unit.hsa_id, "unit_name": p.unit.name, "status": p.status}
            for p in overview.parties
        ],
        "messages": [_message_out(m.message) for m in overview.messages],
        "obligations": [o.__dict__ for o in overview.obligations],
        "colour": overview.colour.code if overview.colour else None,
    }


# --- Reads ------------------------------------------------------------------------------------


@router.get("/worklist", response=list[WorkItemOut], summary="Att göra för min enhet")
def worklist(request: HttpRequest) -> list[dict[str, Any]]:
    work = selectors.worklist(acting=_acting(request), now=timezone.now())
    return [
        {
            "stay": _stay_out(i.stay),
            "obligations": [o.__dict__ for o in i.obligations],
            "unacknowledged": i.unacknowledged,
        }
        for i in work.items
    ]


@router.get("/{stay_id}", response=StayDetailOut, summary="Ett ärende")
def stay_detail(request: HttpRequest, stay_id: UUID) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    return _detail(acting, stay)


# --- Writes -----------------------------------------------------------------------------------


class AdmitIn(Schema):
    person_identifier: str
    admitted_at: datetime
    treating_physician: str = ""


@router.post("", response={201: StayDetailOut}, summary="Skriv in patient")
def admit(request: HttpRequest, data: AdmitIn) -> Status[dict[str, Any]]:
    acting = _acting(request)
    try:
        identifier = people_selectors.identifier_parse(data.person_identifier)
    except InvalidIdentifier as error:
        raise DomainError(error.message) from error
    person = people_selectors.person_find(actor=acting.actor, identifier=identifier)
    if person is None:
        raise Http404
    people_selectors.person_get(
        actor=acting.actor, public_id=person.public_id, purpose=AccessPurpose.CARE_COORDINATION
    )
    stay = services.stay_admit(
        acting=acting,
        person=person,
        admitted_at=data.admitted_at,
        treating_physician=data.treating_physician,
    )
    return Status(201, _detail(acting, stay))


class ArrivalConversationIn(Schema):
    held_at: datetime
    participants: str
    had_home_help: bool = False
    had_home_health_care: bool = False
    had_special_housing: bool = False
    has_existing_sip: bool = False
    has_existing_care_contact: bool = False
    needs_regional_outpatient: bool = False
    needs_social_services: bool = False
    needs_municipal_health_care: bool = False
    needs_special_housing: bool = False
    patient_wishes: str = ""
    brochure_given: bool = False
    needs_judged_at: datetime | None = None


@router.post(
    "/{stay_id}/arrival-conversation", response=StayDetailOut, summary="Dokumentera ankomstsamtal"
)
def arrival_conversation(
    request: HttpRequest, stay_id: UUID, data: ArrivalConversationIn
) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.arrival_conversation_record(acting=acting, stay=stay, **data.dict())
    return _detail(acting, stay)


class AdmissionNoticeIn(Schema):
    recipient_hsa_ids: list[str]
    estimated_discharge: datetime
    body: str = ""


@router.post(
    "/{stay_id}/admission-notice", response=StayDetailOut, summary="Skicka inskrivningsmeddelande"
)
def admission_notice(
    request: HttpRequest, stay_id: UUID, data: AdmissionNoticeIn
) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.admission_notice_send(
        acting=acting,
        stay=stay,
        recipients=_units(data.recipient_hsa_ids),
        estimated_discharge=data.estimated_discharge,
        body=data.body,
    )
    return _detail(acting, stay)


def _message(stay: InpatientStay, message_id: int) -> Message:
    return get_object_or_404(Message, pk=message_id, stay=stay)


@router.post(
    "/{stay_id}/messages/{message_id}/acknowledge",
    response=StayDetailOut,
    summary="Kvittera meddelande",
)
def acknowledge(request: HttpRequest, stay_id: UUID, message_id: int) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.message_acknowledge(acting=acting, stay=stay, message=_message(stay, message_id))
    return _detail(acting, stay)


class ReasonIn(Schema):
    reason: str


@router.post(
    "/{stay_id}/messages/{message_id}/withdraw",
    response=StayDetailOut,
    summary="Makulera meddelande",
)
def withdraw(
    request: HttpRequest, stay_id: UUID, message_id: int, data: ReasonIn
) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.message_withdraw(
        acting=acting, stay=stay, message=_message(stay, message_id), reason=data.reason
    )
    return _detail(acting, stay)


class BodyIn(Schema):
    body: str


@router.post("/{stay_id}/messages", response=StayDetailOut, summary="Generellt meddelande")
def general_message(request: HttpRequest, stay_id: UUID, data: BodyIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.general_message_send(acting=acting, stay=stay, body=data.body)
    return _detail(acting, stay)


class UnitIn(Schema):
    unit_hsa_id: str
    reason: str = ""


@router.post("/{stay_id}/parties", response=StayDetailOut, summary="Lägg till enhet")
def add_party(request: HttpRequest, stay_id: UUID, data: UnitIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.party_add(acting=acting, stay=stay, unit=_units([data.unit_hsa_id])[0])
    return _detail(acting, stay)


@router.post("/{stay_id}/forward", response=StayDetailOut, summary="Vidaresänd inom kommunen")
def forward(request: HttpRequest, stay_id: UUID, data: UnitIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.party_forward(
        acting=acting, stay=stay, to_unit=_units([data.unit_hsa_id])[0], reason=data.reason
    )
    return _detail(acting, stay)


@router.post("/{stay_id}/wrongly-addressed", response={204: None}, summary="Markera som felsänt")
def wrongly_addressed(request: HttpRequest, stay_id: UUID, data: ReasonIn) -> Status[None]:
    acting, stay = _stay(request, stay_id)
    services.party_mark_wrongly_addressed(acting=acting, stay=stay, reason=data.reason)
    return Status(204, None)


class NoteIn(Schema):
    text: str


@router.post("/{stay_id}/notes", response=StayDetailOut, summary="Löpande planering")
def note(request: HttpRequest, stay_id: UUID, data: NoteIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.planning_note_add(acting=acting, stay=stay, text=data.text)
    return _detail(acting, stay)


class AssessmentIn(Schema):
    answers: dict[str, str]


@router.post("/{stay_id}/assessments", response=StayDetailOut, summary="Besvara planeringsunderlag")
def assessment(request: HttpRequest, stay_id: UUID, data: AssessmentIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.assessment_answer(acting=acting, stay=stay, answers=data.answers)
    return _detail(acting, stay)


class ColourIn(Schema):
    colour: str
    reason: str


@router.post(
    "/{stay_id}/colour-override",
    response=StayDetailOut,
    summary="Fast vårdkontakts bedömning av färg",
)
def colour(request: HttpRequest, stay_id: UUID, data: ColourIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.colour_override(acting=acting, stay=stay, colour=data.colour, reason=data.reason)
    return _detail(acting, stay)


class EstimatedDischargeIn(Schema):
    estimated_discharge: datetime
    reason: str = ""


@router.post(
    "/{stay_id}/estimated-discharge", response=StayDetailOut, summary="Ändra beräknad utskrivning"
)
def estimated_discharge(
    request: HttpRequest, stay_id: UUID, data: EstimatedDischargeIn
) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.estimated_discharge_change(acting=acting, stay=stay, **data.dict())
    return _detail(acting, stay)


class CareContactIn(Schema):
    name: str
    title: str = ""
    phone: str = ""
    email: str = ""


@router.post("/{stay_id}/care-contact", response=StayDetailOut, summary="Utse fast vårdkontakt")
def care_contact(request: HttpRequest, stay_id: UUID, data: CareContactIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.care_contact_appoint(acting=acting, stay=stay, **data.dict())
    return _detail(acting, stay)


class ReadyIn(Schema):
    physician: str
    body: str = ""


@router.post(
    "/{stay_id}/ready-notice", response=StayDetailOut, summary="Underrättelse om utskrivningsklar"
)
def ready_notice(request: HttpRequest, stay_id: UUID, data: ReadyIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.ready_notice_send(acting=acting, stay=stay, **data.dict())
    return _detail(acting, stay)


class UnavailabilityIn(Schema):
    starts_on: date
    reason: str


@router.post(
    "/{stay_id}/unavailability",
    response=StayDetailOut,
    summary="Öppenvårdsinsatser saknas (5 kap. 5 §)",
)
def unavailability(request: HttpRequest, stay_id: UUID, data: UnavailabilityIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.unavailability_record(acting=acting, stay=stay, **data.dict())
    return _detail(acting, stay)


class UnavailabilityEndIn(Schema):
    ends_on: date


@router.post(
    "/{stay_id}/unavailability/{period_id}/end",
    response=StayDetailOut,
    summary="Avsluta period utan öppenvårdsinsatser",
)
def unavailability_end(
    request: HttpRequest, stay_id: UUID, period_id: int, data: UnavailabilityEndIn
) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    period = get_object_or_404(OutpatientUnavailability, pk=period_id, stay=stay)
    services.unavailability_end(acting=acting, stay=stay, period=period, ends_on=data.ends_on)
    return _detail(acting, stay)


class SipInvitationIn(Schema):
    meeting_at: datetime
    place_kind: str
    location: str
    invitee_hsa_ids: list[str]
    body: str = ""


@router.post("/{stay_id}/sip-invitation", response=StayDetailOut, summary="Kallelse till SIP")
def sip_invitation(request: HttpRequest, stay_id: UUID, data: SipInvitationIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.sip_invitation_send(
        acting=acting,
        stay=stay,
        meeting_at=data.meeting_at,
        place_kind=data.place_kind,
        location=data.location,
        invitees=_units(data.invitee_hsa_ids),
        body=data.body,
    )
    return _detail(acting, stay)


class ChecklistIn(Schema):
    checklist: ChecklistKind
    item: str
    note: str = ""


@router.post("/{stay_id}/checklist", response=StayDetailOut, summary="Markera checklistpunkt")
def checklist(request: HttpRequest, stay_id: UUID, data: ChecklistIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.checklist_mark(
        acting=acting, stay=stay, checklist=data.checklist, item=data.item, note=data.note
    )
    return _detail(acting, stay)


class CareSummaryIn(Schema):
    text: str


@router.post(
    "/{stay_id}/care-summary", response=StayDetailOut, summary="Sammanfattning till patienten"
)
def care_summary(request: HttpRequest, stay_id: UUID, data: CareSummaryIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.care_summary_write(acting=acting, stay=stay, text=data.text)
    return _detail(acting, stay)


class DischargeIn(Schema):
    discharged_at: datetime
    body: str = ""


@router.post("/{stay_id}/discharge", response=StayDetailOut, summary="Utskrivningsmeddelande")
def discharge(request: HttpRequest, stay_id: UUID, data: DischargeIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.discharge_notice_send(acting=acting, stay=stay, **data.dict())
    return _detail(acting, stay)


class InterruptionIn(Schema):
    kind: InterruptionKind
    reason: str = ""


@router.post("/{stay_id}/interruption", response=StayDetailOut, summary="Avbryt processen")
def interruption(request: HttpRequest, stay_id: UUID, data: InterruptionIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.stay_interrupt(acting=acting, stay=stay, kind=data.kind, reason=data.reason)
    return _detail(acting, stay)
