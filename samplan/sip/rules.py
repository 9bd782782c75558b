"""The rules of a SIP process as pure functions over plain facts (no ORM, no HTTP).

* :func:`consent_state` — whether the person's consent allows sharing with other organisations
  (SPEC §4, §9): the person's own for an adult, the guardians' for a child, and what is missing.
* :func:`approval_missing` — who still has to approve before a plan version is established.
* :func:`derive_status` — the process status from what has happened.
* :func:`next_check_in` — the next check-in of a continuous SIP: set by the latest established
  version, or by the minutes of a later follow-up (the FVK sets the next one at each follow-up).
* :func:`worklist_flags` — what the work list shows about a process: kallelse due, plan not
  established after the meeting, actions overdue, no follow-up date, follow-up due,
  participants without mandate, no activity since the last meeting (the failures the user
  audit names, made visible).

Texts are Swedish, shown as they are (newer ones through gettext, with Swedish msgids).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samplan.agreements.schema import SipRules, to_local
from samplan.sip.plan import PlanContent

__all__ = [
    "ADULT_AGE",
    "CheckIn",
    "CheckInSource",
    "ConsentFact",
    "ConsentGiver",
    "ConsentState",
    "ConsentStatus",
    "Flag",
    "FlagCode",
    "MeetingFact",
    "NeedLevel",
    "ParticipantFact",
    "ProcessStatus",
    "SipFacts",
    "age_on",
    "approval_missing",
    "consent_state",
    "derive_status",
    "is_child",
    "next_check_in",
    "participants_without_mandate",
    "worklist_flags",
]

ADULT_AGE = 18


class NeedLevel(StrEnum):
    """Behovsstyrd SIP (SPEC §4, Skaraborg): how much coordination the person needs."""

    NONE = "none"
    INTERNAL = "internal"
    SHORT = "short"
    OVER_TIME = "over_time"


class ProcessStatus(StrEnum):
    PREPARING = "preparing"
    ESTABLISHED = "established"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"


def derive_status(*, closed: bool, has_version: bool, has_follow_up_meeting: bool) -> ProcessStatus:
    """Closed wins; then follow-up once a follow-up or evaluation meeting is called after a plan
    was established; established once a version exists; otherwise still preparing."""
    if closed:
        return ProcessStatus.CLOSED
    if has_version and has_follow_up_meeting:
        return ProcessStatus.FOLLOW_UP
    if has_version:
        return ProcessStatus.ESTABLISHED
    return ProcessStatus.PREPARING


# --- Consent ----------------------------------------------------------------------------------


class ConsentGiver(StrEnum):
    PERSON = "person"
    GUARDIAN = "guardian"
    REPRESENTATIVE = "representative"


@dataclass(frozen=True)
class ConsentFact:
    """One recorded consent event. ``given`` False is a withdrawal. ``name`` tells two guardians
    (or representatives) apart; the person's own events need none."""

    given: bool
    giver: ConsentGiver
    on: date
    name: str = ""
    order: int = 0
    """Tie-break for events on the same date: the recording order."""

    @property
    def giver_key(self) -> tuple[ConsentGiver, str]:
        name = "" if self.giver == ConsentGiver.PERSON else " ".join(self.name.lower().split())
        return (self.giver, name)


class ConsentStatus(StrEnum):
    VALID = "valid"
    MISSING = "missing"
    WITHDRAWN = "withdrawn"
    CHILD_NEEDS_GUARDIAN = "child_needs_guardian"


@dataclass(frozen=True)
class ConsentState:
    status: ConsentStatus
    is_child: bool
    missing: tuple[str, ...] = ()
    """What is still needed for valid consent (Swedish); empty when valid."""
    advice: tuple[str, ...] = ()
    """What should be done but does not block sharing, e.g. the child's own view."""

    @property
    def is_valid(self) -> bool:
        return self.status == ConsentStatus.VALID


def age_on(birth_date: date, on: date) -> int:
    """Full years: a person born on 29 February turns a year older on 1 March in common years."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_child(birth_date: date, on: date) -> bool:
    return age_on(birth_date, on) < ADULT_AGE


def consent_state(
    facts: Iterable[ConsentFact],
    birth_date: date,
    on: date,
    *,
    child_view_recorded: bool = False,
) -> ConsentState:
    """The consent in force on ``on``.

    Who can consent depends on the person's age that day: an adult consents personally or through
    a representative (god man, förvaltare, fullmakt); for a child under 18 the guardians consent,
    and the child's own view is heard and recorded separately (advice, not a condition). Each
    giver's latest event counts; any one of them withdrawn means withdrawn — sharing stops at once
    when anyone entitled to decide says no. Events after ``on`` do not count yet; a guardian's
    consent ends when the person turns 18.
    """
    child = is_child(birth_date, on)
    entitled = (
        {ConsentGiver.GUARDIAN} if child else {ConsentGiver.PERSON, ConsentGiver.REPRESENTATIVE}
    )
    latest: dict[tuple[ConsentGiver, str], ConsentFact] = {}
    for fact in sorted((f for f in facts if f.on <= on), key=lambda f: (f.on, f.order)):
        latest[fact.giver_key] = fact
    relevant = [f for key, f in latest.items() if key[0] in entitled]
    advice: tuple[str, ...] = ()
    if child and not child_view_recorded:
        advice = (_("Barnets egen uppfattning är inte dokumenterad."),)
    if any(not f.given for f in relevant):
        withdrawn_by = sorted(_giver_text(f) for f in relevant if not f.given)
        return ConsentState(
            ConsentStatus.WITHDRAWN,
            child,
            (_("Samtycket är återkallat av %(givers)s.") % {"givers": ", ".join(withdrawn_by)},),
            advice,
        )
    if relevant:
        return ConsentState(ConsentStatus.VALID, child, (), advice)
    if child:
        return ConsentState(
            ConsentStatus.CHILD_NEEDS_GUARDIAN,
            child,
            (_("Samtycke från vårdnadshavare saknas."),),
            advice,
        )
    missing = [_("Personens samtycke saknas.")]
    if any(key[0] == ConsentGiver.GUARDIAN for key in latest):
        missing.append(
            _(
                "Personen har fyllt 18 år: vårdnadshavarens samtycke gäller inte längre, "
                "personen behöver själv samtycka."
            )
        )
    return ConsentState(ConsentStatus.MISSING, child, tuple(missing), advice)


def _giver_text(fact: ConsentFact) -> str:
    if fact.giver == ConsentGiver.PERSON:
        return _("personen")
    label = _("vårdnadshavare") if fact.giver == ConsentGiver.GUARDIAN else _("företrädare")
    return f"{label} {fact.name}".strip()


# --- Approval ---------------------------------------------------------------------------------


def approval_missing(
    required: Iterable[tuple[int, str]], approved: Iterable[int], *, person_agreed: bool
) -> list[str]:
    """Who still has to approve, in Swedish; empty when the plan may be established.

    ``required`` are (participant id, name) of the participants with mandate who were at the
    meeting (all active participants with mandate if no meeting was recorded): each must approve.
    The person (or for a child the guardian) must have agreed to the plan."""
    given = set(approved)
    missing = [
        _("%(name)s har inte godkänt planen.") % {"name": name}
        for pk, name in required
        if pk not in given
    ]
    if not person_agreed:
        missing.insert(0, _("Personen (eller vårdnadshavaren) har inte godkänt planen."))
    return missing


# --- Mandate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantFact:
    kind: str
    """``unit``, ``staff``, ``relative`` or ``external``."""
    name: str
    has_mandate: bool
    unit_id: int | None = None


def participants_without_mandate(participants: Iterable[ParticipantFact]) -> list[str]:
    """Names of the active participants who cannot decide for their organisation.

    Relatives never need a mandate. A unit is covered when the unit itself, or a named staff
    member of it, has a mandate; a named staff member or external actor without one is listed
    (the user audit's "wrong participants")."""
    people = list(participants)
    covered = {p.unit_id for p in people if p.has_mandate and p.unit_id is not None}
    missing = []
    for p in people:
        if p.kind == "relative" or p.has_mandate:
            continue
        if p.kind == "unit" and p.unit_id in covered:
            continue
        missing.append(p.name)
    return missing


# --- Work list flags --------------------------------------------------------------------------


class FlagCode(StrEnum):
    INVITATION_DUE = "invitation_due"
    PLAN_NOT_ESTABLISHED = "plan_not_established"
    ACTIONS_OVERDUE = "actions_overdue"
    NO_FOLLOW_UP_DATE = "no_follow_up_date"
    FOLLOW_UP_DUE = "follow_up_due"
    PARTICIPANTS_WITHOUT_MANDATE = "participants_without_mandate"
    NO_ACTIVITY = "no_activity"


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    text: str
    due: date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class MeetingFact:
    kind: str
    """``first``, ``follow_up`` or ``evaluation``."""
    meeting_at: datetime
    cancelled: bool = False
    has_minutes: bool = False
    """The meeting was held: minutes are recorded."""
    next_follow_up_on: date | None = None
    next_follow_up_by: str = ""
    """The next check-in set in the meeting's latest minutes (follow-up and evaluation)."""


@dataclass(frozen=True)
class SipFacts:
    """What the flags read about one process. Datetimes are aware."""

    started_at: datetime
    invitation_deadline: datetime | None = None
    """When the SIP continues a discharge case whose utskrivningsklar notice was sent: the
    law's kallelse deadline counted from it (4:3, under the case's agreement). Otherwise the
    kallelse is due ``rules.invitation_within_days`` after the start."""
    closed: bool = False
    need_level: NeedLevel | None = None
    meetings: Sequence[MeetingFact] = ()
    established_at: datetime | None = None
    """When the first plan version was established."""
    latest_established_at: datetime | None = None
    """When the latest plan version was established: its follow-up date counts until a
    follow-up is held after it (:func:`next_check_in`)."""
    plan: PlanContent | None = None
    """The latest established version, with the actions' current statuses applied."""
    participants_without_mandate: Sequence[str] = ()
    last_activity_at: datetime | None = None
    rules: SipRules = field(default_factory=SipRules)


def _local_date(moment: datetime) -> date:
    return to_local(moment).date()


# --- The next check-in ------------------------------------------------------------------------


class CheckInSource(StrEnum):
    PLAN = "plan"
    """The follow-up date of the latest established version."""
    MINUTES = "minutes"
    """Set in the minutes of a follow-up or evaluation meeting held after that version."""


@dataclass(frozen=True)
class CheckIn:
    """When an established plan is next followed up, and by whom."""

    on: date | None
    """``None``: nobody has set it (a flag says so, until a follow-up meeting is called)."""
    by: str
    source: CheckInSource
    since: datetime
    """When what set it happened: the version's establishing, or the follow-up meeting."""
    meeting_at: datetime | None = None
    """The first follow-up or evaluation meeting called after ``since`` (not cancelled)."""


def next_check_in(facts: SipFacts) -> CheckIn | None:
    """The next check-in of a continuous SIP; ``None`` before a plan is established.

    At each follow-up the FVK sets the next one in the minutes: of the latest established
    version and the follow-up or evaluation meetings held (with minutes) after it, the latest
    sets the date and who follows up – a meeting by when it was held, so correcting old
    minutes later changes nothing ahead. A follow-up meeting held without a next date leaves
    the date unset. A follow-up or evaluation meeting called after that moment answers it."""
    if facts.plan is None or facts.latest_established_at is None:
        return None
    check_in = CheckIn(
        facts.plan.follow_up_on,
        facts.plan.follow_up_by,
        CheckInSource.PLAN,
        facts.latest_established_at,
    )
    held = sorted(
        (
            m
            for m in facts.meetings
            if m.kind != "first"
            and not m.cancelled
            and m.has_minutes
            and m.meeting_at > check_in.since
        ),
        key=lambda m: m.meeting_at,
    )
    if held:
        last = held[-1]
        check_in = CheckIn(
            last.next_follow_up_on, last.next_follow_up_by, CheckInSource.MINUTES, last.meeting_at
        )
    called = [
        m.meeting_at
        for m in facts.meetings
        if m.kind != "first" and not m.cancelled and m.meeting_at > check_in.since
    ]
    if called:
        return CheckIn(
            check_in.on, check_in.by, check_in.source, check_in.since, meeting_at=min(called)
        )
    return check_in


def worklist_flags(facts: SipFacts, now: datetime) -> list[Flag]:
    """The flags for the work list, most urgent kinds first. A closed process has none; nor a
    process whose need level is "no SIP" (except participants without mandate is moot then)."""
    if facts.closed or facts.need_level == NeedLevel.NONE:
        return []
    today = _local_date(now)
    rules = facts.rules
    flags: list[Flag] = []
    meetings = [m for m in facts.meetings if not m.cancelled]
    if not meetings and facts.invitation_deadline is not None:
        due = _local_date(facts.invitation_deadline)
        flags.append(
            Flag(
                FlagCode.INVITATION_DUE,
                _(
                    "Kallelse till SIP-möte ska skickas senast %(due)s, enligt lagens tidsgräns "
                    "efter underrättelsen om utskrivningsklar."
                )
                % {"due": due.isoformat()},
                due,
                now > facts.invitation_deadline,
            )
        )
    elif not meetings:
        due = _local_date(facts.started_at) + timedelta(days=rules.invitation_within_days)
        flags.append(
            Flag(
                FlagCode.INVITATION_DUE,
                _("Kallelse till SIP-möte ska skickas senast %(due)s.") % {"due": due.isoformat()},
                due,
                today > due,
            )
        )
    held = [m for m in meetings if m.meeting_at <= now]
    if held and facts.established_at is None:
        first = min(held, key=lambda m: m.meeting_at)
        due = _local_date(first.meeting_at) + timedelta(days=rules.plan_within_days_after_meeting)
        if today > due:
            flags.append(
                Flag(
                    FlagCode.PLAN_NOT_ESTABLISHED,
                    _("Planen är inte fastställd, %(days)d dagar efter mötet.")
                    % {"days": (today - _local_date(first.meeting_at)).days},
                    due,
                    True,
                )
            )
    if facts.plan is not None:
        overdue = [a for a in facts.plan.actions if a.is_overdue(today)]
        if overdue:
            earliest = min(a.due for a in overdue if a.due is not None)
            flags.append(
                Flag(
                    FlagCode.ACTIONS_OVERDUE,
                    ngettext(
                        "%(n)d insats har passerat sitt slutdatum.",
                        "%(n)d insatser har passerat sitt slutdatum.",
                        len(overdue),
                    )
                    % {"n": len(overdue)},
                    earliest,
                    True,
                )
            )
        check_in = next_check_in(facts)
        if check_in is not None and check_in.meeting_at is None:
            if check_in.on is None and check_in.source == CheckInSource.PLAN:
                flags.append(
                    Flag(
                        FlagCode.NO_FOLLOW_UP_DATE,
                        _("Den fastställda planen saknar uppföljningsdatum."),
                    )
                )
            elif check_in.on is None:
                flags.append(
                    Flag(
                        FlagCode.NO_FOLLOW_UP_DATE,
                        _(
                            "Nästa uppföljning är inte bestämd: protokollet från uppföljningen "
                            "%(held)s anger inget datum."
                        )
                        % {"held": _local_date(check_in.since).isoformat()},
                    )
                )
            elif today > check_in.on:
                flags.append(
                    Flag(
                        FlagCode.FOLLOW_UP_DUE,
                        _(
                            "Uppföljningen skulle ha skett %(on)s men inget uppföljningsmöte är "
                            "kallat."
                        )
                        % {"on": check_in.on.isoformat()},
                        check_in.on,
                        True,
                    )
                )
    if facts.participants_without_mandate:
        names = ", ".join(facts.participants_without_mandate)
        flags.append(
            Flag(
                FlagCode.PARTICIPANTS_WITHOUT_MANDATE,
                _("Deltagare utan mandat: %(names)s.") % {"names": names},
            )
        )
    if held:
        last_meeting = max(m.meeting_at for m in held)
        last = max(last_meeting, facts.last_activity_at or last_meeting)
        quiet_since = _local_date(last)
        due = quiet_since + timedelta(days=rules.inactivity_days)
        upcoming = any(m.meeting_at > now for m in meetings)
        if today > due and not upcoming:
            flags.append(
                Flag(
                    FlagCode.NO_ACTIVITY,
                    _("Ingen aktivitet sedan %(since)s.") % {"since": quiet_since.isoformat()},
                    due,
                    True,
                )
            )
    return flags
