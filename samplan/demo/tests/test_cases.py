"""The demo county's discharge cases: every stage is there, every care persona has work waiting,
protected identities go through the same steps, and everything is recorded as in real use."""

from collections.abc import Callable
from datetime import date, datetime

import pytest
from django.test import Client
from django.utils import timezone

from samplan.agreements.services import agreement_of, agreement_record_for
from samplan.audit.models import AccessLogEntry
from samplan.audit.verification import verify_chain
from samplan.core.acting import Acting
from samplan.demo import cases
from samplan.demo.cases import CATALOGUE, Action, Candidate, plan_cases
from samplan.demo.generator import (
    DEFAULT_PERSONS,
    DEFAULT_SEED,
    PERSONA_USERNAMES,
    create_demo_county,
)
from samplan.directory.models import Membership
from samplan.discharge import access, selectors
from samplan.discharge.facts import facts_of
from samplan.discharge.models import (
    CaseEvent,
    CaseEventKind,
    CaseParty,
    InpatientStay,
    Message,
    MessageKind,
    MessageRecipient,
    OutpatientUnavailability,
    PartyStatus,
    StayStatus,
)
from samplan.discharge.rules import ObligationKind, open_obligations
from samplan.testing.factories import sign_in

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.get_fixed_timezone(60))


@pytest.fixture(scope="module")
def demo_build() -> Callable[[], object]:
    def build() -> object:
        result = create_demo_county(seed=DEFAULT_SEED, persons=DEFAULT_PERSONS)
        assert result.counts["utskrivningsärenden"] == len(CATALOGUE)
        return result

    return build


def stage_of(stay: InpatientStay) -> str:
    """How far a case has come, read from what is recorded, not from the catalogue."""
    kinds = set(stay.messages.filter(withdrawn_at__isnull=True).values_list("kind", flat=True))
    if stay.status == StayStatus.INTERRUPTED:
        event = stay.events.get(kind=CaseEventKind.INTERRUPTED)
        return f"avbrutet:{event.data['interruption']}"
    if stay.status == StayStatus.DISCHARGED:
        return "utskriven"
    if MessageKind.SIP_INVITATION in kinds:
        return "kallelse skickad"
    if stay.ready_notice_sent_at is not None:
        return "utskrivningsklar"
    if stay.care_contact_id is not None:
        return "fast vårdkontakt utsedd"
    if stay.assessments.exists():
        return "färg bedömd"
    if MessageKind.ADMISSION_NOTICE in kinds:
        waiting = MessageRecipient.objects.filter(
            message__stay=stay, message__kind=MessageKind.ADMISSION_NOTICE
        ).filter(acknowledged_at__isnull=True)
        return "meddelande okvitterat" if waiting.exists() else "kvitterat"
    if stay.arrival_conversations.exists():
        return "ankomstsamtal"
    return "inskriven"


def open_kinds(stay: InpatientStay, now: datetime) -> dict[ObligationKind, bool]:
    """Open obligation kinds of a case → whether any of that kind is overdue."""
    found: dict[ObligationKind, bool] = {}
    for obligation in open_obligations(facts_of(stay), agreement_of(stay.agreement), now):
        found[obligation.kind] = found.get(obligation.kind, False) or obligation.is_overdue(now)
    return found


def test_a_case_in_every_stage(demo) -> None:
    now = timezone.now()
    stays = list(InpatientStay.objects.select_related("person", "agreement", "ward"))
    stages = [stage_of(s) for s in stays]
    assert set(stages) == {
        "inskriven",
        "ankomstsamtal",
        "meddelande okvitterat",
        "kvitterat",
        "färg bedömd",
        "fast vårdkontakt utsedd",
        "utskrivningsklar",
        "kallelse skickad",
        "utskriven",
        "avbrutet:died",
        "avbrutet:transferred",
        "avbrutet:cancelled",
        "avbrutet:declined",
    }
    assert len({s.ward_id for s in stays}) == 8  # every ward of the county
    assert {"A", "B", "C", "D"} <= {s.planning_category for s in stays}

    # Just admitted: one still within the 24 hours, one past them.
    admitted = [s for s, stage in zip(stays, stages, strict=True) if stage == "inskriven"]
    overdue = [open_kinds(s, now)[ObligationKind.RECORD_ARRIVAL_CONVERSATION] for s in admitted]
    assert True in overdue
    assert False in overdue
    # Utskrivningsklar with the SIP invitation due, once in time and once late.
    sip_due = [
        open_kinds(s, now)[ObligationKind.SEND_SIP_INVITATION]
        for s, stage in zip(stays, stages, strict=True)
        if stage == "utskrivningsklar"
        and s.planning_category not in ("B", "C")
        and not facts_of(s).svpl_instead_of_sip  # the SVPL replaces the SIP (4:1)
    ]
    assert True in sip_due
    assert False in sip_due
    # The FVK overrode the computed colour somewhere, with a reason.
    assert any(s.overrides.exclude(reason="").exists() for s in stays)
    # Discharged with a discharge notice: some acknowledged by all, some not yet.
    notices = Message.objects.filter(kind=MessageKind.DISCHARGE_NOTICE)
    assert notices.count() == sum(stage == "utskriven" for stage in stages)
    waiting = {n.pk: n.recipients.filter(acknowledged_at__isnull=True).exists() for n in notices}
    assert set(waiting.values()) == {True, False}


def test_the_other_steps_of_the_process_are_shown_too(demo) -> None:
    """5:5 periods (ended and ongoing), a notice forwarded within the municipality, a party
    marked wrongly addressed and one added later, a withdrawn message, a written plan given."""
    periods = OutpatientUnavailability.objects.all()
    assert {p.ends_on is None for p in periods} == {True, False}
    assert all(p.ends_on is None or p.ends_on >= p.starts_on for p in periods)
    forwarded = CaseParty.objects.get(forwarded_from__isnull=False)
    assert forwarded.unit.kind == "municipal_health_care"
    assert forwarded.forwarded_from.kind == "social_services"
    assert MessageRecipient.objects.filter(
        unit=forwarded.unit, message__stay=forwarded.stay, message__kind="admission_notice"
    ).exists()
    felsand = CaseParty.objects.get(status=PartyStatus.WRONGLY_ADDRESSED)
    assert felsand.status_reason
    added = CaseEvent.objects.get(kind=CaseEventKind.PARTY_ADDED)
    assert added.stay_id == felsand.stay_id
    withdrawn = Message.objects.get(withdrawn_at__isnull=False)
    assert withdrawn.withdrawn_reason
    assert withdrawn.sent_at < withdrawn.withdrawn_at < demo
    given = InpatientStay.objects.get(written_plan_given_at__isnull=False)
    meeting = datetime.fromisoformat(
        given.messages.get(kind=MessageKind.SIP_INVITATION).payload["meeting_at"]
    )
    assert meeting < given.written_plan_given_at < given.discharged_at
    # The case page shows them as they are (an ongoing period can be ended by the vårdcentral).
    ongoing = periods.get(ends_on__isnull=True).stay
    vc = Membership.objects.filter(
        unit__in=ongoing.parties.filter(unit__kind="primary_care").values("unit"),
        role="nurse_coordinator",
    ).first()
    page = sign_in(Client(), vc).get(f"/arenden/{ongoing.public_id}/").content.decode()
    assert "Avsluta perioden" in page


def test_every_care_persona_has_work_some_of_it_overdue(demo) -> None:
    now = timezone.now()
    memberships = Membership.objects.active().filter(
        user__username__in=PERSONA_USERNAMES, role__in=access.CARE_ROLES
    )
    assert {m.user.username for m in memberships} == {
        "avd.sjukskoterska",
        "avd.lakare",
        "vc.chef",
        "vc.sjukskoterska",
        "kommun.handlaggare",
        "kommun.sjukskoterska",
        "multi",
    }
    for membership in memberships:
        work = selectors.worklist(acting=Acting(membership.user, membership), now=now)
        where = f"{membership.user.username} på {membership.unit.name}"
        assert len(work.items) >= 1, where
        assert work.overdue_count >= 1, where
    # The persona units are parties to several cases each.
    for username in ("avd.sjukskoterska", "vc.chef", "kommun.handlaggare", "kommun.sjukskoterska"):
        unit = Membership.objects.get(user__username=username).unit
        assert access.stays_for_unit(unit).count() >= 5, username

    page = sign_in(Client(), Membership.objects.get(user__username="vc.chef")).get("/arenden/")
    assert page.status_code == 200
    assert "Försenad" in page.content.decode()


def test_protected_identity_goes_through_the_same_steps(demo) -> None:
    now = timezone.now()
    protected = InpatientStay.objects.filter(person__protected_identity=True)
    assert protected.exists()
    for stay in protected:
        person = stay.person
        for notice in stay.messages.filter(kind=MessageKind.ADMISSION_NOTICE):
            assert notice.payload["protected_identity"] is True
            assert notice.payload["address"] == []
            assert notice.payload["identifier"] == person.display_identifier
        for message in stay.messages.all():
            assert person.street_address not in str(message.payload) + message.body
        entries = AccessLogEntry.objects.filter(person=person)
        assert entries.count() == stay.events.count()
        assert all(entry.protected_identity for entry in entries)
        # On the work list of the units it was sent to, like any other case.
        for recipient in MessageRecipient.objects.filter(message__stay=stay):
            membership = Membership.objects.filter(unit=recipient.unit).first()
            work = selectors.worklist(acting=Acting(membership.user, membership), now=now)
            assert stay in [item.stay for item in work.items]


def test_recorded_as_in_real_use(demo) -> None:
    now = timezone.now()
    for stay in InpatientStay.objects.select_related("agreement"):
        assert stay.agreement == agreement_record_for(stay.admitted_at)
        events = list(stay.events.order_by("pk"))
        assert events[0].kind == CaseEventKind.ADMITTED
        assert events[0].at == stay.admitted_at == stay.created_at
        # Done in the order of the timeline, and all of it in the past.
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert all(stay.admitted_at <= e.at < demo for e in events)
        for message in stay.messages.all():
            assert stay.admitted_at <= message.sent_at < demo
            for recipient in message.recipients.all():
                if recipient.acknowledged_at is not None:
                    assert message.sent_at < recipient.acknowledged_at < demo
        if stay.ready_notice_sent_at is not None:
            ready = stay.messages.get(kind=MessageKind.READY_FOR_DISCHARGE)
            assert stay.ready_notice_sent_at == ready.sent_at
        contact = stay.care_contact
        if contact is not None:
            appointed = stay.events.get(kind=CaseEventKind.CARE_CONTACT_APPOINTED).at
            if contact.created_at < demo:  # appointed in the case, not an FVK who continues
                assert contact.created_at == appointed
                assert contact.valid_from == timezone.localdate(appointed)
            else:
                assert contact.valid_from < timezone.localdate(appointed)
    # The seed's plan, step by step, is what was recorded.
    # (The demo SVPL cases are planned from their own catalogue: samplan.demo.tests.test_svpl.)
    catalogue_stays = InpatientStay.objects.filter(svpl__isnull=True)
    stays = {s.person_id: s for s in catalogue_stays.select_related("ward")}
    plans = plan_cases(seed=DEFAULT_SEED, candidates=cases.candidates_from_db(), now=demo)
    assert len(plans) == len(stays)
    for case in plans:
        stay = stays[case.person_id]
        assert stay.ward.hsa_id == case.ward_hsa_id
        assert stay.admitted_at == case.steps[0].at
        assert stay.events.last().at == case.steps[-1].at
    # One access-log entry per event, written now (the log is never backdated), chain intact.
    # (The demo SIPs that follow the cases log their own: samplan.demo.tests.test_sips.)
    discharge_entries = AccessLogEntry.objects.exclude(object_type__startswith="sip.").exclude(
        object_type__startswith="psychiatry."
    )
    assert discharge_entries.count() == CaseEvent.objects.count()
    assert not AccessLogEntry.objects.filter(at__lt=demo).exists()
    assert not AccessLogEntry.objects.filter(at__gt=now).exists()
    assert verify_chain().intact


# --- Planning without a database ----------------------------------------------------------------


def synthetic_candidates(n: int, *, protected: bool = False) -> list[Candidate]:
    vcs = [f"SE2321000000-V0{i}" for i in range(1, 7)]
    areas = ["2190", "2190", "2191", "2191", "2192", "2193"]
    return [
        Candidate(
            person_id=i,
            birth_date=date(1930 + i % 70, 1 + i % 12, 1 + i % 28),
            municipality_code=areas[i % 6],
            listed_unit_hsa_id=vcs[i % 6],
            protected_identity=protected,
        )
        for i in range(1, n + 1)
    ]


def plan(seed: int, candidates: list[Candidate]) -> list[cases.CasePlan]:
    return plan_cases(seed=seed, candidates=candidates, now=NOW)


def test_same_seed_same_plan_another_seed_differs() -> None:
    pool = synthetic_candidates(200)
    first = plan(1, pool)
    assert plan(1, pool) == first
    other = plan(2, pool)
    assert [p.person_id for p in other] != [p.person_id for p in first]
    assert len(first) == len(other) == len(CATALOGUE)


@pytest.mark.parametrize("seed", range(20))
def test_every_step_is_in_the_past_whatever_the_seed(seed) -> None:
    for case in plan(seed, synthetic_candidates(100)):
        assert case.steps[0].action == Action.ADMIT
        assert all(step.at < NOW for step in case.steps)
        assert [s.at for s in case.steps] == sorted(s.at for s in case.steps)


def test_protected_identity_is_chosen_like_anyone_else() -> None:
    """A county of only protected identities gets every case; so does one without any."""
    assert len(plan(3, synthetic_candidates(60, protected=True))) == len(CATALOGUE)
    assert len(plan(3, synthetic_candidates(60, protected=False))) == len(CATALOGUE)


def test_few_persons_give_fewer_cases_and_none_gives_none() -> None:
    assert len(plan(3, synthetic_candidates(5))) == 5
    assert plan(3, []) == []
