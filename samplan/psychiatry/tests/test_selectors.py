"""Reads: the selector for Min plan (the person's established SVPL, plain fields only, logged)."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.audit.services import Actor
from samplan.psychiatry.selectors import CitizenSvpl, established_svpls_for_person
from samplan.psychiatry.tests.helpers import PsychCounty, establish, psych_case, save, start

pytestmark = pytest.mark.django_db
CITIZEN = Actor(user_id=None, username="medborgare", unit_id=None, unit_hsa_id="", remote_addr=None)


def read(person) -> list[CitizenSvpl]:
    return established_svpls_for_person(
        actor=CITIZEN, person=person, purpose=AccessPurpose.OWN_ACCESS, detail="Min plan: SVPL"
    )


def test_the_person_sees_the_latest_established_version_only(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    person = plan.stay.person
    assert read(person) == []
    save(pc, plan)
    assert read(person) == []  # a draft is not shown
    establish(pc, plan)
    save(pc, plan, patient_view="INTERNT UTKAST som inte är fastställt")
    [shown] = read(person)
    assert shown.version == 1
    assert shown.newer_changes_pending
    assert shown.care_form == "öppen psykiatrisk tvångsvård (ÖPT)"
    assert shown.your_view == "Jag vill bo kvar i min lägenhet och klara mig själv."
    assert [i.responsible_unit for i in shown.insatser][:2] == [
        "Vårdcentralen Centrum",
        "Biståndsenheten Testby",
    ]
    assert shown.insatser[0].your_view == "Jag går med på sprutan om jag får välja tid."
    assert shown.approved_by_units == ["Vårdcentralen Centrum", "Biståndsenheten Testby"]
    assert shown.ward_phone == "010-100 31 00"
    establish(pc, plan)
    assert read(person)[0].version == 2


def test_nothing_staff_internal_reaches_the_person(pc: PsychCounty) -> None:
    from samplan.psychiatry import services

    stay = psych_case(pc)
    plan = services.svpl_start(
        acting=pc.acting(pc.chief),
        stay=stay,
        legal_basis="lpt_7a",
        physician="Cecilia C",
        body="INTERNT-MEDDELANDE till enheterna",
    )
    save(pc, plan)
    establish(pc, plan)
    save(pc, plan, patient_view="INTERNT-UTKAST, inte fastställt")
    [shown] = read(plan.stay.person)
    flat = repr(shown)
    assert "INTERNT" not in flat
    for member in (pc.county.needs_assessor, pc.county.primary_care_nurse, pc.chief):
        # Who approved or sent is not shown; the plan's own "who does it" is.
        assert member.user.username not in flat
    assert {f.name for f in dataclasses.fields(shown)}.isdisjoint(
        {"events", "draft_content", "approvals", "stay", "ready_notice"}
    )


def test_each_read_is_logged_and_costs_the_same_queries(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    person = plan.stay.person
    save(pc, plan)
    establish(pc, plan)
    before = AccessLogEntry.objects.count()
    with CaptureQueriesContext(connection) as one:
        read(person)
    entry = AccessLogEntry.objects.latest("pk")
    assert AccessLogEntry.objects.count() == before + 1
    assert (entry.action, entry.purpose, entry.person_id) == (
        AccessAction.READ,
        AccessPurpose.OWN_ACCESS,
        person.pk,
    )
    for i in range(3):
        save(pc, plan, patient_view=f"Ändring {i}")
        establish(pc, plan)
    with CaptureQueriesContext(connection) as many:
        read(person)
    assert len(many) == len(one)


def test_another_persons_plan_is_not_read(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    establish(pc, plan)
    assert read(pc.county.person()) == []
