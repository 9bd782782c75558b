"""/api/v1/stays: every step of the discharge process for record systems.

Thin: resolve the case through the same access check as the web pages (non-party → 404, logged),
call the same service, return a schema.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from samplan.audit.models import AccessPurpose
from samplan.audit.services import ListRead
from samplan.core.acting import Acting, DomainError
from samplan.directory.models import Unit
from samplan.discharge import access, documents, selectors, services
from samplan.discharge.models import (
    ArrivalConversation,
    ChecklistKind,
    InpatientStay,
    InterruptionKind,
    Message,
    MessageKind,
    OutpatientUnavailability,
)
from samplan.discharge.rules.places import Audience
from samplan.discharge.steps import proposed_recipients
from samplan.people import selectors as people_selectors
from samplan.people.identifiers import InvalidIdentifier
from samplan.people.models import CareContact, CareContactRole

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
        raise DomainError(_("Okända HSA-id: %(ids)s") % {"ids": ", ".join(sorted(missing))})
    return units


# --- Schemas ----------------------------------------------------------------------------------


class UnitOut(Schema):
    hsa_id: str
    name: str
    kind: str
    organisation: str


class RecipientOut(Schema):
    unit_hsa_id: str
    unit_name: str
    acknowledged_at: datetime | None
    acknowledged_by: str
    """The name of the person who acknowledged (kvitterade), empty until then."""
    read_at: datetime | None
    """When the unit first opened the case after the message arrived (or acknowledged it)."""


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
    status_reason: str
    forwarded_from_hsa_id: str | None


class EventOut(Schema):
    kind: str
    label: str
    at: datetime
    actor: str
    unit_hsa_id: str | None
    unit_name: str
    summary: str


class NoteOut(Schema):
    unit_hsa_id: str
    unit_name: str
    author: str
    written_at: datetime
    text: str


class AssessmentOut(Schema):
    unit_hsa_id: str
    colour: str
    colour_label: str
    answered_at: datetime
    answers: dict[str, Any]


class ColourOut(Schema):
    code: str
    label: str
    overridden: bool
    guidance: str
    meeting_timing: str


class ConversationOut(Schema):
    held_at: datetime
    participants: str
    had_home_help: bool
    had_home_health_care: bool
    had_special_housing: bool
    has_existing_sip: bool
    has_care_plan: bool
    has_implementation_plan: bool
    has_existing_care_contact: bool
    needs_regional_outpatient: bool
    needs_social_services: bool
    needs_municipal_health_care: bool
    needs_special_housing: bool
    admission_notice_needed: bool
    patient_wishes: str
    brochure_given: bool


class ChecklistItemOut(Schema):
    id: str
    label: str
    done_at: datetime | None
    done_by: str
    note: str


class ChecklistOut(Schema):
    kind: str
    title: str
    items: list[ChecklistItemOut]


class PaymentOut(Schema):
    start: date | None
    unmet: list[str]
    days: int
    amount_sek: int
    problem: str
    agreement_version: str


class PeriodOut(Schema):
    id: int
    starts_on: date
    ends_on: date | None
    reason: str


class CareContactOut(Schema):
    id: int
    name: str
    title: str
    unit_hsa_id: str
    unit_name: str
    phone: str
    email: str


class DeadlineMetOut(Schema):
    step: str
    label: str
    due: datetime
    done_at: datetime
    late: bool


class JudgedUnderOut(Schema):
    version: str
    content_hash: str
    events: list[str]


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
    colour_detail: ColourOut | None
    category_reasons: list[str]
    arrival_conversation: ConversationOut | None
    needs_judged_at: datetime | None
    care_contact: CareContactOut | None
    existing_care_contacts: list[CareContactOut]
    """The person's current fasta vårdkontakter: one of them may continue (2:5)."""
    assessments: list[AssessmentOut]
    notes: list[NoteOut]
    checklists: list[ChecklistOut]
    payment: PaymentOut | None
    unavailability_periods: list[PeriodOut]
    written_plan_given_at: datetime | None
    judged_under: list[JudgedUnderOut]
    """The agreement versions the case's events were judged by, and for which events."""
    deadlines_met: list[DeadlineMetOut]
    """Steps taken with a deadline: when due, when done, and whether late."""
    timeline: list[EventOut]


class WorkItemOut(Schema):
    stay: StayOut
    obligations: list[ObligationOut]
    unacknowledged: int
    unread: int
    """Messages to the unit not yet read: the unit has not opened the case since they came."""


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


def _name(user: Any) -> str:
    return user.get_full_name() if user is not None else ""


def _contact_out(contact: CareContact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "title": contact.title,
        "unit_hsa_id": contact.unit.hsa_id,
        "unit_name": contact.unit.name,
        "phone": contact.phone or contact.unit.phone,
        "email": contact.email,
    }


_CONVERSATION_FIELDS = list(ConversationOut.model_fields)


def _conversation_out(conversation: ArrivalConversation | None) -> dict[str, Any] | None:
    if conversation is None:
        return None
    return {name: getattr(conversation, name) for name in _CONVERSATION_FIELDS}


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
                "acknowledged_by": _name(r.acknowledged_by),
                "read_at": r.read_at,
            }
            for r in message.recipients.all()
        ],
    }


def _detail(acting: Acting, stay: InpatientStay) -> dict[str, Any]:
    """The whole case as the case page shows it, read once (constant queries)."""
    overview = selectors.case_overview(acting=acting, stay=stay, now=timezone.now())
    stay = overview.stay
    colour = overview.colour
    payment = overview.payment
    return {
        **_stay_out(stay),
        "parties": [
            {
                "unit_hsa_id": p.unit.hsa_id,
                "unit_name": p.unit.name,
                "status": p.status,
                "status_reason": p.status_reason,
                "forwarded_from_hsa_id": p.forwarded_from.hsa_id if p.forwarded_from else None,
            }
            for p in overview.parties
        ],
        "messages": [_message_out(m.message) for m in overview.messages],
        "obligations": [o.__dict__ for o in overview.obligations],
        "colour": colour.code if colour else None,
        "colour_detail": None
        if colour is None
        else {
            "code": colour.code,
            "label": colour.label,
            "overridden": overview.colour_overridden,
            "guidance": colour.guidance,
            "meeting_timing": colour.meeting_timing,
        },
        "category_reasons": overview.requirements_reasons,
        "arrival_conversation": _conversation_out(overview.conversation),
        "needs_judged_at": stay.needs_judged_at,
        "care_contact": _contact_out(stay.care_contact) if stay.care_contact else None,
        "existing_care_contacts": [_contact_out(c) for c in overview.existing_care_contacts],
        "assessments": [
            {
                "unit_hsa_id": a.unit.hsa_id,
                "colour": a.colour,
                "colour_label": a.colour_label,
                "answered_at": a.answered_at,
                "answers": a.answers,
            }
            for a in overview.assessments
        ],
        "notes": [
            {
                "unit_hsa_id": n.unit.hsa_id,
                "unit_name": n.unit.name,
                "author": _name(n.author),
                "written_at": n.written_at,
                "text": n.text,
            }
            for n in overview.notes
        ],
        "checklists": [
            {
                "kind": c["kind"],
                "title": str(c["title"]),
                "items": [
                    {
                        "id": item["id"],
                        "label": item["label"],
                        "done_at": item["mark"].checked_at if item["mark"] else None,
                        "done_by": _name(item["mark"].checked_by) if item["mark"] else "",
                        "note": item["mark"].note if item["mark"] else "",
                    }
                    for item in c["items"]
                ],
            }
            for c in overview.checklists
        ],
        "payment": None
        if payment is None
        else {
            "start": payment.start,
            "unmet": payment.unmet,
            "days": payment.days,
            "amount_sek": payment.amount_sek,
            "problem": payment.problem,
            "agreement_version": payment.version_id,
        },
        "unavailability_periods": [
            {"id": p.pk, "starts_on": p.starts_on, "ends_on": p.ends_on, "reason": p.reason}
            for p in overview.periods
        ],
        "written_plan_given_at": stay.written_plan_given_at,
        "judged_under": [
            {"version": j.version_id, "content_hash": j.content_hash, "events": j.events}
            for j in overview.judged_under
        ],
        "deadlines_met": [
            {
                "step": d.kind.value,
                "label": d.label,
                "due": d.due,
                "done_at": d.done_at,
                "late": d.late,
            }
            for d in overview.deadlines_met
        ],
        "timeline": [
            {
                "kind": e.kind,
                "label": str(e.get_kind_display()),
                "at": e.at,
                "actor": _name(e.actor),
                "unit_hsa_id": e.unit.hsa_id if e.unit else None,
                "unit_name": e.unit.name if e.unit else "",
                "summary": e.summary,
            }
            for e in overview.events
        ],
    }


# --- Reads ------------------------------------------------------------------------------------


@router.get("/worklist", response=list[WorkItemOut], summary="Att göra för min enhet")
def worklist(request: HttpRequest) -> list[dict[str, Any]]:
    acting = _acting(request)
    work = selectors.worklist(acting=acting, now=timezone.now())
    shown = ListRead(actor=acting.actor, list_id="discharge.worklist", title="Att göra (API)")
    shown.add(item.stay.person for item in work.items)
    shown.write()
    return [
        {
            "stay": _stay_out(i.stay),
            "obligations": [o.__dict__ for o in i.obligations],
            "unacknowledged": i.unacknowledged,
            "unread": i.unread,
        }
        for i in work.items
    ]


@router.get("/{stay_id}", response=StayDetailOut, summary="Ett ärende")
def stay_detail(request: HttpRequest, stay_id: UUID) -> dict[str, Any]:
    """Everything the case page shows: parties, messages with each recipient's kvittens,
    obligations, ankomstsamtal, category reasons, FVK, planeringsunderlag, notes, checklists,
    payment liability, 5:5 periods, the agreement versions and the timeline (who, unit, when)."""
    acting, stay = _stay(request, stay_id)
    services.messages_mark_read(acting=acting, stay=stay)
    return _detail(acting, stay)


def _unit_out(unit: Unit) -> dict[str, Any]:
    return {
        "hsa_id": unit.hsa_id,
        "name": unit.name,
        "kind": unit.kind,
        "organisation": unit.organisation.name,
    }


@router.get(
    "/{stay_id}/proposed-recipients",
    response=list[UnitOut],
    summary="Föreslagna mottagare av inskrivningsmeddelandet",
)
def proposed(request: HttpRequest, stay_id: UUID) -> list[dict[str, Any]]:
    """By the category, the person's municipality and listed vårdcentral, leaving out units an
    earlier notice reached; the ward may send to others (as on the page)."""
    acting, stay = _stay(request, stay_id)
    access.WARD_STEP.check(acting, stay)
    return [_unit_out(u) for u in proposed_recipients(stay)]


@router.get(
    "/{stay_id}/letter.pdf",
    summary="Brev till patienten vid utskrivningen (PDF)",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def letter(request: HttpRequest, stay_id: UUID) -> HttpResponse:
    acting, stay = _stay(request, stay_id)
    response = HttpResponse(
        documents.patient_letter_pdf(acting=acting, stay=stay), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'inline; filename="information-vid-utskrivning.pdf"'
    return response


@router.get(
    "/{stay_id}/messages/{message_id}/invitation.ics",
    summary="Kallelse till SIP som kalenderfil (iCalendar)",
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def invitation_ics(request: HttpRequest, stay_id: UUID, message_id: int) -> HttpResponse:
    acting, stay = _stay(request, stay_id)
    message = get_object_or_404(Message, pk=message_id, stay=stay, kind=MessageKind.SIP_INVITATION)
    ics = selectors.invitation_export(acting=acting, stay=stay, message=message)
    response = HttpResponse(ics, content_type="text/calendar")
    response["Content-Disposition"] = 'attachment; filename="kallelse-sip.ics"'
    return response


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
    has_care_plan: bool = False
    has_implementation_plan: bool = False
    has_existing_care_contact: bool = False
    needs_regional_outpatient: bool = False
    needs_social_services: bool = False
    needs_municipal_health_care: bool = False
    needs_special_housing: bool = False
    patient_wishes: str = ""
    brochure_given: bool = False
    admission_notice_needed: bool = False
    """Category B: the physician judges that an inskrivningsmeddelande is needed."""
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
    existing_contact_id: int | None = None
    """One of the case's ``existing_care_contacts`` continues as FVK; then no name is needed."""
    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""


@router.post("/{stay_id}/care-contact", response=StayDetailOut, summary="Utse fast vårdkontakt")
def care_contact(request: HttpRequest, stay_id: UUID, data: CareContactIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    fields = data.dict()
    existing_id = fields.pop("existing_contact_id")
    existing = None
    if existing_id is not None:
        existing = (
            CareContact.objects.filter(pk=existing_id, role=CareContactRole.FAST_VARDKONTAKT)
            .select_related("unit")
            .first()
        )
        if existing is None:
            raise DomainError("Den fasta vårdkontakten finns inte för den här personen.")
    services.care_contact_appoint(acting=acting, stay=stay, existing=existing, **fields)
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
    location: str = ""
    """Not needed for a meeting at the person's home; refused for a protected identity."""
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


class WrittenPlanIn(Schema):
    given_at: datetime


@router.post(
    "/{stay_id}/written-plan",
    response=StayDetailOut,
    summary="Personen har fått den skriftliga planen från SIP-mötet",
)
def written_plan(request: HttpRequest, stay_id: UUID, data: WrittenPlanIn) -> dict[str, Any]:
    acting, stay = _stay(request, stay_id)
    services.written_plan_given_record(acting=acting, stay=stay, given_at=data.given_at)
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
