"""The pure SIP rules: consent by age and giver, approval, status, mandate and work-list flags."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samplan.agreements.schema import STOCKHOLM, SipRules
from samplan.sip.plan import PlanAction, PlanContent
from samplan.sip.rules import (
    CheckIn,
    CheckInSource,
    ConsentFact,
    ConsentGiver,
    ConsentStatus,
    FlagCode,
    MeetingFact,
    NeedLevel,
    ParticipantFact,
    ProcessStatus,
    SipFacts,
    age_on,
    approval_missing,
    consent_state,
    derive_status,
    is_child,
    next_check_in,
    participants_without_mandate,
    worklist_flags,
)

ADULT = date(1980, 5, 17)
TODAY = date(2026, 3, 10)


def fact(given: bool, giver: ConsentGiver, on: date = TODAY, name: str = "", order: int = 0):
    return ConsentFact(given=given, giver=giver, on=on, name=name, order=order)


# --- Age --------------------------------------------------------------------------------------


def test_age_turns_on_the_birthday() -> None:
    assert age_on(date(2008, 3, 10), date(2026, 3, 9)) == 17
    assert age_on(date(2008, 3, 10), date(2026, 3, 10)) == 18
    assert is_child(date(2008, 3, 10), date(2026, 3, 9))
    assert not is_child(date(2008, 3, 10), date(2026, 3, 10))


def test_leap_day_birthday_counts_from_first_of_march() -> None:
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert age_on(date(2008, 2, 29), date(2028, 2, 29)) == 20


@settings(deadline=None)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)),
    days=st.integers(min_value=0, max_value=120 * 366),
)
def test_age_is_full_years(birth: date, days: int) -> None:
    on = birth + timedelta(days=days)
    age = age_on(birth, on)
    assert age >= 0
    # The birthday of year ``age`` has passed, that of ``age + 1`` has not.
    assert (on.month, on.day) >= (birth.month, birth.day) or on.year - birth.year - 1 == age
    assert age in (on.year - birth.year, on.year - birth.year - 1)


# --- Consent ----------------------------------------------------------------------------------


def test_adult_without_consent_is_missing() -> None:
    state = consent_state([], ADULT, TODAY)
    assert state.status == ConsentStatus.MISSING
    assert state.missing == ("Personens samtycke saknas.",)
    assert not state.is_valid


@pytest.mark.parametrize("giver", [ConsentGiver.PERSON, ConsentGiver.REPRESENTATIVE])
def test_adult_consents_personally_or_by_representative(giver: ConsentGiver) -> None:
    state = consent_state([fact(True, giver, name="God Man")], ADULT, TODAY)
    assert state.status == ConsentStatus.VALID
    assert state.missing == ()
    assert state.advice == ()


def test_a_guardians_consent_does_not_count_for_an_adult() -> None:
    state = consent_state([fact(True, ConsentGiver.GUARDIAN, name="Mor")], ADULT, TODAY)
    assert state.status == ConsentStatus.MISSING
    assert "fyllt 18" in state.missing[1]


def test_guardian_consent_ends_on_the_18th_birthday() -> None:
    birth = date(2008, 3, 10)
    facts = [fact(True, ConsentGiver.GUARDIAN, on=date(2025, 1, 1), name="Mor")]
    assert consent_state(facts, birth, date(2026, 3, 9)).is_valid
    assert consent_state(facts, birth, date(2026, 3, 10)).status == ConsentStatus.MISSING


def test_child_needs_a_guardian_not_only_their_own_word() -> None:
    child = date(2014, 6, 1)
    state = consent_state([fact(True, ConsentGiver.PERSON)], child, TODAY)
    assert state.status == ConsentStatus.CHILD_NEEDS_GUARDIAN
    assert state.missing == ("Samtycke från vårdnadshavare saknas.",)
    assert state.advice == ("Barnets egen uppfattning är inte dokumenterad.",)
    state = consent_state(
        [fact(True, ConsentGiver.GUARDIAN, name="Far")], child, TODAY, child_view_recorded=True
    )
    assert state.is_valid
    assert state.is_child
    assert state.advice == ()


def test_each_givers_latest_event_counts_and_any_withdrawal_wins() -> None:
    given_then_withdrawn = [
        fact(True, ConsentGiver.PERSON, on=date(2026, 1, 1)),
        fact(False, ConsentGiver.PERSON, on=date(2026, 2, 1)),
    ]
    state = consent_state(given_then_withdrawn, ADULT, TODAY)
    assert state.status == ConsentStatus.WITHDRAWN
    assert state.missing == ("Samtycket är återkallat av personen.",)
    again = [*given_then_withdrawn, fact(True, ConsentGiver.PERSON, on=date(2026, 3, 1))]
    assert consent_state(again, ADULT, TODAY).is_valid
    # The representative's withdrawal stops sharing even though the person consented.
    both = [
        fact(True, ConsentGiver.PERSON),
        fact(False, ConsentGiver.REPRESENTATIVE, name="Gun God Man"),
    ]
    state = consent_state(both, ADULT, TODAY)
    assert state.status == ConsentStatus.WITHDRAWN
    assert "företrädare Gun God Man" in state.missing[0]


def test_two_guardians_are_told_apart_by_name() -> None:
    child = date(2014, 6, 1)
    facts = [
        fact(True, ConsentGiver.GUARDIAN, name="Maria", order=1),
        fact(True, ConsentGiver.GUARDIAN, name="Per", order=2),
        fact(False, ConsentGiver.GUARDIAN, name="per ", order=3),
    ]
    state = consent_state(facts, child, TODAY)
    assert state.status == ConsentStatus.WITHDRAWN
    assert state.missing == ("Samtycket är återkallat av vårdnadshavare per.",)


def test_same_day_events_follow_the_recording_order() -> None:
    facts = [fact(False, ConsentGiver.PERSON, order=2), fact(True, ConsentGiver.PERSON, order=1)]
    assert consent_state(facts, ADULT, TODAY).status == ConsentStatus.WITHDRAWN
    facts = [fact(False, ConsentGiver.PERSON, order=1), fact(True, ConsentGiver.PERSON, order=2)]
    assert consent_state(facts, ADULT, TODAY).is_valid


def test_events_after_the_date_do_not_count_yet() -> None:
    facts = [fact(True, ConsentGiver.PERSON, on=TODAY + timedelta(days=1))]
    assert consent_state(facts, ADULT, TODAY).status == ConsentStatus.MISSING


givers = st.sampled_from(list(ConsentGiver))
facts_strategy = st.lists(
    st.builds(
        ConsentFact,
        given=st.booleans(),
        giver=givers,
        on=st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31)),
        name=st.sampled_from(["", "Maria", "Per"]),
        order=st.integers(min_value=0, max_value=1000),
    ),
    max_size=8,
    # ``order`` is the row's primary key: never shared by two events.
    unique_by=lambda f: f.order,
)


@settings(deadline=None)
@given(
    facts=facts_strategy,
    birth=st.dates(min_value=date(1930, 1, 1), max_value=date(2026, 1, 1)),
    on=st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31)),
)
def test_consent_state_invariants(facts: list[ConsentFact], birth: date, on: date) -> None:
    state = consent_state(facts, birth, on)
    child = age_on(birth, on) < 18
    entitled = (
        {ConsentGiver.GUARDIAN} if child else {ConsentGiver.PERSON, ConsentGiver.REPRESENTATIVE}
    )
    counted = [f for f in facts if f.on <= on and f.giver in entitled]
    assert state.is_child == child
    # Valid exactly when nothing is missing.
    assert state.is_valid == (state.missing == ())
    # Never valid without a give by someone entitled, on or before the date.
    if state.is_valid:
        assert any(f.given for f in counted)
    # Nobody entitled recorded anything: missing (adult) or needs a guardian (child).
    if not counted:
        assert state.status == (
            ConsentStatus.CHILD_NEEDS_GUARDIAN if child else ConsentStatus.MISSING
        )
    # A withdrawal by an entitled giver that is their latest event always blocks.
    latest: dict[tuple[ConsentGiver, str], ConsentFact] = {}
    for f in sorted(counted, key=lambda f: (f.on, f.order)):
        latest[f.giver_key] = f
    if any(not f.given for f in latest.values()):
        assert state.status == ConsentStatus.WITHDRAWN
    # Order of the input does not matter.
    assert consent_state(list(reversed(facts)), birth, on).status == state.status


# --- Approval, status, mandate ----------------------------------------------------------------


def test_approval_missing_names_each_required_participant() -> None:
    required = [(1, "Vårdcentralen"), (2, "Biståndsenheten")]
    assert approval_missing(required, [1, 2], person_agreed=True) == []
    assert approval_missing(required, [1, 3], person_agreed=True) == [
        "Biståndsenheten har inte godkänt planen."
    ]
    assert approval_missing([], [], person_agreed=False) == [
        "Personen (eller vårdnadshavaren) har inte godkänt planen."
    ]


@pytest.mark.parametrize(
    ("closed", "version", "follow_up", "status"),
    [
        (False, False, False, ProcessStatus.PREPARING),
        (False, False, True, ProcessStatus.PREPARING),
        (False, True, False, ProcessStatus.ESTABLISHED),
        (False, True, True, ProcessStatus.FOLLOW_UP),
        (True, False, False, ProcessStatus.CLOSED),
        (True, True, True, ProcessStatus.CLOSED),
    ],
)
def test_derive_status(closed: bool, version: bool, follow_up: bool, status: str) -> None:
    assert (
        derive_status(closed=closed, has_version=version, has_follow_up_meeting=follow_up) == status
    )


def test_participants_without_mandate() -> None:
    people = [
        ParticipantFact("unit", "Vårdcentralen", False, unit_id=1),
        ParticipantFact("staff", "Fia Fast (Vårdcentralen)", True, unit_id=1),
        ParticipantFact("unit", "Biståndsenheten", False, unit_id=2),
        ParticipantFact("staff", "Bo Bistånd (Biståndsenheten)", False, unit_id=2),
        ParticipantFact("relative", "Eva", False),
        ParticipantFact("external", "Sara Skola", False),
        ParticipantFact("external", "Försäkringskassan", True),
    ]
    assert participants_without_mandate(people) == [
        "Biståndsenheten",
        "Bo Bistånd (Biståndsenheten)",
        "Sara Skola",
    ]


# --- Work-list flags --------------------------------------------------------------------------


def moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM)


START = date(2026, 3, 2)
RULES = SipRules(invitation_within_days=14, plan_within_days_after_meeting=14, inactivity_days=60)


def plan(follow_up_on: date | None = None, *due: date | None, status: str = "planned"):
    return PlanContent(
        long_term_goal="Bo kvar hemma",
        actions=tuple(
            PlanAction(
                id=f"a{i}",
                what=f"Insats {i}",
                organisation_kind="region",
                organisation="VC",
                due=d,
                status=status,
            )
            for i, d in enumerate(due)
        ),
        lead_organisation="VC",
        follow_up_on=follow_up_on,
    )


def facts(**fields) -> SipFacts:
    fields.setdefault("started_at", moment(START))
    fields.setdefault("rules", RULES)
    return SipFacts(**fields)


def codes(flags) -> list[FlagCode]:
    return [f.code for f in flags]


def test_kallelse_is_due_until_a_meeting_is_called_and_overdue_after_the_deadline() -> None:
    due = START + timedelta(days=14)
    flags = worklist_flags(facts(), moment(START))
    assert codes(flags) == [FlagCode.INVITATION_DUE]
    assert flags[0].due == due
    assert not flags[0].overdue
    assert not worklist_flags(facts(), moment(due, 23))[0].overdue
    assert worklist_flags(facts(), moment(due + timedelta(days=1), 0))[0].overdue
    called = facts(meetings=[MeetingFact("first", moment(START + timedelta(days=20)))])
    assert worklist_flags(called, moment(due + timedelta(days=1))) == []
    cancelled = facts(
        meetings=[MeetingFact("first", moment(START + timedelta(days=20)), cancelled=True)]
    )
    assert codes(worklist_flags(cancelled, moment(START))) == [FlagCode.INVITATION_DUE]


def test_no_flags_for_a_closed_process_or_no_sip_need() -> None:
    assert worklist_flags(facts(closed=True), moment(START + timedelta(days=90))) == []
    assert (
        worklist_flags(facts(need_level=NeedLevel.NONE), moment(START + timedelta(days=90))) == []
    )
    assert worklist_flags(facts(need_level=NeedLevel.SHORT), moment(START + timedelta(days=90)))


def test_plan_not_established_n_days_after_the_first_meeting() -> None:
    meeting_day = START + timedelta(days=5)
    f = facts(meetings=[MeetingFact("first", moment(meeting_day))])
    assert worklist_flags(f, moment(meeting_day + timedelta(days=14), 23)) == []
    flags = worklist_flags(f, moment(meeting_day + timedelta(days=15)))
    assert codes(flags) == [FlagCode.PLAN_NOT_ESTABLISHED]
    assert flags[0].text == "Planen är inte fastställd, 15 dagar efter mötet."
    established = facts(
        meetings=[MeetingFact("first", moment(meeting_day))],
        established_at=moment(meeting_day + timedelta(days=20)),
        latest_established_at=moment(meeting_day + timedelta(days=20)),
        plan=plan(meeting_day + timedelta(days=90)),
    )
    assert worklist_flags(established, moment(meeting_day + timedelta(days=21))) == []


def test_overdue_actions_counted_only_while_open() -> None:
    today = START + timedelta(days=30)
    established = {
        "meetings": [MeetingFact("first", moment(START + timedelta(days=3)))],
        "established_at": moment(START + timedelta(days=4)),
        "latest_established_at": moment(START + timedelta(days=4)),
        "last_activity_at": moment(today),
    }
    overdue = facts(
        **established, plan=plan(today + timedelta(days=30), today - timedelta(days=1), today, None)
    )
    flags = worklist_flags(overdue, moment(today))
    assert codes(flags) == [FlagCode.ACTIONS_OVERDUE]
    assert flags[0].text == "1 insats har passerat sitt slutdatum."
    assert flags[0].due == today - timedelta(days=1)
    done = facts(
        **established,
        plan=plan(today + timedelta(days=30), today - timedelta(days=1), status="done"),
    )
    assert worklist_flags(done, moment(today)) == []
    two = facts(
        **established,
        plan=plan(today + timedelta(days=30), today - timedelta(days=3), today - timedelta(days=1)),
    )
    assert worklist_flags(two, moment(today))[0].text == "2 insatser har passerat sitt slutdatum."


def test_follow_up_date_missing_or_passed_without_a_follow_up_meeting() -> None:
    established_at = moment(START + timedelta(days=4))
    base = {
        "meetings": [MeetingFact("first", moment(START + timedelta(days=3)))],
        "established_at": established_at,
        "latest_established_at": established_at,
        "last_activity_at": moment(START + timedelta(days=40)),
    }
    today = START + timedelta(days=40)
    assert codes(worklist_flags(facts(**base, plan=plan(None)), moment(today))) == [
        FlagCode.NO_FOLLOW_UP_DATE
    ]
    follow_up_on = START + timedelta(days=30)
    flags = worklist_flags(facts(**base, plan=plan(follow_up_on)), moment(today))
    assert codes(flags) == [FlagCode.FOLLOW_UP_DUE]
    assert flags[0].due == follow_up_on
    called = {
        **base,
        "meetings": [
            *base["meetings"],
            MeetingFact("follow_up", moment(today + timedelta(days=3))),
        ],
    }
    assert worklist_flags(facts(**called, plan=plan(follow_up_on)), moment(today)) == []


def test_participants_without_mandate_flagged() -> None:
    f = facts(
        meetings=[MeetingFact("first", moment(START + timedelta(days=20)))],
        participants_without_mandate=["Sara Skola"],
    )
    flags = worklist_flags(f, moment(START))
    assert codes(flags) == [FlagCode.PARTICIPANTS_WITHOUT_MANDATE]
    assert flags[0].text == "Deltagare utan mandat: Sara Skola."
    assert not flags[0].overdue


def test_no_activity_m_days_after_the_last_meeting() -> None:
    meeting = START + timedelta(days=3)
    base = {
        "meetings": [MeetingFact("first", moment(meeting))],
        "established_at": moment(meeting),
        "latest_established_at": moment(meeting),
        "plan": plan(meeting + timedelta(days=365)),
    }
    assert worklist_flags(facts(**base), moment(meeting + timedelta(days=60), 23)) == []
    flags = worklist_flags(facts(**base), moment(meeting + timedelta(days=61)))
    assert codes(flags) == [FlagCode.NO_ACTIVITY]
    assert flags[0].text == f"Ingen aktivitet sedan {meeting.isoformat()}."
    active = facts(**base, last_activity_at=moment(meeting + timedelta(days=30)))
    assert worklist_flags(active, moment(meeting + timedelta(days=61))) == []
    upcoming = {
        **base,
        "meetings": [
            *base["meetings"],
            MeetingFact("follow_up", moment(meeting + timedelta(days=70))),
        ],
    }
    assert worklist_flags(facts(**upcoming), moment(meeting + timedelta(days=61))) == []


def test_flags_use_stockholm_dates() -> None:
    # 23:30 UTC on day 14 is already day 15 in Stockholm: the kallelse is overdue.
    due = START + timedelta(days=14)
    late = datetime(due.year, due.month, due.day, 23, 30, tzinfo=UTC)
    assert worklist_flags(facts(), late)[0].overdue


@settings(deadline=None)
@given(
    started=st.integers(min_value=0, max_value=200),
    meeting=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    now=st.integers(min_value=0, max_value=400),
)
def test_flags_never_overdue_before_their_due_date(
    started: int, meeting: int | None, now: int
) -> None:
    base = date(2026, 1, 1)
    start_day = base + timedelta(days=started)
    now_day = start_day + timedelta(days=now)
    meetings = (
        [MeetingFact("first", moment(start_day + timedelta(days=meeting)))]
        if meeting is not None
        else []
    )
    flags = worklist_flags(
        SipFacts(started_at=moment(start_day), meetings=meetings, rules=RULES), moment(now_day)
    )
    for flag in flags:
        if flag.overdue:
            assert flag.due is not None
            assert now_day > flag.due
    if meetings:
        assert FlagCode.INVITATION_DUE not in codes(flags)
    else:
        assert codes(flags) == [FlagCode.INVITATION_DUE]


# --- Continuous SIP: the next check-in ----------------------------------------------------------


def established(at: date, follow_up_on: date | None, **fields) -> SipFacts:
    """A plan established at ``at`` after a first meeting the day before."""
    fields.setdefault("meetings", [])
    fields["meetings"] = [
        MeetingFact("first", moment(at - timedelta(days=1)), has_minutes=True),
        *fields["meetings"],
    ]
    fields.setdefault("last_activity_at", moment(at))
    p = plan(follow_up_on)
    p = p.model_copy(update={"follow_up_by": "Fia Fast"})
    return facts(
        established_at=moment(at, 15), latest_established_at=moment(at, 15), plan=p, **fields
    )


def held(day: date, next_on: date | None = None, by: str = "", kind: str = "follow_up"):
    return MeetingFact(
        kind, moment(day), has_minutes=True, next_follow_up_on=next_on, next_follow_up_by=by
    )


def test_no_check_in_before_a_plan_is_established() -> None:
    assert next_check_in(facts()) is None
    assert next_check_in(facts(meetings=[held(START, START + timedelta(days=30))])) is None


def test_the_plan_sets_the_first_check_in_and_a_called_follow_up_answers_it() -> None:
    at = START + timedelta(days=4)
    check_in = next_check_in(established(at, START + timedelta(days=60)))
    assert check_in == CheckIn(
        START + timedelta(days=60), "Fia Fast", CheckInSource.PLAN, moment(at, 15)
    )
    called = MeetingFact("follow_up", moment(START + timedelta(days=58)))
    answered = next_check_in(established(at, START + timedelta(days=60), meetings=[called]))
    assert answered.meeting_at == called.meeting_at
    assert answered.on == START + timedelta(days=60)


def test_each_follow_up_sets_the_next_check_in_and_the_flag_fires_again() -> None:
    """The recurring check-in: after a follow-up, "follow-up due" comes back for the next one."""
    at = START + timedelta(days=4)
    first_due = START + timedelta(days=30)
    second_due = START + timedelta(days=90)
    f = established(at, first_due, meetings=[held(first_due, second_due, "Bo Bistånd")])
    check_in = next_check_in(f)
    assert check_in == CheckIn(second_due, "Bo Bistånd", CheckInSource.MINUTES, moment(first_due))
    # The plan's own date has passed, but the follow-up was held: nothing is due until the next.
    f = established(
        at,
        first_due,
        meetings=[held(first_due, second_due, "Bo Bistånd")],
        last_activity_at=moment(second_due),
    )
    assert worklist_flags(f, moment(second_due, 23)) == []
    flags = worklist_flags(f, moment(second_due + timedelta(days=1)))
    assert codes(flags) == [FlagCode.FOLLOW_UP_DUE]
    assert flags[0].due == second_due
    assert flags[0].overdue
    assert flags[0].text == (
        f"Uppföljningen skulle ha skett {second_due.isoformat()} men inget uppföljningsmöte "
        "är kallat."
    )
    # Calling the next follow-up answers it.
    f = established(
        at,
        first_due,
        meetings=[
            held(first_due, second_due),
            MeetingFact("follow_up", moment(second_due + timedelta(days=5))),
        ],
        last_activity_at=moment(second_due),
    )
    assert worklist_flags(f, moment(second_due + timedelta(days=1))) == []


def test_a_follow_up_without_a_next_date_is_flagged() -> None:
    at = START + timedelta(days=4)
    due = START + timedelta(days=30)
    f = established(at, due, meetings=[held(due)], last_activity_at=moment(due))
    check_in = next_check_in(f)
    assert (check_in.on, check_in.source) == (None, CheckInSource.MINUTES)
    flags = worklist_flags(f, moment(due + timedelta(days=1)))
    assert codes(flags) == [FlagCode.NO_FOLLOW_UP_DATE]
    assert flags[0].text == (
        f"Nästa uppföljning är inte bestämd: protokollet från uppföljningen {due.isoformat()} "
        "anger inget datum."
    )
    assert not flags[0].overdue
    called = established(
        at,
        due,
        meetings=[held(due), MeetingFact("evaluation", moment(due + timedelta(days=20)))],
        last_activity_at=moment(due),
    )
    assert worklist_flags(called, moment(due + timedelta(days=1))) == []


def test_a_plan_without_a_follow_up_date_is_flagged_as_before() -> None:
    at = START + timedelta(days=4)
    flags = worklist_flags(established(at, None), moment(at + timedelta(days=1)))
    assert codes(flags) == [FlagCode.NO_FOLLOW_UP_DATE]
    assert flags[0].text == "Den fastställda planen saknar uppföljningsdatum."


def test_a_newer_version_sets_the_check_in_again() -> None:
    at = START + timedelta(days=4)
    follow_up = START + timedelta(days=30)
    f = established(at, follow_up, meetings=[held(follow_up, START + timedelta(days=60))])
    newer = facts(
        meetings=f.meetings,
        established_at=f.established_at,
        latest_established_at=moment(follow_up + timedelta(days=2)),
        plan=plan(START + timedelta(days=120)),
    )
    check_in = next_check_in(newer)
    assert (check_in.on, check_in.source) == (START + timedelta(days=120), CheckInSource.PLAN)
    # The date the follow-up set before the newer version no longer counts.
    later = worklist_flags(newer, moment(START + timedelta(days=61)))
    assert FlagCode.FOLLOW_UP_DUE not in codes(later)


def test_the_latest_held_meeting_counts_not_the_latest_written_minutes() -> None:
    at = START + timedelta(days=4)
    one, two = START + timedelta(days=30), START + timedelta(days=60)
    # Listed out of order (the older meeting's minutes corrected last): the later meeting wins.
    f = established(at, one, meetings=[held(two, START + timedelta(days=90)), held(one, two)])
    assert next_check_in(f).on == START + timedelta(days=90)


def test_cancelled_meetings_and_the_first_meeting_set_no_check_in() -> None:
    at = START + timedelta(days=4)
    due = START + timedelta(days=30)
    ignored = [
        MeetingFact(
            "follow_up",
            moment(due - timedelta(days=2)),
            cancelled=True,
            has_minutes=True,
            next_follow_up_on=due + timedelta(days=300),
        ),
        MeetingFact("follow_up", moment(due + timedelta(days=3)), cancelled=True),
        held(at + timedelta(days=1), due + timedelta(days=300), kind="first"),
    ]
    f = established(at, due, meetings=ignored, last_activity_at=moment(due))
    check_in = next_check_in(f)
    assert (check_in.on, check_in.source, check_in.meeting_at) == (due, CheckInSource.PLAN, None)
    assert codes(worklist_flags(f, moment(due + timedelta(days=1)))) == [FlagCode.FOLLOW_UP_DUE]


def test_an_evaluation_meeting_is_a_check_in_too() -> None:
    at = START + timedelta(days=4)
    due = START + timedelta(days=30)
    f = established(at, due, meetings=[held(due, due + timedelta(days=60), kind="evaluation")])
    assert next_check_in(f).on == due + timedelta(days=60)


@settings(deadline=None)
@given(
    gaps=st.lists(st.integers(min_value=1, max_value=120), min_size=0, max_size=6),
    now_after=st.integers(min_value=-5, max_value=200),
    called=st.booleans(),
)
def test_follow_up_due_fires_after_every_check_in_left_unanswered(
    gaps: list[int], now_after: int, called: bool
) -> None:
    """Follow-ups held one after the other, each setting the next date: the check-in is always
    the last one's date, and "follow-up due" fires exactly when it has passed with nothing
    called for it."""
    at = date(2026, 1, 10)
    due = at + timedelta(days=30)
    meetings = []
    for gap in gaps:
        meetings.append(held(due, due + timedelta(days=gap)))
        due = due + timedelta(days=gap)
    # The last follow-up was held on the day before ``due`` at the latest.
    last_held = meetings[-1].meeting_at if meetings else moment(at, 15)
    if called:
        meetings.append(MeetingFact("follow_up", last_held + timedelta(days=1)))
    f = established(at, at + timedelta(days=30), meetings=meetings, last_activity_at=None)
    check_in = next_check_in(f)
    assert check_in.on == due
    assert check_in.source == (CheckInSource.MINUTES if gaps else CheckInSource.PLAN)
    today = due + timedelta(days=now_after)
    flags = worklist_flags(f, moment(today, 12))
    fired = FlagCode.FOLLOW_UP_DUE in codes(flags)
    assert fired == (today > due and not called)
    assert FlagCode.NO_FOLLOW_UP_DATE not in codes(flags)


# --- A SIP continuing a discharge case: the law's kallelse deadline -----------------------------


def test_the_discharge_deadline_replaces_the_generic_kallelse_rule() -> None:
    # Utskrivningsklar 2026-03-03 at 12.05: kallelse within 3 days, by the end of 2026-03-06.
    deadline = datetime(2026, 3, 6, 23, 59, 59, 999999, tzinfo=STOCKHOLM)
    f = facts(started_at=moment(date(2026, 3, 4)), invitation_deadline=deadline)
    flags = worklist_flags(f, moment(date(2026, 3, 4)))
    assert codes(flags) == [FlagCode.INVITATION_DUE]
    assert flags[0].due == date(2026, 3, 6)
    assert flags[0].text == (
        "Kallelse till SIP-möte ska skickas senast 2026-03-06, enligt lagens tidsgräns efter "
        "underrättelsen om utskrivningsklar."
    )
    assert not flags[0].overdue
    assert not worklist_flags(f, deadline)[0].overdue
    assert worklist_flags(f, deadline + timedelta(microseconds=1))[0].overdue
    # Midnight in Stockholm is 23:00 UTC in winter: the next day has begun, it is overdue.
    assert worklist_flags(f, datetime(2026, 3, 6, 23, 0, 1, tzinfo=UTC))[0].overdue
    # 14 days from the start would have been 2026-03-18: not used.
    assert worklist_flags(f, moment(date(2026, 3, 10)))[0].overdue
    # A called meeting answers it, as for any SIP.
    called = facts(
        started_at=moment(date(2026, 3, 4)),
        invitation_deadline=deadline,
        meetings=[MeetingFact("first", moment(date(2026, 3, 9)))],
    )
    assert worklist_flags(called, moment(date(2026, 3, 10))) == []


def test_without_a_discharge_deadline_the_agreement_rule_counts_from_the_start() -> None:
    f = facts(started_at=moment(date(2026, 3, 4)))
    assert worklist_flags(f, moment(date(2026, 3, 10)))[0].due == date(2026, 3, 18)
