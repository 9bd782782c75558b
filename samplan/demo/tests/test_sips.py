"""The demo county's SIPs: every stage is there, read back from what was recorded, the work-list
flags show for the personas, the child's and the external actors' SIPs are what they claim, the
past is dated in the past while the access log tells the truth, and a second run adds nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.audit.verification import verify_chain
from samplan.core.acting import Acting
from samplan.demo import cases, sips
from samplan.demo.cases import Candidate
from samplan.demo.generator import DEFAULT_PERSONS, DEFAULT_SEED, SIPS_KEY, create_demo_county
from samplan.directory.models import Membership
from samplan.sip import access, rules, selectors
from samplan.sip.models import (
    ConsentGiver,
    ExternalKind,
    MeetingKind,
    ParticipantKind,
    PreparationKind,
    ProcessStatus,
    SipEvent,
    SipProcess,
)


@pytest.fixture(scope="module")
def demo_build() -> Callable[[], object]:
    def build() -> object:
        create_demo_county(seed=DEFAULT_SEED, persons=DEFAULT_PERSONS, cases=False)
        cases.create_demo_cases(seed=DEFAULT_SEED)
        # A county made before SIPs were in the demo gets them on the next `make demo`.
        result = create_demo_county(seed=DEFAULT_SEED, persons=DEFAULT_PERSONS)
        assert result.counts[SIPS_KEY] == len(sips.CATALOGUE)
        return result

    return build


def persona(username: str) -> Acting:
    membership = Membership.objects.select_related("user", "unit").get(user__username=username)
    return Acting(user=membership.user, membership=membership)


def kind_of(process: SipProcess, today: date) -> str:
    """Which catalogue entry a process is, read from what is recorded, not from the catalogue."""
    if process.status == ProcessStatus.CLOSED:
        return "closed"
    if process.status == ProcessStatus.FOLLOW_UP:
        return "follow_up"
    if process.origin_stay_id is not None:
        return "from_stay"
    if rules.is_child(process.person.birth_date, today):
        return "child"
    if process.status == ProcessStatus.PREPARING:
        return "invited" if process.meetings.exists() else "no_consent"
    if process.participants.filter(external_kind=ExternalKind.SOCIAL_INSURANCE).exists():
        return "established"
    return "overdue"


def test_the_demo_county_has_sips_in_every_stage(demo: datetime) -> None:
    today = timezone.localdate()
    processes = {
        kind_of(p, today): p for p in SipProcess.objects.select_related("person", "origin_stay")
    }
    assert sorted(processes) == sorted(s.key for s in sips.CATALOGUE)
    for spec in sips.CATALOGUE:
        assert processes[spec.key].status == spec.status, spec.key

    # Preparing without consent: only the municipality that started it sees it.
    waiting = processes["no_consent"]
    consent = access.consent_state_of(waiting)
    assert not consent.is_valid
    assert waiting.preparation.filter(kind=PreparationKind.MAPPING).exists()

    # Consent given, kallelse sent for a meeting ahead, the person's wish recorded.
    invited = processes["invited"]
    assert access.consent_state_of(invited).is_valid
    [meeting] = invited.meetings.all()
    assert meeting.meeting_at > timezone.now()
    assert invited.preparation.filter(kind=PreparationKind.WISH, author_kind="person").exists()

    # Established: goals, actions, overall responsibility; external actors take part.
    established = processes["established"]
    version = established.versions.get()
    assert version.content["long_term_goal"]
    assert {a["organisation_kind"] for a in version.content["actions"]} == {
        "region",
        "municipality",
        "other",
    }
    assert version.content["lead_organisation"].startswith("Biståndsenheten")
    assert set(
        established.participants.filter(kind=ParticipantKind.EXTERNAL).values_list(
            "external_kind", flat=True
        )
    ) == {ExternalKind.SOCIAL_INSURANCE, ExternalKind.EMPLOYMENT_SERVICE}

    # Continued from a demo discharge case, its kallelse the first meeting.
    from_stay = processes["from_stay"]
    assert from_stay.origin_stay is not None
    assert from_stay.meetings.get().from_stay_message is not None
    assert from_stay.versions.exists()

    # A child: the guardians' consent, the child's own view, the school.
    child = processes["child"]
    state = access.consent_state_of(child)
    assert state.is_valid
    assert state.is_child
    assert not state.advice
    givers = set(child.consents.values_list("giver", flat=True))
    assert givers == {ConsentGiver.GUARDIAN}
    assert child.preparation.filter(kind=PreparationKind.CHILD_VIEW).exists()
    assert child.participants.filter(external_kind=ExternalKind.SCHOOL).exists()

    # Continuous SIP: a follow-up held, the next check-in it set called; closed with a reason
    # after an evaluation.
    follow_up = processes["follow_up"]
    called = follow_up.meetings.get(kind=MeetingKind.FOLLOW_UP, meeting_at__gt=timezone.now())
    [held] = [
        m.minutes.get()
        for m in follow_up.meetings.filter(kind=MeetingKind.FOLLOW_UP)
        if m.minutes.exists()
    ]
    assert held.next_follow_up_on == timezone.localdate(called.meeting_at)
    closed = processes["closed"]
    assert closed.close_reason == "goals_reached"
    assert closed.evaluations.exists()


def test_the_personas_work_lists_show_the_flags(demo: datetime) -> None:
    now = timezone.now()
    assessor = selectors.worklist(acting=persona("kommun.handlaggare"), now=now)
    nurse = selectors.worklist(acting=persona("vc.sjukskoterska"), now=now)
    assert len(assessor) >= 6
    assert len(nurse) >= 5
    flags = {f.code for item in assessor for f in item.flags}
    assert {rules.FlagCode.ACTIONS_OVERDUE, rules.FlagCode.PARTICIPANTS_WITHOUT_MANDATE} <= flags
    overdue = next(i for i in assessor if any(f.overdue for f in i.flags))
    assert overdue is assessor[0]  # overdue first
    # The SIP without consent: the municipality sees it, the vårdcentral is not even asked in.
    waiting = [i for i in assessor if not i.consent.is_valid]
    assert len(waiting) == 1
    assert waiting[0].process.pk not in {i.process.pk for i in nurse}
    assert any(i.is_lead for i in assessor)
    assert any(i.is_lead for i in nurse)


def test_the_past_is_dated_in_the_past_and_the_log_tells_the_truth(demo: datetime) -> None:
    closed = SipProcess.objects.get(status=ProcessStatus.CLOSED)
    assert closed.started_at < demo - timedelta(days=150)
    version = closed.versions.get()
    assert closed.started_at < version.established_at < closed.closed_at < demo
    events = list(closed.events.values_list("at", flat=True))
    assert events == sorted(events)
    assert events[-1] < demo - timedelta(days=100)
    # The access log is written at the real time, by the acting demo users, unbroken.
    entries = AccessLogEntry.objects.filter(person_id=closed.person_id, action=AccessAction.CREATE)
    assert entries.exists()
    assert all(e.at >= demo for e in entries)
    # One entry for each timeline event, as in real use (nothing of it was sent by e-mail).
    logged = AccessLogEntry.objects.filter(object_type__startswith="sip.")
    assert logged.count() == SipEvent.objects.count()
    assert not logged.filter(action=AccessAction.EXPORT).exists()
    assert verify_chain().intact


def test_a_second_run_adds_nothing(demo: datetime) -> None:
    before = SipProcess.objects.count()
    result = create_demo_county(seed=DEFAULT_SEED, persons=DEFAULT_PERSONS)
    assert result.counts == {}
    assert SipProcess.objects.count() == before


def candidate(pk: int, born: date, *, listed: str = sips.VC, protected: bool = False) -> Candidate:
    return Candidate(pk, born, "2190", listed, protected)


def test_choosing_persons_is_deterministic_and_fits_each_entry() -> None:
    now = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.get_fixed_timezone(60))
    pool = [
        candidate(1, date(1940, 1, 1)),
        candidate(2, date(1941, 1, 1), protected=True),
        candidate(3, date(1990, 1, 1)),
        candidate(4, date(2015, 1, 1)),
        candidate(5, date(2016, 1, 1)),
        *(candidate(10 + n, date(1935 + n, 1, 1), listed="other") for n in range(10)),
    ]
    chosen = sips.choose_persons(seed=7, candidates=pool, now=now, with_guardian=frozenset({5}))
    assert chosen == sips.choose_persons(seed=7, candidates=pool, now=now, with_guardian={5})
    assert chosen["child"] == 5  # the only child with a recorded guardian
    assert chosen["established"] == 3  # the only adult under 65
    assert 2 not in chosen.values()  # never a protected identity
    assert len(set(chosen.values())) == len(chosen)
    assert "from_stay" not in chosen
    # Listed at Vårdcentralen Centrum first.
    assert chosen["no_consent"] == 1 or 1 in chosen.values()
    # Without a child with a guardian, the child's entry is left out.
    assert "child" not in sips.choose_persons(seed=7, candidates=pool, now=now)


def test_the_demo_sign_in_offers_a_person_with_an_established_plan(demo: datetime) -> None:
    from samplan.portal.demo import demo_citizens

    offered = {c.identifier.value: c for c in demo_citizens(timezone.localdate())}
    established = SipProcess.objects.filter(
        status__in=[ProcessStatus.ESTABLISHED, ProcessStatus.FOLLOW_UP],
        person__identifier__in=offered,
        versions__isnull=False,
    )
    assert established.exists(), "someone in the demo sign-in list has an established plan"
    assert any(c.note == "Har en plan (SIP)." for c in offered.values())
