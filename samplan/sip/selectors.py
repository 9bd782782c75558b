"""Reads for the SIP pages and API: the work list and the process overview, each in a constant
number of queries whatever the number of processes, participants, meetings or versions.

* :func:`worklist` – the acting unit's open SIP processes (those it may see now) with the work
  list flags, flagged and overdue first.
* :func:`process_overview` – everything the case page shows about one process.
* :func:`effective_plan` – the latest established version as it reads today (action progress
  applied).
* :func:`processes_of_person` – the person's SIP processes the acting unit may see (person page).
* :func:`process_of_stay` – the SIP continuing a discharge case, if the acting unit may see it.
* :func:`colour_guidance` – a discharge case's colour and SIP guidance (before and after start).
* :func:`plan_draft_read` – the working draft for the plan editor and the establish page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting
from samplan.core.drafts import successive_changes
from samplan.discharge import rules as discharge_rules
from samplan.discharge.facts import colour_view_of, timeline_of
from samplan.discharge.models import InpatientStay, Message, MessageKind
from samplan.people.models import Person
from samplan.sip import access, rules
from samplan.sip.models import (
    ActionProgress,
    ConsentEvent,
    Evaluation,
    MeetingMinutes,
    PlanApproval,
    PlanDraft,
    PlanDraftRevision,
    PlanVersion,
    PreparationEntry,
    PreparationKind,
    ProcessStatus,
    SipEvent,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.sip.plan import Change, PlanContent, apply_progress, plan_advice, plan_diff

__all__ = [
    "MeetingView",
    "ProcessOverview",
    "RevisionView",
    "SipWorkItem",
    "VersionView",
    "colour_guidance",
    "draft_history",
    "effective_plan",
    "establishing_advice",
    "latest_minutes",
    "min_plan_events",
    "plan_draft_read",
    "process_of_stay",
    "process_overview",
    "processes_of_person",
    "worklist",
]


def _participants_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "participants",
        queryset=SipParticipant.objects.select_related("unit__organisation").order_by(
            "added_at", "pk"
        ),
    )


def _versions_prefetch() -> Prefetch[Any]:
    return Prefetch("versions", queryset=PlanVersion.objects.order_by("number"))


def effective_plan(
    versions: Iterable[PlanVersion], progress: Iterable[ActionProgress]
) -> tuple[PlanVersion | None, PlanContent | None]:
    """The latest established version and its content with the progress recorded against that
    version applied (the version row itself never changes)."""
    latest = max(versions, key=lambda v: v.number, default=None)
    if latest is None:
        return None, None
    recorded = sorted(
        (p for p in progress if p.version_id == latest.pk), key=lambda p: (p.at, p.pk)
    )
    content = PlanContent.model_validate(latest.content)
    return latest, apply_progress(content, [(p.action_id, p.status) for p in recorded])


def _participant_facts(participants: Iterable[SipParticipant]) -> list[rules.ParticipantFact]:
    return [
        rules.ParticipantFact(
            kind=p.kind, name=p.display_name, has_mandate=p.has_mandate, unit_id=p.unit_id
        )
        for p in participants
        if p.is_active
    ]


def _origin_case_prefetches() -> list[str | Prefetch[Any]]:
    """The utskrivningsklar notices of the discharge case a process continues (not withdrawn),
    as ``origin_stay.ready_notices``, and the case's frozen agreement versions: read by
    :func:`_invitation_deadline`."""
    notices = Prefetch(
        "origin_stay__messages",
        queryset=Message.objects.filter(
            kind=MessageKind.READY_FOR_DISCHARGE, withdrawn_at__isnull=True
        ).order_by("sent_at", "pk"),
        to_attr="ready_notices",
    )
    return [notices, "origin_stay__agreement_versions__record"]


def _invitation_deadline(process: SipProcess) -> datetime | None:
    """For a SIP continuing a discharge case whose utskrivningsklar notice was sent: the
    kallelse deadline of 4:3 under the case's agreement (from the prefetched notices)."""
    stay = process.origin_stay
    if stay is None:
        return None
    notices = getattr(stay, "ready_notices", None)
    if notices is None:
        notices = list(
            stay.messages.filter(
                kind=MessageKind.READY_FOR_DISCHARGE, withdrawn_at__isnull=True
            ).order_by("sent_at", "pk")
        )
    if not notices:
        return None
    sent_at = notices[0].sent_at
    # The version in force when the notice was sent, as the case page judges it (SPEC §6).
    return discharge_rules.sip_invitation_due(sent_at, timeline_of(stay).version_at(sent_at))


def latest_minutes(meeting: SipMeeting) -> MeetingMinutes | None:
    """The minutes that count (a correction is newer minutes), from prefetched ``minutes``."""
    return max(meeting.minutes.all(), key=lambda m: (m.recorded_at, m.pk), default=None)


def _meeting_fact(meeting: SipMeeting) -> rules.MeetingFact:
    minutes = latest_minutes(meeting)
    return rules.MeetingFact(
        kind=meeting.kind,
        meeting_at=meeting.meeting_at,
        cancelled=meeting.is_cancelled,
        has_minutes=minutes is not None,
        next_follow_up_on=minutes.next_follow_up_on if minutes else None,
        next_follow_up_by=minutes.next_follow_up_by if minutes else "",
    )


def _facts(
    process: SipProcess,
    *,
    participants: list[SipParticipant],
    meetings: list[SipMeeting],
    versions: list[PlanVersion],
    progress: list[ActionProgress],
    last_activity_at: datetime | None,
) -> rules.SipFacts:
    latest, plan = effective_plan(versions, progress)
    return rules.SipFacts(
        started_at=process.started_at,
        invitation_deadline=_invitation_deadline(process),
        closed=not process.is_open,
        need_level=rules.NeedLevel(process.need_level) if process.need_level else None,
        meetings=[_meeting_fact(m) for m in meetings],
        established_at=min((v.established_at for v in versions), default=None),
        latest_established_at=latest.established_at if latest else None,
        plan=plan,
        participants_without_mandate=rules.participants_without_mandate(
            _participant_facts(participants)
        ),
        last_activity_at=last_activity_at,
        rules=agreement_of(process.agreement).sip,
    )


def establishing_advice(process: SipProcess, content: PlanContent) -> list[str]:
    """What good practice asks before ``content`` is established, without blocking it: the
    plan's gaps (:func:`samplan.sip.plan.plan_advice`) and active participants who cannot decide
    for their organisation (no mandate)."""
    advice = plan_advice(content)
    participants = process.participants.filter(removed_at__isnull=True).select_related("unit")
    missing = rules.participants_without_mandate(_participant_facts(participants))
    if missing:
        advice.append(
            _(
                "Deltagare utan mandat: %(names)s. Den som ska besluta om deras insatser "
                "behöver vara med eller godkänna planen."
            )
            % {"names": ", ".join(missing)}
        )
    return advice


def plan_draft_read(*, acting: Acting, process: SipProcess, detail: str) -> PlanDraft:
    """The working draft (the person's goals, needs, insatser), with who saved it last, for a
    page that shows it; a READ access-log entry saying which page (``detail``)."""
    draft = PlanDraft.objects.select_related("saved_by", "saved_unit").get(process=process)
    log_access(
        actor=acting.actor,
        person=process.person,
        action=AccessAction.READ,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=draft,
        detail=detail,
    )
    return draft


@dataclass(frozen=True)
class RevisionView:
    revision: PlanDraftRevision
    content: PlanContent
    changes: list[Change]
    """What this save changed from the revision before it (everything, for the first)."""


def draft_history(*, acting: Acting, process: SipProcess) -> list[RevisionView]:
    """Every saved revision of the draft, newest first, each with who saved it, when, and what
    it changed from the one before: also what a writer saved before someone saved their own
    version over it. One query whatever the number of revisions; a READ access-log entry."""
    revisions = list(
        PlanDraftRevision.objects.filter(process=process)
        .select_related("saved_by", "saved_unit")
        .order_by("revision")
    )
    log_access(
        actor=acting.actor,
        person=process.person,
        action=AccessAction.READ,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=process,
        detail="planutkastets historik",
    )
    views = successive_changes(revisions, _content, plan_diff)
    return [RevisionView(revision, content, changes) for revision, content, changes in views][::-1]


def _content(record: PlanDraftRevision | PlanVersion) -> PlanContent:
    return PlanContent.model_validate(record.content)


# --- Work list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SipWorkItem:
    process: SipProcess
    flags: list[rules.Flag]
    consent: rules.ConsentState
    is_lead: bool
    next_meeting: SipMeeting | None
    check_in: rules.CheckIn | None = None
    """When the established plan is next followed up, and by whom."""

    @property
    def overdue(self) -> bool:
        return any(f.overdue for f in self.flags)


def _worklist_queryset(acting: Acting) -> QuerySet[SipProcess]:
    return (
        access.processes_for_unit(acting.unit)
        .exclude(status=ProcessStatus.CLOSED)
        .select_related(
            "person", "started_by_unit", "lead_unit", "agreement", "origin_stay__agreement"
        )
        .annotate(last_activity_at=Max("events__at"))
        .prefetch_related(
            _participants_prefetch(),
            *_origin_case_prefetches(),
            "consents",
            Prefetch(
                "preparation",
                queryset=PreparationEntry.objects.filter(kind=PreparationKind.CHILD_VIEW),
                to_attr="child_views",
            ),
            Prefetch(
                "meetings",
                queryset=SipMeeting.objects.order_by("meeting_at", "pk").prefetch_related(
                    "minutes"
                ),
            ),
            _versions_prefetch(),
            "action_progress",
        )
    )


def worklist(*, acting: Acting, now: datetime) -> list[SipWorkItem]:
    """The open SIP processes the acting unit may see now, with their flags: overdue first,
    then flagged, then the rest; within each, the earliest started first."""
    if acting.role not in access.CARE_ROLES:
        return []
    items = []
    today = timezone.localdate(now)
    for process in _worklist_queryset(acting):
        participants = list(process.participants.all())
        consent = access.consent_state_of(
            process,
            today,
            events=process.consents.all(),
            preparation=process.child_views,  # type: ignore[attr-defined]
        )
        if not access.can_see(acting.unit, process, consent, participants):
            continue
        meetings = list(process.meetings.all())
        facts = _facts(
            process,
            participants=participants,
            meetings=meetings,
            versions=list(process.versions.all()),
            progress=list(process.action_progress.all()),
            last_activity_at=process.last_activity_at,  # type: ignore[attr-defined]
        )
        upcoming = [m for m in meetings if not m.is_cancelled and m.meeting_at > now]
        items.append(
            SipWorkItem(
                process=process,
                flags=rules.worklist_flags(facts, now),
                consent=consent,
                is_lead=process.lead_unit_id == acting.unit.pk,
                next_meeting=upcoming[0] if upcoming else None,
                check_in=rules.next_check_in(facts),
            )
        )
    items.sort(key=lambda i: (not i.overdue, not i.flags, i.process.started_at))
    return items


# --- Overview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    meeting: SipMeeting
    invitees: list[SipParticipant]
    minutes: MeetingMinutes | None
    """The latest minutes (a correction is newer minutes)."""
    attendees: list[SipParticipant]
    earlier_minutes: list[MeetingMinutes]


@dataclass(frozen=True)
class VersionView:
    version: PlanVersion
    content: PlanContent
    changes: list[Change]
    """What changed from the previous established version (everything, for version 1)."""
    approved_by: list[SipParticipant]


@dataclass
class ProcessOverview:
    process: SipProcess
    consent: rules.ConsentState
    consent_events: list[ConsentEvent]
    participants: list[SipParticipant]
    """Everyone ever added, in order; removed ones have ``removed_at``."""
    preparation: list[PreparationEntry]
    meetings: list[MeetingView]
    draft: PlanDraft
    draft_content: PlanContent
    draft_changes: list[Change]
    """What the draft changes compared with the latest established version."""
    versions: list[VersionView]
    current_plan: PlanContent | None
    """The latest established version as it reads today (action progress applied)."""
    progress: list[ActionProgress]
    evaluations: list[Evaluation]
    events: list[SipEvent]
    flags: list[rules.Flag]
    check_in: rules.CheckIn | None = None
    """When the established plan is next followed up, and by whom."""
    colour: discharge_rules.ColourView | None = None
    """The colour guidance from the discharge case the process continues, if any."""
    is_home_unit: bool = False
    can_close: bool = False
    active_participants: list[SipParticipant] = field(default_factory=list)


def process_overview(*, acting: Acting, process: SipProcess, now: datetime) -> ProcessOverview:
    """Everything the case page shows. ``process`` comes from :func:`access.process_get`.
    Writes a READ access-log entry."""
    process = (
        SipProcess.objects.select_related(
            "person",
            "started_by_unit__organisation",
            "lead_unit__organisation",
            "agreement",
            "origin_stay__agreement",
            "origin_stay__ward",
            "draft__saved_by",
            "draft__saved_unit",
        )
        .prefetch_related(
            _participants_prefetch(),
            *_origin_case_prefetches(),
            Prefetch("consents", queryset=ConsentEvent.objects.select_related("recorded_by")),
            Prefetch(
                "preparation",
                queryset=PreparationEntry.objects.select_related("recorded_by", "unit"),
            ),
            Prefetch(
                "meetings",
                queryset=SipMeeting.objects.select_related(
                    "invited_by", "invited_by_unit"
                ).prefetch_related(
                    "invitees__unit",
                    Prefetch(
                        "minutes",
                        queryset=MeetingMinutes.objects.select_related(
                            "recorded_by", "recorded_unit"
                        ).prefetch_related("attendees__unit"),
                    ),
                ),
            ),
            Prefetch(
                "versions",
                queryset=PlanVersion.objects.select_related(
                    "established_by", "established_unit"
                ).prefetch_related(
                    Prefetch(
                        "approvals",
                        queryset=PlanApproval.objects.select_related("participant__unit"),
                    )
                ),
            ),
            Prefetch(
                "action_progress",
                queryset=ActionProgress.objects.select_related("recorded_by", "unit"),
            ),
            Prefetch("evaluations", queryset=Evaluation.objects.select_related("recorded_by")),
            Prefetch("events", queryset=SipEvent.objects.select_related("actor", "unit")),
        )
        .get(pk=process.pk)
    )
    log_access(
        actor=acting.actor,
        person=process.person,
        action=AccessAction.READ,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=process,
    )
    participants = list(process.participants.all())
    preparation = list(process.preparation.all())
    consent_events = list(process.consents.all())
    consent = access.consent_state_of(
        process, timezone.localdate(now), events=consent_events, preparation=preparation
    )
    versions = sorted(process.versions.all(), key=lambda v: v.number)
    progress = list(process.action_progress.all())
    events = list(process.events.all())
    meetings = list(process.meetings.all())
    version_views = [
        VersionView(
            version=version,
            content=content,
            changes=changes,
            approved_by=[a.participant for a in version.approvals.all()],
        )
        for version, content, changes in successive_changes(versions, _content, plan_diff)
    ]
    _latest, current = effective_plan(versions, progress)
    draft = process.draft
    draft_content = PlanContent.model_validate(draft.content)
    facts = _facts(
        process,
        participants=participants,
        meetings=meetings,
        versions=versions,
        progress=progress,
        last_activity_at=max((e.at for e in events), default=None),
    )
    return ProcessOverview(
        process=process,
        consent=consent,
        consent_events=consent_events,
        participants=participants,
        active_participants=[p for p in participants if p.is_active],
        preparation=preparation,
        meetings=[_meeting_view(m) for m in meetings],
        draft=draft,
        draft_content=draft_content,
        draft_changes=plan_diff(
            version_views[-1].content if version_views else None, draft_content
        ),
        versions=version_views,
        current_plan=current,
        progress=progress,
        evaluations=list(process.evaluations.all()),
        events=events,
        flags=rules.worklist_flags(facts, now),
        check_in=rules.next_check_in(facts),
        colour=colour_guidance(process.origin_stay) if process.origin_stay else None,
        is_home_unit=access.is_home_unit(process, acting.unit),
        can_close=process.is_open and access.may_lead_or_start(acting, process),
    )


def _meeting_view(meeting: SipMeeting) -> MeetingView:
    minutes = sorted(meeting.minutes.all(), key=lambda m: (m.recorded_at, m.pk))
    latest = minutes[-1] if minutes else None
    return MeetingView(
        meeting=meeting,
        invitees=list(meeting.invitees.all()),
        minutes=latest,
        attendees=list(latest.attendees.all()) if latest else [],
        earlier_minutes=minutes[:-1],
    )


def colour_guidance(stay: InpatientStay) -> discharge_rules.ColourView | None:
    """The discharge case's current colour and its SIP guidance under the colour model in force
    at its latest assessment or override (as the case page shows it): whether, when and where
    to meet. Support, never a rule. ``None`` before any assessment."""
    view, _overridden = colour_view_of(stay)
    return view


def _visible(acting: Acting, processes: QuerySet[SipProcess]) -> list[SipProcess]:
    """The processes the acting unit may see now, in a constant number of queries."""
    if acting.role not in access.CARE_ROLES:
        return []
    found = processes.select_related(
        "person", "started_by_unit", "lead_unit", "agreement"
    ).prefetch_related(_participants_prefetch(), "consents", "preparation")
    return [
        p
        for p in found
        if access.can_see(
            acting.unit,
            p,
            access.consent_state_of(p, events=p.consents.all(), preparation=p.preparation.all()),
            p.participants.all(),
        )
    ]


def processes_of_person(*, acting: Acting, person: Person) -> list[SipProcess]:
    """The person's SIP processes (open and closed, newest first) the acting unit may see."""
    return _visible(acting, SipProcess.objects.filter(person=person).order_by("-started_at"))


def process_of_stay(*, acting: Acting, stay: InpatientStay) -> SipProcess | None:
    """The SIP process continuing the discharge case, if there is one the acting unit sees."""
    found = _visible(acting, SipProcess.objects.filter(origin_stay=stay))
    return found[0] if found else None


def min_plan_events(process: SipProcess) -> list[SipEvent]:
    """What the person (or a representative) did in Min plan in the SIP, oldest first: wishes,
    consent, comments and read confirmations. For the discharge case the SIP continues, shown
    only to a unit that may see the SIP (:func:`process_of_stay`)."""
    return list(process.events.filter(data__via="min_plan").order_by("at", "pk"))
