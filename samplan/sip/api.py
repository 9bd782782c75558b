"""/api/v1/sip: the SIP process (samordnad individuell plan) for record systems.

Thin, like :mod:`samplan.discharge.api`: resolve the process through the same access check as
the pages (:func:`samplan.sip.access.process_get`: a unit that may not see it – not a
participant, or another organisation without the person's consent – gets 404 and the attempt is
logged), call the same service, return a schema. Refusals are Swedish: a broken rule 409, a unit
or role that may not 403, a stale plan draft 409 with the current revision, who saved it and
what they changed (nothing the caller sent is lost: it comes back in ``attempted``).

A write answers with the process as the acting unit now sees it, or 204 if the unit no longer
sees it (it withdrew consent for another organisation's unit, or removed itself).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeAlias
from uuid import UUID

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import ListRead, log_access
from samplan.core.acting import Acting, DomainError
from samplan.core.drafts import changes_out, conflict_out
from samplan.directory.models import Unit
from samplan.discharge import access as discharge_access
from samplan.discharge.rules.places import Audience
from samplan.people import selectors as people_selectors
from samplan.people.identifiers import InvalidIdentifier
from samplan.sip import access, documents, rules, selectors, services
from samplan.sip.models import (
    ConsentEvent,
    MeetingMinutes,
    PlanDraft,
    PlanVersion,
    SipEvent,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.sip.plan import PlanContent, plan_advice, plan_diff, plan_problems
from samplan.sip.services import PlanConflict

router = Router(tags=["SIP – samordnad individuell plan"])


def _acting(request: HttpRequest) -> Acting:
    acting: Acting = request.auth  # type: ignore[attr-defined]
    return acting


def _process(request: HttpRequest, sip_id: UUID) -> tuple[Acting, SipProcess]:
    acting = _acting(request)
    return acting, access.process_get(acting, sip_id)


def _unit(hsa_id: str) -> Unit:
    unit = Unit.objects.active().select_related("organisation").filter(hsa_id=hsa_id).first()
    if unit is None:
        raise DomainError(_("Okänt HSA-id: %(id)s") % {"id": hsa_id})
    return unit


def _participants(process: SipProcess, ids: list[int]) -> list[SipParticipant]:
    found = {
        p.pk: p
        for p in SipParticipant.objects.filter(process=process, pk__in=ids).select_related("unit")
    }
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise DomainError(_("Okända deltagare: %(ids)s") % {"ids": ", ".join(missing)})
    return [found[i] for i in ids]


def _participant(process: SipProcess, participant_id: int) -> SipParticipant:
    return _participants(process, [participant_id])[0]


def _meeting(process: SipProcess, meeting_id: int | None) -> SipMeeting | None:
    if meeting_id is None:
        return None
    return get_object_or_404(SipMeeting, pk=meeting_id, process=process)


def _log_read(acting: Acting, process: SipProcess, obj: Any, detail: str) -> None:
    log_access(
        actor=acting.actor,
        person=process.person,
        action=AccessAction.READ,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=obj,
        detail=detail,
    )


# --- Schemas ----------------------------------------------------------------------------------


class ConsentOut(Schema):
    status: str
    valid: bool
    is_child: bool
    missing: list[str]
    advice: list[str]


class FlagOut(Schema):
    code: str
    text: str
    due: date | None
    overdue: bool


class SipOut(Schema):
    id: UUID
    person_identifier: str
    person_name: str
    status: str
    need_level: str
    started_at: datetime
    started_by_unit_hsa_id: str
    origin_stay_id: UUID | None
    lead_unit_hsa_id: str | None
    closed_at: datetime | None
    close_reason: str
    agreement_version: str


class CheckInOut(Schema):
    """The next check-in of the established plan (continuous SIP)."""

    on: date | None
    """``null``: not set – the work list flags it until a follow-up meeting is called."""
    by: str
    source: str
    """``plan`` (the latest established version's follow-up) or ``minutes`` (set at a
    follow-up or evaluation meeting held after it)."""
    since: datetime
    meeting_at: datetime | None
    """A follow-up or evaluation meeting called for it, if any."""


class WorkItemOut(Schema):
    sip: SipOut
    flags: list[FlagOut]
    consent: ConsentOut
    is_lead: bool
    next_meeting_at: datetime | None
    next_check_in: CheckInOut | None


class ParticipantOut(Schema):
    id: int
    kind: str
    display_name: str
    unit_hsa_id: str | None
    unit_name: str
    name: str
    title: str
    organisation: str
    external_kind: str
    has_mandate: bool
    phone: str
    email: str
    active: bool
    removed_at: datetime | None
    removed_reason: str


class ConsentEventOut(Schema):
    id: int
    given: bool
    giver: str
    giver_name: str
    form: str
    scope: str
    on: date
    note: str
    recorded_at: datetime


class PreparationOut(Schema):
    id: int
    kind: str
    text: str
    place_kind: str
    author_kind: str
    author_name: str
    written_at: datetime


class MinutesOut(Schema):
    id: int
    text: str
    decisions: str
    next_follow_up_on: date | None
    next_follow_up_by: str
    person_present: bool
    attendee_ids: list[int]
    recorded_at: datetime
    recorded_unit_hsa_id: str


class MeetingOut(Schema):
    id: int
    kind: str
    meeting_at: datetime
    place_kind: str
    location: str
    message: str
    invitee_ids: list[int]
    invited_by_unit_hsa_id: str
    invitation_sent_at: datetime
    cancelled_at: datetime | None
    cancelled_reason: str
    minutes: MinutesOut | None


class ChangeOut(Schema):
    kind: str
    text: str


class VersionSummaryOut(Schema):
    number: int
    established_at: datetime
    established_unit_hsa_id: str
    person_agreed: bool
    approved_by_ids: list[int]
    draft_revision: int
    meeting_id: int | None


class VersionOut(VersionSummaryOut):
    content: PlanContent
    changes: list[ChangeOut]
    """What changed from the previous established version (everything, for version 1)."""
    is_latest: bool
    warnings: list[str]
    """Good practice the version leaves out, which did not block establishing it: sub-goals
    without a measure, no follow-up date or person, open actions without a responsible person
    or a date; in the answer to establishing also participants without mandate."""


class EventOut(Schema):
    kind: str
    label: str
    at: datetime
    unit_hsa_id: str | None
    actor: str
    summary: str


class SipDetailOut(SipOut):
    consent: ConsentOut
    consent_events: list[ConsentEventOut]
    participants: list[ParticipantOut]
    preparation: list[PreparationOut]
    meetings: list[MeetingOut]
    draft_revision: int
    versions: list[VersionSummaryOut]
    current_plan: PlanContent | None
    """The latest established version as it reads today (action progress applied)."""
    flags: list[FlagOut]
    next_check_in: CheckInOut | None
    events: list[EventOut]


class DraftOut(Schema):
    revision: int
    content: PlanContent
    saved_at: datetime | None
    saved_by: str
    saved_unit_hsa_id: str | None
    changes: list[ChangeOut]
    """What the draft changes compared with the latest established version."""
    problems: list[str]
    """What the draft lacks before it can be established; empty when nothing."""
    warnings: list[str]
    """What good practice asks before establishing, without blocking it (as
    ``VersionOut.warnings``, participants without mandate included)."""


class DraftRevisionOut(Schema):
    revision: int
    saved_at: datetime
    saved_by: str
    saved_unit_hsa_id: str
    changes: list[ChangeOut]
    """What this save changed from the revision before it (everything, for the first)."""
    content: PlanContent


class ConflictOut(Schema):
    detail: str
    current_revision: int
    saved_by: str
    saved_unit_hsa_id: str | None
    saved_at: datetime | None
    current: PlanContent
    their_changes: list[ChangeOut]
    """What the other writer changed since your base revision."""
    your_changes: list[ChangeOut]
    attempted: PlanContent | None
    """What you sent, untouched: redo it on ``current_revision``."""


def _consent_out(state: rules.ConsentState) -> dict[str, Any]:
    return {
        "status": state.status.value,
        "valid": state.is_valid,
        "is_child": state.is_child,
        "missing": list(state.missing),
        "advice": list(state.advice),
    }


def _flags_out(flags: list[rules.Flag]) -> list[dict[str, Any]]:
    return [
        {"code": f.code.value, "text": f.text, "due": f.due, "overdue": f.overdue} for f in flags
    ]


def _check_in_out(check_in: rules.CheckIn | None) -> dict[str, Any] | None:
    if check_in is None:
        return None
    return {
        "on": check_in.on,
        "by": check_in.by,
        "source": check_in.source.value,
        "since": check_in.since,
        "meeting_at": check_in.meeting_at,
    }


def _sip_out(process: SipProcess) -> dict[str, Any]:
    return {
        "id": process.public_id,
        "person_identifier": process.person.display_identifier,
        "person_name": process.person.full_name,
        "status": process.status,
        "need_level": process.need_level,
        "started_at": process.started_at,
        "started_by_unit_hsa_id": process.started_by_unit.hsa_id,
        "origin_stay_id": process.origin_stay.public_id if process.origin_stay else None,
        "lead_unit_hsa_id": process.lead_unit.hsa_id if process.lead_unit else None,
        "closed_at": process.closed_at,
        "close_reason": process.close_reason,
        "agreement_version": process.agreement.version_id,
    }


def _participant_out(p: SipParticipant) -> dict[str, Any]:
    return {
        "id": p.pk,
        "kind": p.kind,
        "display_name": p.display_name,
        "unit_hsa_id": p.unit.hsa_id if p.unit else None,
        "unit_name": p.unit.name if p.unit else "",
        "name": p.name,
        "title": p.title,
        "organisation": p.organisation,
        "external_kind": p.external_kind,
        "has_mandate": p.has_mandate,
        "phone": p.phone,
        "email": p.email,
        "active": p.is_active,
        "removed_at": p.removed_at,
        "removed_reason": p.removed_reason,
    }


def _consent_event_out(e: ConsentEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "given": e.given,
        "giver": e.giver,
        "giver_name": e.giver_name,
        "form": e.form,
        "scope": e.scope,
        "on": e.on,
        "note": e.note,
        "recorded_at": e.recorded_at,
    }


def _minutes_out(m: MeetingMinutes, attendees: list[SipParticipant]) -> dict[str, Any]:
    return {
        "id": m.pk,
        "text": m.text,
        "decisions": m.decisions,
        "next_follow_up_on": m.next_follow_up_on,
        "next_follow_up_by": m.next_follow_up_by,
        "person_present": m.person_present,
        "attendee_ids": [p.pk for p in attendees],
        "recorded_at": m.recorded_at,
        "recorded_unit_hsa_id": m.recorded_unit.hsa_id,
    }


def _meeting_out(view: selectors.MeetingView) -> dict[str, Any]:
    m = view.meeting
    return {
        "id": m.pk,
        "kind": m.kind,
        "meeting_at": m.meeting_at,
        "place_kind": m.place_kind,
        # Never a protected identity's home address (samplan.discharge.rules.places).
        "location": documents.meeting_place_for(m, Audience.STAFF).location,
        "message": m.message,
        "invitee_ids": [p.pk for p in view.invitees],
        "invited_by_unit_hsa_id": m.invited_by_unit.hsa_id,
        "invitation_sent_at": m.invitation_sent_at,
        "cancelled_at": m.cancelled_at,
        "cancelled_reason": m.cancelled_reason,
        "minutes": _minutes_out(view.minutes, view.attendees) if view.minutes else None,
    }


def _version_summary(version: PlanVersion, approved_by: list[SipParticipant]) -> dict[str, Any]:
    return {
        "number": version.number,
        "established_at": version.established_at,
        "established_unit_hsa_id": version.established_unit.hsa_id,
        "person_agreed": version.person_agreed,
        "approved_by_ids": [p.pk for p in approved_by],
        "draft_revision": version.draft_revision,
        "meeting_id": version.meeting_id,
    }


def _event_out(e: SipEvent) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "label": e.get_kind_display(),
        "at": e.at,
        "unit_hsa_id": e.unit.hsa_id if e.unit else None,
        "actor": e.actor.get_full_name() if e.actor else "",
        "summary": e.summary,
    }


def _detail(acting: Acting, process: SipProcess) -> dict[str, Any]:
    overview = selectors.process_overview(acting=acting, process=process, now=timezone.now())
    process = overview.process
    return {
        **_sip_out(process),
        "consent": _consent_out(overview.consent),
        "consent_events": [_consent_event_out(e) for e in overview.consent_events],
        "participants": [_participant_out(p) for p in overview.participants],
        "preparation": [
            {
                "id": p.pk,
                "kind": p.kind,
                "text": p.text,
                "place_kind": p.place_kind,
                "author_kind": p.author_kind,
                "author_name": p.author_name,
                "written_at": p.written_at,
            }
            for p in overview.preparation
        ],
        "meetings": [_meeting_out(m) for m in overview.meetings],
        "draft_revision": overview.draft.revision,
        "versions": [_version_summary(v.version, v.approved_by) for v in overview.versions],
        "current_plan": overview.current_plan,
        "flags": _flags_out(overview.flags),
        "next_check_in": _check_in_out(overview.check_in),
        "events": [_event_out(e) for e in overview.events],
    }


if TYPE_CHECKING:
    Written: TypeAlias = Status[dict[str, Any]] | Status[None]
WRITTEN: dict[int, Any] = {200: SipDetailOut, 204: None}


def _written(acting: Acting, process: SipProcess) -> Written:
    """The process as the acting unit sees it after its write, or 204 if it no longer may."""
    process = SipProcess.objects.get(pk=process.pk)
    if not access.is_visible(acting, process):
        return Status(204, None)
    return Status(200, _detail(acting, process))


# --- Reads ------------------------------------------------------------------------------------


@router.get("/worklist", response=list[WorkItemOut], summary="SIP:ar att arbeta med")
def worklist(request: HttpRequest) -> list[dict[str, Any]]:
    """The acting unit's open SIPs it may see now, with the work-list flags, overdue first."""
    acting = _acting(request)
    items = selectors.worklist(acting=acting, now=timezone.now())
    shown = ListRead(actor=acting.actor, list_id="sip.worklist", title="SIP-listan (API)")
    shown.add(item.process.person for item in items)
    shown.write()
    return [
        {
            "sip": _sip_out(i.process),
            "flags": _flags_out(i.flags),
            "consent": _consent_out(i.consent),
            "is_lead": i.is_lead,
            "next_meeting_at": i.next_meeting.meeting_at if i.next_meeting else None,
            "next_check_in": _check_in_out(i.check_in),
        }
        for i in items
    ]


@router.get("/{sip_id}", response=SipDetailOut, summary="En SIP")
def sip_detail(request: HttpRequest, sip_id: UUID) -> dict[str, Any]:
    acting, process = _process(request, sip_id)
    return _detail(acting, process)


@router.get("/{sip_id}/plan/draft", response=DraftOut, summary="Planutkastet")
def draft_get(request: HttpRequest, sip_id: UUID) -> dict[str, Any]:
    """The working draft and its revision: send the revision back as ``base_revision``."""
    acting, process = _process(request, sip_id)
    draft = PlanDraft.objects.select_related("saved_by", "saved_unit").get(process=process)
    _log_read(acting, process, draft, "planutkast")
    latest = process.versions.order_by("-number").first()
    content = PlanContent.model_validate(draft.content)
    previous = PlanContent.model_validate(latest.content) if latest else None
    return {
        "revision": draft.revision,
        "content": content,
        "saved_at": draft.saved_at,
        "saved_by": draft.saved_by.get_full_name() if draft.saved_by else "",
        "saved_unit_hsa_id": draft.saved_unit.hsa_id if draft.saved_unit else None,
        "changes": changes_out(plan_diff(previous, content)),
        "problems": plan_problems(content),
        "warnings": selectors.establishing_advice(process, content),
    }


@router.get(
    "/{sip_id}/plan/draft/revisions",
    response=list[DraftRevisionOut],
    summary="Planutkastets historik",
)
def draft_revisions(request: HttpRequest, sip_id: UUID) -> list[dict[str, Any]]:
    """Every saved revision of the draft, newest first: who saved it, when, what it changed
    from the one before, and its whole content. Nothing a writer saved is lost, also when
    someone saved their version over it."""
    acting, process = _process(request, sip_id)
    return [
        {
            "revision": r.revision.revision,
            "saved_at": r.revision.saved_at,
            "saved_by": r.revision.saved_by.get_full_name(),
            "saved_unit_hsa_id": r.revision.saved_unit.hsa_id,
            "changes": changes_out(r.changes),
            "content": r.content,
        }
        for r in selectors.draft_history(acting=acting, process=process)
    ]


def _versions(process: SipProcess) -> list[PlanVersion]:
    return list(
        process.versions.select_related("established_unit")
        .prefetch_related("approvals__participant")
        .order_by("number")
    )


@router.get(
    "/{sip_id}/plan/versions", response=list[VersionSummaryOut], summary="Fastställda versioner"
)
def versions_list(request: HttpRequest, sip_id: UUID) -> list[dict[str, Any]]:
    acting, process = _process(request, sip_id)
    _log_read(acting, process, process, "fastställda planversioner")
    return [
        _version_summary(v, [a.participant for a in v.approvals.all()]) for v in _versions(process)
    ]


@router.get(
    "/{sip_id}/plan/versions/{number}",
    response=VersionOut,
    summary="En fastställd version och skillnaden mot den förra",
)
def version_detail(request: HttpRequest, sip_id: UUID, number: int) -> dict[str, Any]:
    acting, process = _process(request, sip_id)
    versions = {v.number: v for v in _versions(process)}
    version = versions.get(number)
    if version is None:
        raise Http404
    _log_read(acting, process, version, f"fastställd plan version {number}")
    before = versions.get(number - 1)
    content = PlanContent.model_validate(version.content)
    previous = PlanContent.model_validate(before.content) if before else None
    return {
        **_version_summary(version, [a.participant for a in version.approvals.all()]),
        "content": content,
        "changes": changes_out(plan_diff(previous, content)),
        "is_latest": number == max(versions),
        "warnings": plan_advice(content),
    }


# --- Start ------------------------------------------------------------------------------------


class StartIn(Schema):
    person_identifier: str
    reason: str = ""
    need_level: str = ""
    has_mandate: bool = False


@router.post("", response={201: SipDetailOut}, summary="Starta SIP utanför sjukhus")
def start(request: HttpRequest, data: StartIn) -> Status[dict[str, Any]]:
    """Any unit outside hospital starts a SIP for a person, found by personnummer,
    samordningsnummer or reservnummer. The unit becomes the first participant."""
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
    process = services.sip_start(
        acting=acting,
        person=person,
        reason=data.reason,
        need_level=data.need_level,
        has_mandate=data.has_mandate,
    )
    return Status(201, _detail(acting, process))


class ReasonIn(Schema):
    reason: str = ""


@router.post(
    "/from-stay/{stay_id}", response={201: SipDetailOut}, summary="Fortsätt ett utskrivningsärende"
)
def start_from_stay(request: HttpRequest, stay_id: UUID, data: ReasonIn) -> Status[dict[str, Any]]:
    """Continue a discharge case as a SIP: its parties become participants and its SIP kallelse
    the first meeting. The acting unit must be a party to the case (else 404, logged)."""
    acting = _acting(request)
    stay = discharge_access.stay_get(acting, stay_id)
    process = services.sip_start_from_stay(acting=acting, stay=stay, reason=data.reason)
    return Status(201, _detail(acting, process))


# --- Consent ----------------------------------------------------------------------------------


class ConsentIn(Schema):
    giver: str
    form: str
    giver_name: str = ""
    scope: str = ""
    on: date | None = None
    note: str = ""


@router.post("/{sip_id}/consents", response=WRITTEN, summary="Registrera samtycke")
def consent_give(request: HttpRequest, sip_id: UUID, data: ConsentIn) -> Written:
    acting, process = _process(request, sip_id)
    services.consent_give(acting=acting, process=process, **data.dict())
    return _written(acting, process)


class WithdrawIn(Schema):
    giver: str
    form: str
    reason: str
    giver_name: str = ""
    on: date | None = None


@router.post("/{sip_id}/consents/withdraw", response=WRITTEN, summary="Återkalla samtycke")
def consent_withdraw(request: HttpRequest, sip_id: UUID, data: WithdrawIn) -> Written:
    """From this moment units of other organisations no longer see the SIP."""
    acting, process = _process(request, sip_id)
    services.consent_withdraw(acting=acting, process=process, **data.dict())
    return _written(acting, process)


# --- Participants, need level, lead, preparation ----------------------------------------------


class ParticipantIn(Schema):
    kind: str
    unit_hsa_id: str = ""
    name: str = ""
    title: str = ""
    organisation: str = ""
    external_kind: str = ""
    has_mandate: bool = False
    phone: str = ""
    email: str = ""


@router.post("/{sip_id}/participants", response=WRITTEN, summary="Lägg till deltagare")
def participant_add(request: HttpRequest, sip_id: UUID, data: ParticipantIn) -> Written:
    """A unit or named staff member of a unit (by HSA-id), a relative, or an external actor
    (school, Försäkringskassan, Arbetsförmedlingen, other) as free text."""
    acting, process = _process(request, sip_id)
    fields = data.dict()
    hsa_id = fields.pop("unit_hsa_id")
    services.participant_add(
        acting=acting, process=process, unit=_unit(hsa_id) if hsa_id else None, **fields
    )
    return _written(acting, process)


class RemoveIn(Schema):
    reason: str


@router.post(
    "/{sip_id}/participants/{participant_id}/remove",
    response=WRITTEN,
    summary="Ta bort deltagare",
)
def participant_remove(
    request: HttpRequest, sip_id: UUID, participant_id: int, data: RemoveIn
) -> Written:
    acting, process = _process(request, sip_id)
    services.participant_remove(
        acting=acting,
        process=process,
        participant=_participant(process, participant_id),
        reason=data.reason,
    )
    return _written(acting, process)


class MandateIn(Schema):
    has_mandate: bool


@router.post(
    "/{sip_id}/participants/{participant_id}/mandate",
    response=WRITTEN,
    summary="Ange mandat att besluta om insatser",
)
def participant_mandate(
    request: HttpRequest, sip_id: UUID, participant_id: int, data: MandateIn
) -> Written:
    acting, process = _process(request, sip_id)
    services.participant_set_mandate(
        acting=acting,
        process=process,
        participant=_participant(process, participant_id),
        has_mandate=data.has_mandate,
    )
    return _written(acting, process)


class NeedLevelIn(Schema):
    level: str
    reason: str = ""


@router.post("/{sip_id}/need-level", response=WRITTEN, summary="Bedöm behovsnivå")
def need_level(request: HttpRequest, sip_id: UUID, data: NeedLevelIn) -> Written:
    """``none``, ``internal``, ``short`` or ``over_time`` (behovsstyrd SIP)."""
    acting, process = _process(request, sip_id)
    services.need_level_set(acting=acting, process=process, level=data.level, reason=data.reason)
    return _written(acting, process)


class UnitIn(Schema):
    unit_hsa_id: str


@router.post("/{sip_id}/lead-unit", response=WRITTEN, summary="Bestäm övergripande ansvar")
def lead_unit(request: HttpRequest, sip_id: UUID, data: UnitIn) -> Written:
    acting, process = _process(request, sip_id)
    services.lead_unit_set(acting=acting, process=process, unit=_unit(data.unit_hsa_id))
    return _written(acting, process)


class PreparationIn(Schema):
    kind: str
    text: str
    place_kind: str = ""
    author_kind: str = "staff"
    author_name: str = ""


@router.post("/{sip_id}/preparation", response=WRITTEN, summary="Förberedelse")
def preparation(request: HttpRequest, sip_id: UUID, data: PreparationIn) -> Written:
    """Kartläggning (``mapping``), question for the meeting (``question``), the person's wish for
    time and place (``wish``), or a child's own view (``child_view``)."""
    acting, process = _process(request, sip_id)
    services.preparation_add(acting=acting, process=process, **data.dict())
    return _written(acting, process)


# --- Meetings ---------------------------------------------------------------------------------


class MeetingIn(Schema):
    kind: str = "first"
    meeting_at: datetime
    place_kind: str
    location: str = ""
    """Not needed for a meeting at the person's home; refused for a protected identity."""
    invitee_ids: list[int]
    message: str = ""


@router.post("/{sip_id}/meetings", response=WRITTEN, summary="Kalla till möte (kallelse)")
def meeting_invite(request: HttpRequest, sip_id: UUID, data: MeetingIn) -> Written:
    """A SIP meeting (``first``), follow-up (``follow_up``) or evaluation (``evaluation``).
    Invited units and staff get an e-mail with an iCalendar file."""
    acting, process = _process(request, sip_id)
    services.meeting_invite(
        acting=acting,
        process=process,
        kind=data.kind,
        meeting_at=data.meeting_at,
        place_kind=data.place_kind,
        location=data.location,
        invitees=_participants(process, data.invitee_ids),
        message=data.message,
    )
    return _written(acting, process)


@router.post("/{sip_id}/meetings/{meeting_id}/cancel", response=WRITTEN, summary="Ställ in möte")
def meeting_cancel(request: HttpRequest, sip_id: UUID, meeting_id: int, data: RemoveIn) -> Written:
    acting, process = _process(request, sip_id)
    meeting = _meeting(process, meeting_id)
    assert meeting is not None
    services.meeting_cancel(acting=acting, process=process, meeting=meeting, reason=data.reason)
    return _written(acting, process)


class MinutesIn(Schema):
    text: str
    attendee_ids: list[int] = []
    person_present: bool = False
    decisions: str = ""
    next_follow_up_on: date | None = None
    next_follow_up_by: str = ""


@router.post("/{sip_id}/meetings/{meeting_id}/minutes", response=WRITTEN, summary="För protokoll")
def minutes(request: HttpRequest, sip_id: UUID, meeting_id: int, data: MinutesIn) -> Written:
    """Attendance, minutes and decisions. A correction is new minutes; the latest counts. At a
    follow-up or evaluation meeting, ``next_follow_up_on``/``_by`` set the next check-in."""
    acting, process = _process(request, sip_id)
    meeting = _meeting(process, meeting_id)
    assert meeting is not None
    services.minutes_record(
        acting=acting,
        process=process,
        meeting=meeting,
        text=data.text,
        attendees=_participants(process, data.attendee_ids),
        person_present=data.person_present,
        decisions=data.decisions,
        next_follow_up_on=data.next_follow_up_on,
        next_follow_up_by=data.next_follow_up_by,
    )
    return _written(acting, process)


# --- The plan ---------------------------------------------------------------------------------


class DraftIn(Schema):
    base_revision: int
    content: PlanContent


@router.put(
    "/{sip_id}/plan/draft",
    response={200: DraftOut, 409: ConflictOut},
    summary="Spara planutkastet",
)
def draft_save(
    request: HttpRequest, sip_id: UUID, data: DraftIn
) -> Status[dict[str, Any]] | dict[str, Any]:
    """Optimistic versioning: send the revision you read as ``base_revision``. If someone saved
    since, nothing is written and 409 tells who, what they changed, and gives your content back.
    """
    acting, process = _process(request, sip_id)
    try:
        services.plan_draft_save(
            acting=acting, process=process, content=data.content, base_revision=data.base_revision
        )
    except PlanConflict as conflict:
        return Status(409, conflict_out(conflict))
    return draft_get(request, sip_id)


class EstablishIn(Schema):
    base_revision: int
    approved_by_ids: list[int]
    person_agreed: bool
    meeting_id: int | None = None


@router.post(
    "/{sip_id}/plan/establish",
    response={201: VersionOut, 409: ConflictOut},
    summary="Fastställ planen",
)
def establish(request: HttpRequest, sip_id: UUID, data: EstablishIn) -> Status[dict[str, Any]]:
    """Establish the draft at ``base_revision`` (the one the participants approved) as a new,
    immutable version. Needs valid consent, the person's agreement and the approval of the
    participants with a mandate who attended the meeting. ``warnings`` lists what good
    practice still asks (measures, follow-up, responsible persons, dates, mandates)."""
    acting, process = _process(request, sip_id)
    try:
        version = services.plan_establish(
            acting=acting,
            process=process,
            base_revision=data.base_revision,
            approved_by=_participants(process, data.approved_by_ids),
            person_agreed=data.person_agreed,
            meeting=_meeting(process, data.meeting_id),
        )
    except PlanConflict as conflict:
        return Status(409, conflict_out(conflict))
    established = version_detail(request, sip_id, version.number)
    established["warnings"] = selectors.establishing_advice(
        process, PlanContent.model_validate(version.content)
    )
    return Status(201, established)


class ProgressIn(Schema):
    status: str
    note: str = ""


@router.post(
    "/{sip_id}/plan/actions/{action_id}/progress",
    response=WRITTEN,
    summary="Uppdatera en insats status",
)
def action_progress(
    request: HttpRequest, sip_id: UUID, action_id: str, data: ProgressIn
) -> Written:
    """``planned``, ``ongoing``, ``done`` or ``cancelled``, recorded against the established
    version (which itself never changes)."""
    acting, process = _process(request, sip_id)
    services.action_progress_record(
        acting=acting, process=process, action_id=action_id, status=data.status, note=data.note
    )
    return _written(acting, process)


class EvaluationIn(Schema):
    summary: str
    outcomes: dict[str, str] = {}
    meeting_id: int | None = None


@router.post("/{sip_id}/evaluations", response=WRITTEN, summary="Utvärdera planen")
def evaluation(request: HttpRequest, sip_id: UUID, data: EvaluationIn) -> Written:
    """A summary and, per sub-goal id, ``reached``, ``partly`` or ``not_reached``."""
    acting, process = _process(request, sip_id)
    services.evaluation_record(
        acting=acting,
        process=process,
        summary=data.summary,
        outcomes=data.outcomes,
        meeting=_meeting(process, data.meeting_id),
    )
    return _written(acting, process)


class CloseIn(Schema):
    reason: str
    note: str = ""


@router.post("/{sip_id}/close", response=WRITTEN, summary="Avsluta SIP")
def close(request: HttpRequest, sip_id: UUID, data: CloseIn) -> Written:
    """By the unit with overall responsibility, with a reason (``goals_reached``,
    ``no_longer_needed``, ``declined``, ``moved``, ``died``, ``other`` with a note)."""
    acting, process = _process(request, sip_id)
    services.sip_close(acting=acting, process=process, reason=data.reason, note=data.note)
    return _written(acting, process)
