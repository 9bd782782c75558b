"""The demo county's samordnade vårdplaner: one under justering (LPT) with the municipality's
"SVPL att justera" on its work list, one established (LRV) and discharged, dated in the past
while the access log tells the truth; a second run adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from samplan.audit.models import AccessLogEntry
from samplan.audit.verification import verify_chain
from samplan.core.acting import Acting
from samplan.demo import svpl
from samplan.demo.generator import DEFAULT_PERSONS, DEFAULT_SEED, create_demo_county
from samplan.directory.models import Membership, UnitKind
from samplan.discharge.models import MessageKind, StayStatus
from samplan.psychiatry import rules, selectors
from samplan.psychiatry.models import CoordinatedCarePlanLpt, SvplEvent


@pytest.fixture
def demo(db) -> datetime:
    started = timezone.now()
    create_demo_county(seed=DEFAULT_SEED, persons=DEFAULT_PERSONS)
    return started


def test_one_plan_under_justering_and_one_established(demo: datetime) -> None:
    plans = {
        p.legal_basis: p
        for p in CoordinatedCarePlanLpt.objects.select_related("stay__ward", "ready_notice")
    }
    assert set(plans) == {"lpt_7a", "lrv_12a"}
    for plan in plans.values():
        assert plan.stay.ward.is_psychiatric
        assert plan.ready_notice.kind == MessageKind.READY_FOR_DISCHARGE
        assert plan.ready_notice.payload["compulsory_care"] == plan.legal_basis
        assert plan.started_at == plan.ready_notice.sent_at == plan.stay.ready_notice_sent_at
        assert plan.started_at < demo - timedelta(hours=20)
        events = list(SvplEvent.objects.filter(plan=plan).values_list("at", flat=True))
        assert events == sorted(events)
        assert events[0] == plan.started_at
        assert events[-1] < demo
    pending, done = plans["lpt_7a"], plans["lrv_12a"]
    assert pending.established_number == 0
    assert [a.unit.kind for a in pending.approvals.select_related("unit")] == [
        UnitKind.PRIMARY_CARE
    ]
    assert done.established_number == 1
    assert done.stay.status == StayStatus.DISCHARGED
    version = done.versions.get()
    assert done.started_at < version.established_at < done.stay.discharged_at < demo


def test_the_municipality_has_it_to_approve_not_yet_overdue(demo: datetime) -> None:
    plan = CoordinatedCarePlanLpt.objects.get(legal_basis="lpt_7a")
    social = plan.stay.parties.get(unit__kind=UnitKind.SOCIAL_SERVICES).unit
    membership = Membership.objects.filter(unit=social).select_related("user", "unit").first()
    assert membership is not None
    items = selectors.worklist(acting=Acting(membership.user, membership), now=timezone.now())
    [item] = [i for i in items if i.plan.pk == plan.pk]
    assert [f.code for f in item.flags] == [rules.FlagCode.TO_APPROVE]
    assert not item.overdue


def test_the_log_tells_the_truth_and_a_second_run_adds_nothing(demo: datetime) -> None:
    logged = AccessLogEntry.objects.filter(object_type__startswith="psychiatry.")
    assert logged.count() == SvplEvent.objects.count()
    assert not logged.filter(at__lt=demo).exists()
    assert verify_chain().intact
    assert svpl.create_demo_svpls(seed=DEFAULT_SEED) == 0
    assert CoordinatedCarePlanLpt.objects.count() == 2


def test_the_demo_sign_in_offers_the_person_with_the_established_plan(demo: datetime) -> None:
    from samplan.portal.demo import demo_citizens

    established = CoordinatedCarePlanLpt.objects.select_related("stay__person").get(
        legal_basis="lrv_12a"
    )
    offered = {c.identifier.value: c for c in demo_citizens(timezone.localdate())}
    chosen = offered.get(established.stay.person.identifier)
    assert chosen is not None, "the demo sign-in lists the person with the established SVPL"
    assert chosen.note == "Har en plan från psykiatrin."
