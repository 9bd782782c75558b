"""Every state change of a SIP process: one service each, one transaction, one timeline event.

Services check their own rules (who may, in which state, with which consent), so the pages and
the JSON API obey exactly the same rules. Each writes a :class:`SipEvent` and an access-log entry
in the same transaction. Refusals raise :class:`~samplan.core.acting.DomainError` (Swedish
message for the user) or its subclass :class:`~samplan.core.acting.NotAllowed`; a stale draft
raises :class:`PlanConflict`. All arguments are keyword-only; ``acting`` is the signed-in
member of staff and ``process`` is what :func:`samplan.sip.access.process_get` returned.

Public functions (read with :mod:`samplan.sip.selectors`):

Start
    ``sip_start(acting, person, reason="", need_level="", has_mandate=False)`` – outside hospital,
    from any unit; the unit becomes the first participant.
    ``sip_start_from_stay(acting, stay, reason="")`` – continue a discharge case: its active
    parties become participants, its SIP kallelse (if any) becomes the first meeting. Parties
    of other organisations are listed but see nothing until consent is recorded.
Consent
    ``consent_give(acting, process, giver, form, giver_name="", scope="", on=None, note="")``
    ``consent_withdraw(acting, process, giver, form, reason, giver_name="", on=None)``
Participants and preparation
    ``participant_add(acting, process, kind, unit=None, name="", title="", organisation="",
    external_kind="", has_mandate=False, phone="", email="")``
    ``participant_remove(acting, process, participant, reason)``
    ``participant_set_mandate(acting, process, participant, has_mandate)``
    ``need_level_set(acting, process, level, reason="")``
    ``lead_unit_set(acting, process, unit)`` – changes the draft's overall responsibility
    ``preparation_add(acting, process, kind, text, place_kind="", author_kind="staff",
    author_name="")`` – kartläggning, question, wish for time/place, child's own view
Meetings
    ``meeting_invite(acting, process, kind, meeting_at, place_kind, location, invitees,
    message="")`` – the kallelse; ``follow_up_schedule(...)`` is the same for a follow-up meeting.
    The first meeting of a SIP continued from a discharge case that has no kallelse yet, called
    by the FVK's unit, is also the case's kallelse till SIP (recorded through the discharge
    service, in the same transaction).
    ``meeting_cancel(acting, process, meeting, reason)``
    Both e-mail the invited staff on commit (:mod:`samplan.sip.documents`).
    ``minutes_record(acting, process, meeting, text, attendees=(), person_present=False,
    decisions="", next_follow_up_on=None, next_follow_up_by="")`` – a follow-up's minutes set
    the next check-in
The plan
    ``plan_draft_save(acting, process, content, base_revision)`` – optimistic versioning
    ``plan_establish(acting, process, base_revision, approved_by, person_agreed, meeting=None)``
    ``action_progress_record(acting, process, action_id, status, note="")``
    ``evaluation_record(acting, process, summary, outcomes=None, meeting=None)``
    ``sip_close(acting, process, reason, note="")`` – also cancels every meeting still ahead

Consent gating: without valid consent (:func:`samplan.sip.rules.consent_state`) only units of
the home organisation (the starting unit's) see the process; nobody outside it can be added or
invited, and no plan is established. Services re-check visibility and raise ``NotAllowed``;
the DENIED access-log entry is written by :func:`samplan.sip.access.process_get`.

Approval rule (documented choice): a version is established when the person (or for a child the
guardian) has agreed, consent is valid, the plan states a long-term goal, actions with a
responsible organisation and the overall responsibility, and every active participant with a
mandate who attended the meeting (per its latest minutes; all active participants with a mandate
when no meeting with minutes is given) has approved – at least one with a mandate.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import uuid
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import ValidationError

from samplan.agreements.services import agreement_record_for
from samplan.core.acting import Acting, DomainError, NotAllowed
from samplan.core.drafts import DraftConflict, DraftStore
from samplan.core.timeline import TimelineWriter
from samplan.directory.models import OrganisationKind, Unit
from samplan.discharge import access as discharge_access
from samplan.discharge import services as discharge_services
from samplan.discharge.models import (
    InpatientStay,
    Message,
    MessageKind,
    PartyStatus,
    StatementKind,
)
from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import location_refusal
from samplan.people.models import Person
from samplan.sip import access, documents, rules
from samplan.sip.models import (
    ActionProgress,
    AuthorKind,
    CloseReason,
    ConsentEvent,
    ConsentForm,
    ConsentGiver,
    Evaluation,
    ExternalKind,
    GoalOutcome,
    MeetingAttendee,
    MeetingInvitee,
    MeetingKind,
    MeetingMinutes,
    NeedLevel,
    ParticipantKind,
    PlanApproval,
    PlanDraft,
    PlanDraftRevision,
    PlanVersion,
    PreparationEntry,
    PreparationKind,
    ProcessStatus,
    SipEvent,
    SipEventKind,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.sip.plan import (
    ACTION_STATUS_LABELS,
    ActionStatus,
    PlanContent,
    plan_diff,
    plan_problems,
    with_ids,
)
from samplan.sip.plan import OrganisationKind as PlanOrganisationKind
from samplan.sip.validation import plan_error_texts

__all__ = [
    "PlanConflict",
    "action_progress_record",
    "consent_give",
    "consent_withdraw",
    "evaluation_record",
    "follow_up_schedule",
    "lead_unit_set",
    "meeting_cancel",
    "meeting_invite",
    "minutes_record",
    "need_level_set",
    "participant_add",
    "participant_remove",
    "participant_set_mandate",
    "plan_draft_save",
    "plan_establish",
    "preparation_add",
    "recorded_at",
    "sip_close",
    "sip_start",
    "sip_start_from_stay",
]


class PlanConflict(DraftConflict[PlanDraft, PlanContent]):
    """The plan draft was saved by someone else since ``base_revision``: nothing was written
    (:class:`~samplan.core.drafts.DraftConflict`). ``current`` is the :class:`PlanDraft` as it
    is now (``current.revision`` is the revision to base a retry on)."""


_recorded_at: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "sip_recorded_at", default=None
)


def _now() -> datetime:
    return _recorded_at.get() or timezone.now()


@contextlib.contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Let the services called inside this block record what they write as happening at
    ``moment`` (aware, in the past), and check their time rules (a meeting lies ahead, minutes
    only once it began) against it. For the demo generator, which lays out a county's SIPs
    through the services; no page or API handler uses it. Only the current thread and context
    see it, and the access log keeps the real time."""
    if timezone.is_naive(moment) or moment > timezone.now():
        raise ValueError("recorded_at needs an aware moment that is not in the future")
    token = _recorded_at.set(moment)
    try:
        yield
    finally:
        _recorded_at.reset(token)


_event: TimelineWriter[SipProcess, SipEvent] = TimelineWriter(
    events=SipEvent,
    owner_field="process",
    person_of=lambda process: process.person,
    now=_now,
)


def _bump(process: SipProcess, *fields: str) -> None:
    process.version += 1
    process.save(update_fields=[*fields, "version"])


def _editable(acting: Acting, process: SipProcess) -> None:
    access.require_visible(acting, process)
    access.require_open(process)


def _refresh_status(process: SipProcess) -> None:
    status = rules.derive_status(
        closed=process.closed_at is not None,
        has_version=process.versions.exists(),
        has_follow_up_meeting=process.meetings.filter(
            kind__in=[MeetingKind.FOLLOW_UP, MeetingKind.EVALUATION], cancelled_at__isnull=True
        ).exists(),
    )
    if status != process.status:
        process.status = ProcessStatus(status.value)
        _bump(process, "status")


def _new_id() -> str:
    return uuid.uuid4().hex[:10]


def _one_open_sip(person: Person) -> None:
    if SipProcess.objects.filter(person=person).exclude(status=ProcessStatus.CLOSED).exists():
        raise DomainError(
            _("Personen har redan en pågående SIP. Följ upp den i stället för att starta en ny.")
        )


def _require_care_role(acting: Acting) -> None:
    if acting.role not in discharge_access.CARE_ROLES:
        raise NotAllowed(_("Din roll kan inte arbeta med SIP."))


def _create_process(
    *,
    acting: Acting,
    person: Person,
    reason: str,
    need_level: str = "",
    origin_stay: InpatientStay | None = None,
) -> SipProcess:
    if need_level and need_level not in NeedLevel.values:
        raise DomainError(_("Okänd behovsnivå."))
    now = _now()
    process = SipProcess.objects.create(
        person=person,
        started_by_unit=acting.unit,
        started_by=acting.user,
        started_at=now,
        origin_stay=origin_stay,
        agreement=agreement_record_for(now),
        reason=reason.strip(),
        need_level=need_level,
    )
    PlanDraft.objects.create(process=process, content=PlanContent().as_json(), revision=0)
    return process


def _add_unit_participant(
    process: SipProcess, unit: Unit, acting: Acting, *, has_mandate: bool = False
) -> SipParticipant:
    return SipParticipant.objects.create(
        process=process,
        kind=ParticipantKind.UNIT,
        unit=unit,
        has_mandate=has_mandate,
        phone=unit.phone,
        email=unit.email,
        added_at=_now(),
        added_by=acting.user,
    )


# --- Start ------------------------------------------------------------------------------------


@transaction.atomic
def sip_start(
    *,
    acting: Acting,
    person: Person,
    reason: str = "",
    need_level: str = "",
    has_mandate: bool = False,
) -> SipProcess:
    """Start a SIP process outside hospital. Any unit can: the acting unit becomes the first
    participant and the process's home organisation (which sees it before consent)."""
    _require_care_role(acting)
    if not access.may_start_outside_hospital(acting):
        raise NotAllowed(_("En vårdavdelning fortsätter sitt utskrivningsärende som SIP."))
    _one_open_sip(person)
    process = _create_process(acting=acting, person=person, reason=reason, need_level=need_level)
    participant = _add_unit_participant(process, acting.unit, acting, has_mandate=has_mandate)
    _event(process, SipEventKind.STARTED, acting, acting.unit.name, obj=process)
    _event(
        process,
        SipEventKind.PARTICIPANT_ADDED,
        acting,
        participant.display_name,
        obj=participant,
        participant=participant.pk,
    )
    return process


@transaction.atomic
def sip_start_from_stay(*, acting: Acting, stay: InpatientStay, reason: str = "") -> SipProcess:
    """Continue a discharge case as a SIP process: the case's active parties become participant
    units, and its latest SIP kallelse (not withdrawn), if any, becomes the first meeting with
    the units it was sent to as invitees. The acting unit must be a party to the case."""
    _require_care_role(acting)
    parties = list(
        stay.parties.filter(status=PartyStatus.ACTIVE).select_related("unit").order_by("pk")
    )
    if acting.unit.pk not in {p.unit_id for p in parties}:
        raise NotAllowed(_("Din enhet är inte part i vårdtillfället."))
    if stay.sips.exists():
        raise DomainError(_("Det finns redan en SIP från det här vårdtillfället."))
    _one_open_sip(stay.person)
    process = _create_process(acting=acting, person=stay.person, reason=reason, origin_stay=stay)
    participants: dict[int, SipParticipant] = {}
    for unit in [acting.unit, *(p.unit for p in parties)]:
        if unit.pk not in participants:
            participants[unit.pk] = _add_unit_participant(process, unit, acting)
    _event(
        process,
        SipEventKind.STARTED_FROM_STAY,
        acting,
        f"{stay.ward.name}, {timezone.localtime(stay.admitted_at):%Y-%m-%d}",
        obj=process,
        stay=str(stay.public_id),
        participants=[p.pk for p in participants.values()],
    )
    _carry_person_statements(process, stay, acting)
    invitation = (
        stay.messages.filter(kind=MessageKind.SIP_INVITATION, withdrawn_at__isnull=True)
        .select_related("sender", "sender_unit")
        .prefetch_related("recipients")
        .order_by("-sent_at", "-pk")
        .first()
    )
    if invitation is not None:
        meeting = SipMeeting.objects.create(
            process=process,
            kind=MeetingKind.FIRST,
            meeting_at=datetime.fromisoformat(invitation.payload["meeting_at"]),
            place_kind=invitation.payload.get("place_kind", ""),
            location=invitation.payload.get("location", ""),
            message=invitation.body,
            invitation_sent_at=invitation.sent_at,
            invited_by=invitation.sender,
            invited_by_unit=invitation.sender_unit,
            from_stay_message=invitation,
        )
        invited_units = {r.unit_id for r in invitation.recipients.all()} | {
            invitation.sender_unit_id
        }
        meeting.invitees.set([p for u, p in participants.items() if u in invited_units])
        _event(
            process,
            SipEventKind.MEETING_INVITED,
            acting,
            _("Kallelse från vårdtillfället: %(at)s")
            % {"at": f"{timezone.localtime(meeting.meeting_at):%Y-%m-%d %H:%M}"},
            obj=meeting,
            meeting=meeting.pk,
        )
    return process


_STATEMENT_KINDS = {
    StatementKind.IMPORTANT: PreparationKind.QUESTION,
    StatementKind.MEETING_WISH: PreparationKind.WISH,
}


def _carry_person_statements(process: SipProcess, stay: InpatientStay, acting: Acting) -> None:
    """What the person (or a representative) wrote in Min plan during the stay becomes the
    SIP's preparation, as written by them (not by staff): staff see it when preparing, and the
    plan editor proposes "vad är viktigt för mig" as sub-goals."""
    statements = list(stay.person_statements.order_by("written_at", "pk"))
    if not statements:
        return
    PreparationEntry.objects.bulk_create(
        PreparationEntry(
            process=process,
            kind=_STATEMENT_KINDS[StatementKind(s.kind)],
            text=s.text,
            place_kind=s.place_kind,
            author_kind=AuthorKind(s.author_kind),
            author_name=s.author_name,
            written_at=s.written_at,
        )
        for s in statements
    )
    _event(
        process,
        SipEventKind.PREPARATION_ADDED,
        acting,
        ngettext(
            "Från vårdtillfället: %(count)d text som personen skrev i Min plan",
            "Från vårdtillfället: %(count)d texter som personen skrev i Min plan",
            len(statements),
        )
        % {"count": len(statements)},
        from_stay=str(stay.public_id),
        statements=[s.pk for s in statements],
    )


# --- Consent ----------------------------------------------------------------------------------


def _consent_event(
    *,
    acting: Acting,
    process: SipProcess,
    given: bool,
    giver: str,
    giver_name: str,
    form: str,
    scope: str,
    on: date | None,
    note: str,
) -> ConsentEvent:
    _editable(acting, process)
    if giver not in ConsentGiver.values:
        raise DomainError(_("Ange vem som lämnar samtycket."))
    if form not in ConsentForm.values:
        raise DomainError(_("Ange om samtycket är muntligt eller skriftligt."))
    if giver != ConsentGiver.PERSON and not giver_name.strip():
        raise DomainError(_("Ange namnet på vårdnadshavaren eller företrädaren."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError(_("Datumet kan inte ligga i framtiden."))
    return ConsentEvent.objects.create(
        process=process,
        given=given,
        giver=giver,
        giver_name=giver_name.strip(),
        form=form,
        scope=scope.strip(),
        on=on,
        note=note.strip(),
        recorded_by=acting.user,
        recorded_unit=acting.unit,
        recorded_at=_now(),
    )


@transaction.atomic
def consent_give(
    *,
    acting: Acting,
    process: SipProcess,
    giver: str,
    form: str,
    giver_name: str = "",
    scope: str = "",
    on: date | None = None,
    note: str = "",
) -> ConsentEvent:
    """Record consent: who gave it (the person, a guardian, a representative), oral or written,
    its scope and date. For a child, each guardian's consent is recorded separately, and the
    child's own view with :func:`preparation_add` (kind ``child_view``)."""
    event = _consent_event(
        acting=acting,
        process=process,
        given=True,
        giver=giver,
        giver_name=giver_name,
        form=form,
        scope=scope,
        on=on,
        note=note,
    )
    _event(
        process,
        SipEventKind.CONSENT_GIVEN,
        acting,
        f"{event.get_giver_display()} {event.giver_name}".strip(),
        obj=event,
    )
    return event


@transaction.atomic
def consent_withdraw(
    *,
    acting: Acting,
    process: SipProcess,
    giver: str,
    form: str,
    reason: str,
    giver_name: str = "",
    on: date | None = None,
) -> ConsentEvent:
    """Record a withdrawal. From this moment other organisations' units no longer see the
    process (access checks consent on every request)."""
    if not reason.strip():
        raise DomainError(_("Ange vad personen har sagt, t.ex. vad återkallelsen gäller."))
    event = _consent_event(
        acting=acting,
        process=process,
        given=False,
        giver=giver,
        giver_name=giver_name,
        form=form,
        scope="",
        on=on,
        note=reason,
    )
    _event(
        process,
        SipEventKind.CONSENT_WITHDRAWN,
        acting,
        f"{event.get_giver_display()} {event.giver_name}: {event.note}",
        obj=event,
    )
    return event


# --- Participants, need level, lead, preparation ----------------------------------------------


@transaction.atomic
def participant_add(
    *,
    acting: Acting,
    process: SipProcess,
    kind: str,
    unit: Unit | None = None,
    name: str = "",
    title: str = "",
    organisation: str = "",
    external_kind: str = "",
    has_mandate: bool = False,
    phone: str = "",
    email: str = "",
) -> SipParticipant:
    """Add a unit, a named staff member of a unit, a relative, or an external actor (school,
    Försäkringskassan, Arbetsförmedlingen, other) entered as free text.

    Anyone outside the home organisation – units of other organisations, relatives, external
    actors – can only be added with valid consent: adding them shares the person's data."""
    _editable(acting, process)
    if kind not in ParticipantKind.values:
        raise DomainError(_("Ange vilken sorts deltagare det är."))
    name, title, organisation = name.strip(), title.strip(), organisation.strip()
    if kind in (ParticipantKind.UNIT, ParticipantKind.STAFF):
        if unit is None or not unit.is_active:
            raise DomainError(_("Välj en enhet."))
        if kind == ParticipantKind.STAFF and not name:
            raise DomainError(_("Ange medarbetarens namn."))
        if (
            kind == ParticipantKind.UNIT
            and process.participants.filter(
                kind=ParticipantKind.UNIT, unit=unit, removed_at__isnull=True
            ).exists()
        ):
            raise DomainError(_("Enheten deltar redan."))
        organisation = unit.organisation.name
        external_kind = ""
    else:
        unit = None
        if kind == ParticipantKind.RELATIVE and not name:
            raise DomainError(_("Ange den närståendes namn."))
        if kind == ParticipantKind.EXTERNAL:
            if not (name or organisation):
                raise DomainError(_("Ange namn eller organisation."))
            if external_kind not in ExternalKind.values:
                raise DomainError(_("Ange vilken sorts aktör det är."))
        else:
            external_kind = ""
    home = unit is not None and access.is_home_unit(process, unit)
    if not home:
        access.require_consent(
            process, _("Att lägga till deltagare utanför den egna organisationen")
        )
    participant = SipParticipant.objects.create(
        process=process,
        kind=kind,
        unit=unit,
        name=name,
        title=title,
        organisation=organisation,
        external_kind=external_kind,
        has_mandate=has_mandate,
        phone=phone.strip() or (unit.phone if unit and kind == ParticipantKind.UNIT else ""),
        email=email.strip() or (unit.email if unit and kind == ParticipantKind.UNIT else ""),
        added_at=_now(),
        added_by=acting.user,
    )
    _event(
        process,
        SipEventKind.PARTICIPANT_ADDED,
        acting,
        participant.display_name,
        obj=participant,
        participant=participant.pk,
    )
    return participant


def _own_participant(process: SipProcess, participant: SipParticipant) -> None:
    if participant.process_id != process.pk:
        raise DomainError(_("Deltagaren hör inte till den här SIP:en."))


@transaction.atomic
def participant_remove(
    *, acting: Acting, process: SipProcess, participant: SipParticipant, reason: str
) -> SipParticipant:
    """A participant leaves (never deleted): recorded with who, when and why."""
    _editable(acting, process)
    _own_participant(process, participant)
    if not participant.is_active:
        raise DomainError(_("Deltagaren är redan borttagen."))
    if not reason.strip():
        raise DomainError(_("Ange varför deltagaren tas bort."))
    if (
        participant.unit_id is not None
        and participant.unit_id == process.lead_unit_id
        and not process.participants.filter(
            unit_id=participant.unit_id, removed_at__isnull=True, kind__in=access.SEEING_KINDS
        )
        .exclude(pk=participant.pk)
        .exists()
    ):
        raise DomainError(
            _("Enheten har det övergripande ansvaret. Bestäm en annan ansvarig enhet först.")
        )
    participant.removed_at = _now()
    participant.removed_by = acting.user
    participant.removed_reason = reason.strip()
    participant.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    _event(
        process,
        SipEventKind.PARTICIPANT_REMOVED,
        acting,
        f"{participant.display_name}: {participant.removed_reason}",
        obj=participant,
        created=False,
        participant=participant.pk,
    )
    return participant


@transaction.atomic
def participant_set_mandate(
    *, acting: Acting, process: SipProcess, participant: SipParticipant, has_mandate: bool
) -> SipParticipant:
    """Whether the participant may decide on insatser for their organisation."""
    _editable(acting, process)
    _own_participant(process, participant)
    if not participant.is_active:
        raise DomainError(_("Deltagaren är borttagen."))
    if participant.has_mandate == has_mandate:
        return participant
    participant.has_mandate = has_mandate
    participant.save(update_fields=["has_mandate"])
    _event(
        process,
        SipEventKind.MANDATE_CHANGED,
        acting,
        f"{participant.display_name}: " + (_("har mandat") if has_mandate else _("saknar mandat")),
        obj=participant,
        created=False,
        participant=participant.pk,
        has_mandate=has_mandate,
    )
    return participant


@transaction.atomic
def need_level_set(
    *, acting: Acting, process: SipProcess, level: str, reason: str = ""
) -> SipProcess:
    """Behovsstyrd SIP: no SIP / internal coordination / short SIP / SIP over time."""
    _editable(acting, process)
    if level not in NeedLevel.values:
        raise DomainError(_("Okänd behovsnivå."))
    previous = process.need_level
    process.need_level = level
    _bump(process, "need_level")
    _event(
        process,
        SipEventKind.NEED_LEVEL_SET,
        acting,
        f"{NeedLevel(level).label}. {reason.strip()}".strip(),
        created=False,
        previous=previous,
        level=level,
    )
    return process


def _participant_units(process: SipProcess) -> dict[int, Unit]:
    participants = process.participants.filter(
        removed_at__isnull=True, kind__in=access.SEEING_KINDS
    ).select_related("unit__organisation")
    return {p.unit.pk: p.unit for p in participants if p.unit is not None}


def _unit_label(unit: Unit) -> str:
    return f"{unit.name}, {unit.organisation.name}"


_ORGANISATION_KINDS = {
    OrganisationKind.REGION: PlanOrganisationKind.REGION,
    OrganisationKind.MUNICIPALITY: PlanOrganisationKind.MUNICIPALITY,
    # A private provider in the directory works under contract with the region (SPEC §2).
    OrganisationKind.PRIVATE_PROVIDER: PlanOrganisationKind.REGION,
}


def _normalised(process: SipProcess, content: PlanContent | Mapping[str, Any]) -> PlanContent:
    """Validated content with ids given, and names filled in from the participant units that
    actions and the overall responsibility point at."""
    try:
        plan = (
            content
            if isinstance(content, PlanContent)
            else PlanContent.model_validate(dict(content))
        )
    except ValidationError as error:
        details = " ".join(plan_error_texts(error))
        raise DomainError(_("Planen kan inte sparas. %(details)s") % {"details": details}) from None
    plan = with_ids(plan, _new_id)
    units = _participant_units(process)
    actions = []
    for action in plan.actions:
        if action.unit_id is None:
            actions.append(action)
            continue
        unit = units.get(action.unit_id)
        if unit is None:
            raise DomainError(
                _("Insatsen ”%(what)s” pekar på en enhet som inte deltar.") % {"what": action.what}
            )
        actions.append(
            action.model_copy(
                update={
                    "organisation": _unit_label(unit),
                    "organisation_kind": _ORGANISATION_KINDS[
                        OrganisationKind(unit.organisation.kind)
                    ],
                }
            )
        )
    lead = ""
    if plan.lead_unit_id is not None:
        unit = units.get(plan.lead_unit_id)
        if unit is None:
            raise DomainError(_("Den ansvariga enheten måste delta i SIP:en."))
        lead = _unit_label(unit)
    return plan.model_copy(update={"actions": tuple(actions), "lead_organisation": lead})


_DRAFTS = DraftStore(
    holder=PlanDraft,
    holder_key="process",
    prefix="",
    revisions=PlanDraftRevision,
    revision_owner="process",
    content=PlanContent,
    diff=plan_diff,
    conflict=PlanConflict,
    stores_revision_zero=False,
)
"""The SIP's draft: a :class:`PlanDraft` row of its own per process, starting empty."""


def _write_draft(
    *, acting: Acting, process: SipProcess, plan: PlanContent, base_revision: int
) -> PlanDraft:
    _DRAFTS.write(process, plan, base_revision=base_revision, acting=acting, at=_now())
    if plan.lead_unit_id != process.lead_unit_id:
        process.lead_unit_id = plan.lead_unit_id
        _bump(process, "lead_unit")
    return _DRAFTS.current(process)


@transaction.atomic
def plan_draft_save(
    *,
    acting: Acting,
    process: SipProcess,
    content: PlanContent | Mapping[str, Any],
    base_revision: int,
) -> PlanDraft:
    """Save the working draft, based on the revision the writer opened.

    If someone saved since ``base_revision``, nothing is written and :class:`PlanConflict`
    tells who and what changed; the writer's content travels in it. Every saved revision is
    kept (:class:`PlanDraftRevision`)."""
    _editable(acting, process)
    plan = _normalised(process, content)
    base = _DRAFTS.revision_content(process, base_revision)
    draft = _write_draft(acting=acting, process=process, plan=plan, base_revision=base_revision)
    changes = plan_diff(base, plan)
    _event(
        process,
        SipEventKind.DRAFT_SAVED,
        acting,
        " ".join(c.text for c in changes) or _("Inga ändringar."),
        obj=draft,
        created=False,
        revision=draft.revision,
    )
    lead_change = next((c for c in changes if c.kind == "lead"), None)
    if lead_change is not None:
        _event(process, SipEventKind.LEAD_UNIT_SET, acting, lead_change.text, created=False)
    return draft


@transaction.atomic
def lead_unit_set(*, acting: Acting, process: SipProcess, unit: Unit) -> PlanDraft:
    """Name the unit (and so the organisation) with overall responsibility for the plan. It is a
    change of the draft (the plan must state it), applied on the current revision."""
    _editable(acting, process)
    draft = _DRAFTS.locked(process)
    current = PlanContent.model_validate(draft.content)
    return plan_draft_save(
        acting=acting,
        process=process,
        content=current.model_copy(update={"lead_unit_id": unit.pk}),
        base_revision=draft.revision,
    )


@transaction.atomic
def preparation_add(
    *,
    acting: Acting,
    process: SipProcess,
    kind: str,
    text: str,
    place_kind: str = "",
    author_kind: str = AuthorKind.STAFF,
    author_name: str = "",
) -> PreparationEntry:
    """Kartläggning note, question for the meeting, the person's wish for time and place, or
    a child's own view. Staff may record what the person or a relative said (``author_kind``)."""
    _editable(acting, process)
    if kind not in PreparationKind.values:
        raise DomainError(_("Okänd typ av förberedelse."))
    if author_kind not in AuthorKind.values:
        raise DomainError(_("Ange vem som står för texten."))
    if not text.strip():
        raise DomainError(_("Skriv en text."))
    if place_kind and place_kind not in MEETING_PLACES:
        raise DomainError(_("Okänd plats."))
    entry = PreparationEntry.objects.create(
        process=process,
        kind=kind,
        text=text.strip(),
        place_kind=place_kind,
        author_kind=author_kind,
        author_name=author_name.strip() or acting.user.get_full_name(),
        recorded_by=acting.user,
        unit=acting.unit,
        written_at=_now(),
    )
    _event(
        process,
        SipEventKind.PREPARATION_ADDED,
        acting,
        str(entry.get_kind_display()),
        obj=entry,
        preparation_kind=kind,
    )
    return entry


# --- Meetings ---------------------------------------------------------------------------------


def _latest_version(process: SipProcess) -> PlanVersion | None:
    return process.versions.order_by("-number").first()


def _needs_consent(process: SipProcess, participants: Iterable[SipParticipant]) -> bool:
    """Whether sharing with these participants needs consent: anyone but home units."""
    return any(
        not (
            p.kind in access.SEEING_KINDS
            and p.unit is not None
            and access.is_home_unit(process, p.unit)
        )
        for p in participants
    )


@transaction.atomic
def meeting_invite(
    *,
    acting: Acting,
    process: SipProcess,
    kind: str,
    meeting_at: datetime,
    place_kind: str,
    location: str,
    invitees: Iterable[SipParticipant],
    message: str = "",
) -> SipMeeting:
    """Kallelse: time and place best for the person (home, hospital, unit, video link), and the
    participants invited. When the transaction commits, the invited units and staff get an
    e-mail with the iCalendar file (:func:`samplan.sip.documents.invitation_email_send`); the
    letter to the person is downloaded from the SIP page. A follow-up or evaluation meeting
    needs an established plan. Inviting anyone outside the home organisation needs valid
    consent."""
    _editable(acting, process)
    if kind not in MeetingKind.values:
        raise DomainError(_("Ange vilket slags möte det är."))
    if kind != MeetingKind.FIRST and _latest_version(process) is None:
        raise DomainError(_("Uppföljning och utvärdering kräver en fastställd plan."))
    if meeting_at <= _now():
        raise DomainError(_("Mötet måste ligga i framtiden."))
    if place_kind not in MEETING_PLACES:
        raise DomainError(_("Välj var mötet hålls."))
    refusal = location_refusal(
        place_kind=place_kind,
        location=location,
        protected_identity=process.person.protected_identity,
    )
    if refusal:
        raise DomainError(refusal)
    invited = list(dict.fromkeys(invitees))
    if not invited:
        raise DomainError(_("Välj minst en deltagare att kalla."))
    for participant in invited:
        _own_participant(process, participant)
        if not participant.is_active:
            raise DomainError(
                _("%(name)s deltar inte längre.") % {"name": participant.display_name}
            )
    if _needs_consent(process, invited):
        access.require_consent(process, _("Att kalla deltagare utanför den egna organisationen"))
    case_kallelse = (
        _case_kallelse(acting, process, meeting_at, place_kind, location, invited, message)
        if kind == MeetingKind.FIRST
        else None
    )
    meeting = SipMeeting.objects.create(
        process=process,
        kind=kind,
        meeting_at=meeting_at,
        place_kind=place_kind,
        location=location.strip(),
        message=message.strip(),
        invitation_sent_at=case_kallelse.sent_at if case_kallelse else _now(),
        invited_by=acting.user,
        invited_by_unit=acting.unit,
        from_stay_message=case_kallelse,
    )
    MeetingInvitee.objects.bulk_create(
        MeetingInvitee(meeting=meeting, participant=p) for p in invited
    )
    summary = (
        f"{meeting.get_kind_display()} {timezone.localtime(meeting_at):%Y-%m-%d %H:%M}, "
        f"{MEETING_PLACES[place_kind]}"
    )
    linked: dict[str, Any] = {}
    if case_kallelse is not None:
        summary = _("%(meeting)s. Även kallelse till SIP i utskrivningsärendet.") % {
            "meeting": summary
        }
        linked["stay_message"] = case_kallelse.pk
    _event(
        process,
        SipEventKind.MEETING_INVITED,
        acting,
        summary,
        obj=meeting,
        meeting=meeting.pk,
        **linked,
    )
    _refresh_status(process)
    transaction.on_commit(
        functools.partial(documents.invitation_email_send, acting=acting, meeting_id=meeting.pk),
        robust=True,
    )
    return meeting


def _case_kallelse(
    acting: Acting,
    process: SipProcess,
    meeting_at: datetime,
    place_kind: str,
    location: str,
    invited: list[SipParticipant],
    message: str,
) -> Message | None:
    """The first meeting of a SIP continued from a discharge case is that case's kallelse till
    SIP (4:1, 4:3) when the case has none yet and the acting unit is the one that sends it (the
    FVK's, :func:`samplan.discharge.services.sip_invitation_owed`). It is recorded through the
    discharge service, in this transaction, at this moment, to the case's units among the
    invited (a SIP participant that is no party to the case does not become one): the case's
    timeline, its obligation, the 5:3 preconditions and the deadline compliance then read it as
    any kallelse. The meeting keeps it (``from_stay_message``), as a SIP started from a case that
    already had one does, so there is one kallelse and one calendar UID (Min plan shows the
    meeting once). ``None`` when the case does not wait for a kallelse from this unit, or none
    of its units is invited."""
    stay = process.origin_stay
    if stay is None or not discharge_services.sip_invitation_owed(acting=acting, stay=stay):
        return None
    parties = {p.unit_id for p in stay.parties.all() if p.status == PartyStatus.ACTIVE}
    units = [
        p.unit
        for p in invited
        if p.unit is not None and p.unit_id in parties and p.unit_id != acting.unit.pk
    ]
    if not units:
        return None
    return discharge_services.sip_invitation_send(
        acting=acting,
        stay=stay,
        meeting_at=meeting_at,
        place_kind=place_kind,
        location=location,
        invitees=units,
        body=message.strip(),
    )


def follow_up_schedule(
    *,
    acting: Acting,
    process: SipProcess,
    meeting_at: datetime,
    place_kind: str,
    location: str,
    invitees: Iterable[SipParticipant],
    message: str = "",
    evaluation: bool = False,
) -> SipMeeting:
    """Call a follow-up meeting (or with ``evaluation`` an evaluation meeting): a continuously
    ongoing SIP has recurring check-ins."""
    return meeting_invite(
        acting=acting,
        process=process,
        kind=MeetingKind.EVALUATION if evaluation else MeetingKind.FOLLOW_UP,
        meeting_at=meeting_at,
        place_kind=place_kind,
        location=location,
        invitees=invitees,
        message=message,
    )


def _cancel(acting: Acting, process: SipProcess, meeting: SipMeeting, reason: str) -> None:
    """Record a meeting as cancelled (its event and access-log entry) and e-mail the invited
    staff the cancellation, with its iCalendar CANCEL, when the transaction commits."""
    meeting.cancelled_at = _now()
    meeting.cancelled_reason = reason[:300]
    meeting.save(update_fields=["cancelled_at", "cancelled_reason"])
    _event(
        process,
        SipEventKind.MEETING_CANCELLED,
        acting,
        f"{meeting}: {meeting.cancelled_reason}",
        obj=meeting,
        created=False,
        meeting=meeting.pk,
    )
    transaction.on_commit(
        functools.partial(documents.cancellation_email_send, acting=acting, meeting_id=meeting.pk),
        robust=True,
    )


@transaction.atomic
def meeting_cancel(
    *, acting: Acting, process: SipProcess, meeting: SipMeeting, reason: str
) -> SipMeeting:
    _editable(acting, process)
    if meeting.process_id != process.pk:
        raise DomainError(_("Mötet hör inte till den här SIP:en."))
    if meeting.is_cancelled:
        raise DomainError(_("Mötet är redan inställt."))
    if meeting.minutes.exists():
        raise DomainError(_("Mötet har protokoll och kan inte ställas in."))
    if not reason.strip():
        raise DomainError(_("Ange varför mötet ställs in."))
    _cancel(acting, process, meeting, reason.strip())
    _refresh_status(process)
    return meeting


@transaction.atomic
def minutes_record(
    *,
    acting: Acting,
    process: SipProcess,
    meeting: SipMeeting,
    text: str,
    attendees: Iterable[SipParticipant] = (),
    person_present: bool = False,
    decisions: str = "",
    next_follow_up_on: date | None = None,
    next_follow_up_by: str = "",
) -> MeetingMinutes:
    """Protokoll of a held meeting: attendance, minutes, decisions. A correction is recorded
    as new minutes; the latest counts.

    At a follow-up or evaluation meeting the next check-in is set here: when the SIP is next
    followed up and who does it (continuous SIP; :func:`samplan.sip.rules.next_check_in`). At
    the first meeting the plan states its follow-up."""
    _editable(acting, process)
    if meeting.process_id != process.pk:
        raise DomainError(_("Mötet hör inte till den här SIP:en."))
    if meeting.is_cancelled:
        raise DomainError(_("Mötet är inställt."))
    if meeting.meeting_at > _now():
        raise DomainError(_("Protokoll kan föras först när mötet har börjat."))
    if not text.strip():
        raise DomainError(_("Skriv protokollet."))
    next_follow_up_by = next_follow_up_by.strip()
    if meeting.kind == MeetingKind.FIRST and (next_follow_up_on or next_follow_up_by):
        raise DomainError(_("Efter det första SIP-mötet anges uppföljningen i planen."))
    if next_follow_up_by and next_follow_up_on is None:
        raise DomainError(_("Ange datum för nästa uppföljning."))
    if next_follow_up_on is not None and next_follow_up_on <= timezone.localdate(
        meeting.meeting_at
    ):
        raise DomainError(_("Nästa uppföljning måste ligga efter mötet."))
    present = list(dict.fromkeys(attendees))
    for participant in present:
        _own_participant(process, participant)
    minutes = MeetingMinutes.objects.create(
        meeting=meeting,
        person_present=person_present,
        text=text.strip(),
        decisions=decisions.strip(),
        next_follow_up_on=next_follow_up_on,
        next_follow_up_by=next_follow_up_by,
        recorded_by=acting.user,
        recorded_unit=acting.unit,
        recorded_at=_now(),
    )
    MeetingAttendee.objects.bulk_create(
        MeetingAttendee(minutes=minutes, participant=p) for p in present
    )
    summary = str(meeting)
    if next_follow_up_on is not None:
        summary += ". " + _("Nästa uppföljning %(on)s%(by)s.") % {
            "on": next_follow_up_on.isoformat(),
            "by": f", {next_follow_up_by}" if next_follow_up_by else "",
        }
    _event(
        process,
        SipEventKind.MINUTES_RECORDED,
        acting,
        summary,
        obj=minutes,
        meeting=meeting.pk,
        attendees=[p.pk for p in present],
        next_follow_up_on=next_follow_up_on.isoformat() if next_follow_up_on else None,
    )
    return minutes


# --- Establishing, progress, evaluation, closure ----------------------------------------------


def _required_approvers(process: SipProcess, meeting: SipMeeting | None) -> list[SipParticipant]:
    mandated = list(
        process.participants.filter(removed_at__isnull=True, has_mandate=True)
        .exclude(kind=ParticipantKind.RELATIVE)
        .select_related("unit")
    )
    minutes = meeting.minutes.order_by("-recorded_at", "-pk").first() if meeting else None
    if minutes is None:
        return mandated
    present = set(minutes.attendees.values_list("pk", flat=True))
    return [p for p in mandated if p.pk in present]


@transaction.atomic
def plan_establish(
    *,
    acting: Acting,
    process: SipProcess,
    base_revision: int,
    approved_by: Iterable[SipParticipant],
    person_agreed: bool,
    meeting: SipMeeting | None = None,
) -> PlanVersion:
    """Establish the draft (at ``base_revision``, the revision the participants approved) as a
    new immutable version. See the module docstring for the approval rule. Raises
    :class:`PlanConflict` if the draft changed since ``base_revision``."""
    _editable(acting, process)
    access.require_consent(process, _("Att fastställa planen"))
    draft = _DRAFTS.locked(process)
    if draft.revision != base_revision:
        raise _DRAFTS.conflict_with(process, base_revision, None)
    content = PlanContent.model_validate(draft.content)
    problems = plan_problems(content)
    if problems:
        raise DomainError(" ".join(problems))
    if meeting is not None and meeting.process_id != process.pk:
        raise DomainError(_("Mötet hör inte till den här SIP:en."))
    approvers = list(dict.fromkeys(approved_by))
    for participant in approvers:
        _own_participant(process, participant)
        if not participant.is_active:
            raise DomainError(
                _("%(name)s deltar inte längre.") % {"name": participant.display_name}
            )
    required = _required_approvers(process, meeting)
    missing = rules.approval_missing(
        [(p.pk, p.display_name) for p in required],
        [p.pk for p in approvers],
        person_agreed=person_agreed,
    )
    if not any(p.has_mandate for p in approvers):
        missing.append(_("Minst en deltagare med mandat måste godkänna planen."))
    if missing:
        raise DomainError(" ".join(missing))
    previous = _latest_version(process)
    version = PlanVersion.objects.create(
        process=process,
        number=(previous.number + 1) if previous else 1,
        content=draft.content,
        draft_revision=draft.revision,
        meeting=meeting,
        person_agreed=person_agreed,
        established_at=_now(),
        established_by=acting.user,
        established_unit=acting.unit,
    )
    PlanApproval.objects.bulk_create(
        PlanApproval(version=version, participant=p) for p in approvers
    )
    changes = plan_diff(PlanContent.model_validate(previous.content) if previous else None, content)
    _event(
        process,
        SipEventKind.PLAN_ESTABLISHED,
        acting,
        _("Version %(n)s") % {"n": version.number},
        obj=version,
        version=version.number,
        changes=[c.text for c in changes],
        approved_by=[p.pk for p in approvers],
    )
    _refresh_status(process)
    return version


@transaction.atomic
def action_progress_record(
    *, acting: Acting, process: SipProcess, action_id: str, status: str, note: str = ""
) -> ActionProgress:
    """An established action's new status (planned, ongoing, done, cancelled), as an event
    keyed by the action's id; the established version itself never changes."""
    _editable(acting, process)
    version = _latest_version(process)
    if version is None:
        raise DomainError(_("Det finns ingen fastställd plan."))
    action = PlanContent.model_validate(version.content).action(action_id)
    if action is None:
        raise DomainError(_("Insatsen finns inte i den fastställda planen."))
    if status not in {s.value for s in ActionStatus}:
        raise DomainError(_("Okänd status."))
    progress = ActionProgress.objects.create(
        process=process,
        version=version,
        action_id=action_id,
        status=status,
        note=note.strip(),
        at=_now(),
        recorded_by=acting.user,
        unit=acting.unit,
    )
    _event(
        process,
        SipEventKind.ACTION_PROGRESS,
        acting,
        f"{action.what}: {ACTION_STATUS_LABELS[ActionStatus(status)]}",
        obj=progress,
        action_id=action_id,
        status=status,
    )
    return progress


@transaction.atomic
def evaluation_record(
    *,
    acting: Acting,
    process: SipProcess,
    summary: str,
    outcomes: Mapping[str, str] | None = None,
    meeting: SipMeeting | None = None,
) -> Evaluation:
    """Utvärdering of the latest established plan: a summary and, per goal id, reached /
    partly / not reached."""
    _editable(acting, process)
    version = _latest_version(process)
    if version is None:
        raise DomainError(_("Det finns ingen fastställd plan att utvärdera."))
    if not summary.strip():
        raise DomainError(_("Skriv en sammanfattning av utvärderingen."))
    goal_ids = {g.id for g in PlanContent.model_validate(version.content).goals}
    outcomes = dict(outcomes or {})
    for goal_id, outcome in outcomes.items():
        if goal_id not in goal_ids:
            raise DomainError(_("Delmålet finns inte i den fastställda planen."))
        if outcome not in GoalOutcome.values:
            raise DomainError(_("Okänt utfall."))
    if meeting is not None and meeting.process_id != process.pk:
        raise DomainError(_("Mötet hör inte till den här SIP:en."))
    evaluation = Evaluation.objects.create(
        process=process,
        version=version,
        meeting=meeting,
        summary=summary.strip(),
        outcomes=outcomes,
        recorded_by=acting.user,
        unit=acting.unit,
        recorded_at=_now(),
    )
    _event(process, SipEventKind.EVALUATED, acting, evaluation.summary[:200], obj=evaluation)
    return evaluation


@transaction.atomic
def sip_close(*, acting: Acting, process: SipProcess, reason: str, note: str = "") -> SipProcess:
    """Avslut with a reason, by the unit with overall responsibility (or, while none is named,
    the unit that started the process). Everything stays readable.

    Every meeting still ahead is cancelled in the same transaction, each with its own event, so
    no follow-up of a closed SIP stays in anyone's calendar: the invited staff get the
    cancellation (iCalendar CANCEL) by e-mail on commit, and the person no longer sees the
    meeting in Min plan."""
    # Who acts first (403), then the process's state (409), as every step of the case.
    access.require_visible(acting, process)
    if not access.may_lead_or_start(acting, process):
        raise NotAllowed(_("SIP:en avslutas av enheten med det övergripande ansvaret."))
    access.require_open(process)
    if reason not in CloseReason.values:
        raise DomainError(_("Ange skälet till att SIP:en avslutas."))
    if reason == CloseReason.OTHER and not note.strip():
        raise DomainError(_("Beskriv skälet."))
    ahead = process.meetings.filter(cancelled_at__isnull=True, meeting_at__gt=_now()).order_by(
        "meeting_at", "pk"
    )
    why = _("SIP:en är avslutad (%(reason)s).") % {"reason": CloseReason(reason).label}
    for meeting in ahead:
        _cancel(acting, process, meeting, why)
    process.closed_at = _now()
    process.close_reason = reason
    process.close_note = note.strip()
    process.status = ProcessStatus.CLOSED
    _bump(process, "closed_at", "close_reason", "close_note", "status")
    _event(
        process,
        SipEventKind.CLOSED,
        acting,
        f"{CloseReason(reason).label}. {process.close_note}".strip(),
        created=False,
        reason=reason,
    )
    return process
