"""The person's SIP in Min plan, read for the portal only.

Like :mod:`samplan.portal.selectors`, this builds its own small views from named fields of
established plan versions and called meetings, so nothing staff-internal reaches a page: no
kartläggning or other preparation written by staff, no minutes, no draft, no meeting message, no
timeline. What it shows: the latest established version (the person's own goals first, each
party's actions with status and dates, overall responsibility), the next check-in and who
follows up (:func:`samplan.sip.rules.next_check_in`: the plan's follow-up date until the minutes
of a follow-up set the next one; of the minutes only that date and name are read), the earlier
versions with what changed, and the next meeting (time, place or video link; never a home
address).

Every read and download writes an access-log entry for the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.audit.models import AccessAction
from samplan.audit.services import Actor, LogItem, log_access, log_access_many
from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import Audience
from samplan.portal import rules as portal_rules
from samplan.portal.access import Subject
from samplan.portal.calendar import person_ics
from samplan.portal.plan_words import person_sentence, status_words
from samplan.portal.rules import ConsentPart
from samplan.portal.selectors import Statement
from samplan.sip import rules
from samplan.sip.access import consent_facts, consent_state_of
from samplan.sip.documents import meeting_place_for, meeting_uid
from samplan.sip.models import (
    ActionProgress,
    AuthorKind,
    MeetingMinutes,
    PlanVersion,
    PreparationKind,
    SipMeeting,
    SipProcess,
)
from samplan.sip.plan import (
    ORGANISATION_KIND_LABELS,
    PlanContent,
    apply_progress,
    plan_diff,
)
from samplan.sip.selectors import latest_minutes


@dataclass(frozen=True)
class ActionView:
    what: str
    organisation: str
    responsible: str
    due: date | None
    status: str
    is_overdue: bool


@dataclass(frozen=True)
class VersionView:
    number: int
    established_at: datetime
    changes: list[str]


@dataclass(frozen=True)
class MeetingView:
    meeting_id: int
    kind: str
    at: datetime
    place: str
    location: str
    video_url: str


@dataclass(frozen=True)
class CheckInView:
    """When the plan is next followed up and who does it, as the person reads it."""

    on: date | None
    """``None``: the last follow-up set no new date (yet)."""
    by: str
    meeting_at: datetime | None
    """A follow-up meeting is called for it."""


@dataclass(frozen=True)
class SipView:
    public_id: str
    is_open: bool
    number: int | None
    established_at: datetime | None
    long_term_goal: str
    goals: list[tuple[str, str]]
    actions: list[ActionView]
    lead_organisation: str
    check_in: CheckInView | None
    """The next check-in of an open SIP with a plan; ``None`` before a plan and once closed."""
    changes: list[str]
    """What the latest version changed from the one before (empty for the first)."""
    earlier: list[VersionView]
    next_meeting: MeetingView | None
    consent: ConsentView
    origin_stay_id: str = ""
    """The hospital stay the SIP continues (its kallelse is the SIP's first meeting)."""


@dataclass(frozen=True)
class ConsentView:
    """The consent as this viewer reads it: the state for everyone, and the viewer's own part."""

    status: str
    """:class:`samplan.sip.rules.ConsentStatus` value."""
    person_is_child: bool
    part: ConsentPart
    own_given: bool | None = None
    """The viewer's own latest say (yes, no, or nothing yet) as the rules count it."""
    own_on: date | None = None
    child_view_on: date | None = None
    """When the child last said what they think in Min plan."""

    @property
    def is_valid(self) -> bool:
        return self.status == rules.ConsentStatus.VALID

    @property
    def is_withdrawn(self) -> bool:
        return self.status == rules.ConsentStatus.WITHDRAWN


@dataclass(frozen=True)
class Viewer:
    """Who reads the page: for the consent they may give, and their own say in it."""

    subject: Subject
    name: str

    @property
    def giver_key(self) -> tuple[rules.ConsentGiver, str]:
        authority = self.subject.representative.authority if self.subject.representative else ""
        giver = rules.ConsentGiver(
            portal_rules.consent_giver(is_own=self.subject.is_own, authority=authority)
        )
        return rules.ConsentFact(given=True, giver=giver, on=date.min, name=self.name).giver_key


def _processes(subject: Subject) -> list[SipProcess]:
    return list(
        SipProcess.objects.filter(person=subject.person)
        .select_related("lead_unit", "person", "origin_stay")
        .prefetch_related(
            Prefetch("versions", queryset=PlanVersion.objects.order_by("number")),
            "consents",
            "preparation",
            Prefetch("action_progress", queryset=ActionProgress.objects.order_by("at", "pk")),
            Prefetch(
                "meetings",
                queryset=SipMeeting.objects.filter(cancelled_at__isnull=True)
                .order_by("meeting_at", "pk")
                .prefetch_related(_check_in_minutes()),
            ),
        )
        .order_by("-started_at", "-pk")
    )


def _check_in_minutes() -> Prefetch[Any]:
    """Of a meeting's minutes the portal reads only what sets the next check-in, never their
    text."""
    return Prefetch(
        "minutes",
        queryset=MeetingMinutes.objects.only(
            "pk", "meeting_id", "recorded_at", "next_follow_up_on", "next_follow_up_by"
        ),
    )


def _check_in(
    process: SipProcess, latest: PlanVersion | None, content: PlanContent
) -> CheckInView | None:
    """The next check-in by the SIP's own rule, from the latest version and the meetings'
    latest minutes (prefetched)."""
    if latest is None or not process.is_open:
        return None
    meetings = []
    for meeting in process.meetings.all():
        minutes = latest_minutes(meeting)
        meetings.append(
            rules.MeetingFact(
                kind=meeting.kind,
                meeting_at=meeting.meeting_at,
                cancelled=meeting.is_cancelled,
                has_minutes=minutes is not None,
                next_follow_up_on=minutes.next_follow_up_on if minutes else None,
                next_follow_up_by=minutes.next_follow_up_by if minutes else "",
            )
        )
    check_in = rules.next_check_in(
        rules.SipFacts(
            started_at=process.started_at,
            meetings=meetings,
            latest_established_at=latest.established_at,
            plan=content,
        )
    )
    if check_in is None:
        return None
    return CheckInView(on=check_in.on, by=check_in.by, meeting_at=check_in.meeting_at)


def _content(version: PlanVersion, progress: list[ActionProgress]) -> PlanContent:
    recorded = [(p.action_id, p.status) for p in progress if p.version_id == version.pk]
    return apply_progress(PlanContent.model_validate(version.content), recorded)


def _meeting_view(meeting: SipMeeting) -> MeetingView:
    # As the person may read it: a home meeting never names an address (SPEC §9).
    place = meeting_place_for(meeting, Audience.PERSON)
    return MeetingView(
        meeting_id=meeting.pk,
        kind=meeting.get_kind_display(),
        at=meeting.meeting_at,
        place=place.label,
        location=place.location,
        video_url=place.video_url,
    )


def _next_meeting(process: SipProcess, now: datetime) -> SipMeeting | None:
    upcoming = [m for m in process.meetings.all() if m.meeting_at >= now]
    return upcoming[0] if upcoming and process.is_open else None


def _consent_view(process: SipProcess, viewer: Viewer, today: date) -> ConsentView:
    events = list(process.consents.all())
    preparation = list(process.preparation.all())
    state = consent_state_of(process, today, events=events, preparation=preparation)
    representative = viewer.subject.representative
    part = portal_rules.consent_part(
        is_own=viewer.subject.is_own,
        authority=representative.authority if representative else "",
        person_is_child=state.is_child,
    )
    key = viewer.giver_key
    own = [
        fact
        for fact in sorted(consent_facts(events), key=lambda f: (f.on, f.order))
        if fact.on <= today and fact.giver_key == key
    ]
    child_views = [
        entry.written_at
        for entry in preparation
        if entry.kind == PreparationKind.CHILD_VIEW and entry.recorded_by_id is None
    ]
    return ConsentView(
        status=state.status,
        person_is_child=state.is_child,
        part=part,
        own_given=own[-1].given if own and part == portal_rules.ConsentPart.GIVE else None,
        own_on=own[-1].on if own and part == portal_rules.ConsentPart.GIVE else None,
        child_view_on=timezone.localdate(max(child_views)) if child_views else None,
    )


def _sip_view(process: SipProcess, now: datetime, viewer: Viewer) -> SipView:
    versions = list(process.versions.all())
    progress = list(process.action_progress.all())
    earlier: list[VersionView] = []
    previous: PlanContent | None = None
    for version in versions:
        content = PlanContent.model_validate(version.content)
        changes = [person_sentence(c) for c in plan_diff(previous, content)] if previous else []
        earlier.append(VersionView(version.number, version.established_at, changes))
        previous = content
    meeting = _next_meeting(process, now)
    latest = versions[-1] if versions else None
    content = _content(latest, progress) if latest else PlanContent()
    today = timezone.localdate(now)
    # Overall responsibility: the lead unit of the established version, else its organisation.
    lead = content.lead_organisation
    if process.lead_unit is not None and process.lead_unit_id == content.lead_unit_id:
        lead = process.lead_unit.name
    return SipView(
        public_id=str(process.public_id),
        is_open=process.is_open,
        number=latest.number if latest else None,
        established_at=latest.established_at if latest else None,
        long_term_goal=content.long_term_goal,
        goals=[(g.text, g.measure) for g in content.goals],
        actions=[
            ActionView(
                what=a.what,
                organisation=a.organisation or str(ORGANISATION_KIND_LABELS[a.organisation_kind]),
                responsible=a.responsible,
                due=a.due,
                status=status_words(a.status),
                is_overdue=a.is_overdue(today),
            )
            for a in content.actions
        ],
        lead_organisation=lead,
        check_in=_check_in(process, latest, content),
        changes=earlier[-1].changes if earlier else [],
        earlier=list(reversed(earlier[:-1])),
        next_meeting=_meeting_view(meeting) if meeting else None,
        consent=_consent_view(process, viewer, today),
        origin_stay_id=str(process.origin_stay.public_id) if process.origin_stay else "",
    )


def sips(*, actor: Actor, subject: Subject, now: datetime, viewer_name: str) -> list[SipView]:
    """The person's SIPs, newest first: open ones, and closed ones that had a plan."""
    processes = [
        p for p in _processes(subject) if p.is_open or any(True for _v in p.versions.all())
    ]
    detail = "Min plan: SIP (fastställd plan och möten)"
    if subject.log_detail:
        detail = f"{detail}; {subject.log_detail}"
    log_access_many(
        actor=actor,
        action=AccessAction.READ,
        purpose=subject.purpose,
        items=[LogItem(person=subject.person, obj=p, detail=detail) for p in processes],
    )
    viewer = Viewer(subject, viewer_name)
    return [_sip_view(p, now, viewer) for p in processes]


def process_for(subject: Subject, sip_id: str) -> SipProcess:
    """One of the person's SIPs by id; anyone else's is 404."""
    process = (
        SipProcess.objects.filter(person=subject.person, public_id=sip_id)
        .select_related("person", "lead_unit")
        .first()
    )
    if process is None:
        raise Http404
    return process


def process_to_write_in(subject: Subject, sip_id: str) -> SipProcess:
    """An open SIP of the person, for the page where they write what matters to them. A closed
    SIP takes no more wishes (404)."""
    process = process_for(subject, sip_id)
    if not process.is_open:
        raise Http404
    return process


def plan_version_for(
    *, actor: Actor, subject: Subject, sip_id: str, number: int
) -> tuple[SipProcess, PlanVersion]:
    """An established version of the person's plan, for the PDF (logged as an export)."""
    process = process_for(subject, sip_id)
    version = process.versions.filter(number=number).first()
    if version is None:
        raise Http404
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.EXPORT,
        purpose=subject.purpose,
        obj=version,
        detail=subject.log_text(f"Min plan: SIP version {version.number} (PDF)"),
    )
    return process, version


def meeting_for(*, actor: Actor, subject: Subject, sip_id: str, meeting_id: int) -> SipMeeting:
    """The next meeting the page shows, for the calendar file (logged as an export)."""
    process = process_for(subject, sip_id)
    meeting = _next_meeting(
        SipProcess.objects.prefetch_related(
            Prefetch(
                "meetings",
                queryset=SipMeeting.objects.filter(cancelled_at__isnull=True).order_by(
                    "meeting_at", "pk"
                ),
            )
        ).get(pk=process.pk),
        timezone.now(),
    )
    if meeting is None or meeting.pk != meeting_id:
        raise Http404
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.EXPORT,
        purpose=subject.purpose,
        obj=meeting,
        detail=subject.log_text("Min plan: SIP-möte (kalenderfil)"),
    )
    return meeting


def meeting_ics(meeting: SipMeeting) -> bytes:
    """The meeting for the person's own calendar: when, where, what it is. No staff names,
    no message, no home address; the same UID as the staff's file of the same meeting."""
    return person_ics(
        uid=meeting_uid(meeting),
        start=meeting.meeting_at,
        stamp=meeting.invitation_sent_at,
        place=meeting_place_for(meeting, Audience.PERSON),
        summary=_("Möte om din plan (SIP)"),
        description=_("På mötet gör ni planen tillsammans. Du får säga vad du vill."),
    )


def written_in_min_plan(process: SipProcess) -> list[Statement]:
    """What the person or a representative wrote in Min plan for the SIP, oldest first (also
    what a stay's statements became when the SIP started from it). Never what staff recorded."""
    entries = process.preparation.filter(
        recorded_by__isnull=True,
        unit__isnull=True,
        author_kind__in=(AuthorKind.PERSON, AuthorKind.RELATIVE),
    ).order_by("written_at", "pk")
    return [
        Statement(
            kind=e.get_kind_display(),
            text=e.text,
            place=str(MEETING_PLACES.get(e.place_kind, "")),
            author_name=e.author_name,
            written_at=e.written_at,
        )
        for e in entries
    ]
