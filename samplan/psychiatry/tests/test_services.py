"""The SVPL's services: starting (and the LPT/LRV notice that counts as the ready notice),
the draft under optimistic versioning, each unit's justering, establishment, new versions and
immutability – and every refused path, with nothing written."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction

from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.core.acting import DomainError, NotAllowed
from samplan.core.append_only import triggers_on
from samplan.core.records import AppendOnlyError
from samplan.directory.models import Role
from samplan.discharge import services as discharge_services
from samplan.discharge.facts import facts_of
from samplan.discharge.models import CaseEvent, InterruptionKind, Message, MessageKind, StayStatus
from samplan.discharge.rules import (
    category_requirements,
    open_obligations,
    payment_liability_start,
    payment_preconditions,
)
from samplan.psychiatry import services
from samplan.psychiatry.models import (
    CoordinatedCarePlanLpt,
    SvplApproval,
    SvplDraftRevision,
    SvplEvent,
    SvplVersion,
)
from samplan.psychiatry.plan import SvplContent
from samplan.psychiatry.tests.helpers import (
    PsychCounty,
    approve,
    content,
    establish,
    psych_case,
    save,
    start,
)
from samplan.testing.county import admit, record_conversation, send_admission_notice
from samplan.testing.factories import make_staff

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def written(stay) -> tuple[int, ...]:
    """Counts of everything a start could write."""
    return (
        CoordinatedCarePlanLpt.objects.count(),
        Message.objects.filter(stay=stay).count(),
        CaseEvent.objects.filter(stay=stay).count(),
        SvplEvent.objects.count(),
        AccessLogEntry.objects.exclude(action=AccessAction.DENIED).count(),
    )


# --- Start ------------------------------------------------------------------------------------


def test_starting_sends_the_lpt_notice_as_the_ready_notice(pc: PsychCounty, time_machine) -> None:
    time_machine.move_to(datetime(2026, 3, 2, 13, 7, tzinfo=STOCKHOLM), tick=False)
    stay = psych_case(pc)
    plan = start(pc, stay)
    stay.refresh_from_db()
    notice = plan.ready_notice
    assert notice.kind == MessageKind.READY_FOR_DISCHARGE
    assert notice.payload == {
        "physician": "Cecilia Chefsöverläkare, chefsöverläkare",
        "compulsory_care": "lpt_7a",
    }
    assert notice.sent_at == stay.ready_notice_sent_at == plan.started_at
    assert {r.unit for r in notice.recipients.all()} == {
        pc.county.primary_care,
        pc.county.social_services,
    }
    # The case timeline names it as the LPT notice.
    event = stay.events.filter(kind="message_sent").latest("at", "pk")
    assert event.summary.startswith("Underrättelse enligt 7 a § LPT (räknas som utskrivningsklar)")
    # Everything that hangs on the ready notice follows, from its exact send time (13.07: after
    # 12.00, so liability starts on the fourth day).
    facts = facts_of(stay)
    agreement = agreement_of(stay.agreement)
    assert facts.ready_notice_sent_at == notice.sent_at
    assert payment_liability_start(notice.sent_at, agreement) == date(2026, 3, 6)
    labels = [o.label for o in open_obligations(facts, agreement, notice.sent_at)]
    assert "Kvittera underrättelse om utskrivningsklar" in labels
    # Category B+C would call for a SIP; the SVPL replaces it (4 kap. 1 § andra stycket), so no
    # kallelse is asked for and its absence does not stand in the way of liability (5:3).
    assert category_requirements(facts.category, agreement).sip_required
    assert facts.svpl_instead_of_sip
    assert not [label for label in labels if label.startswith("Skicka kallelse till SIP")]
    assert not [p for p in payment_preconditions(facts, agreement) if "SIP" in p]
    assert plan.draft_revision == 0
    assert SvplContent.model_validate(plan.draft_content).chief_physician.startswith("Cecilia")
    assert SvplEvent.objects.get(plan=plan).kind == "started"


def test_an_lrv_plan_is_marked_as_such(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc), "lrv_12a")
    assert plan.ready_notice.payload["compulsory_care"] == "lrv_12a"
    assert plan.get_legal_basis_display().startswith("LRV 12 a §")


def test_the_head_of_unit_may_start_too(pc: PsychCounty) -> None:
    plan = services.svpl_start(
        acting=pc.acting(pc.head), stay=psych_case(pc), legal_basis="lpt_7a", physician="V V"
    )
    assert plan.started_by == pc.head.user


def refused(pc: PsychCounty, stay, membership, error: type[Exception], text: str, **kw) -> None:
    before = written(stay)
    with pytest.raises(error, match=text):
        services.svpl_start(
            acting=pc.acting(membership),
            stay=stay,
            legal_basis=kw.get("basis", "lpt_7a"),
            physician=kw.get("physician", "Cecilia C"),
        )
    assert written(stay) == before


def test_a_non_psychiatric_ward_cannot_start_one(pc: PsychCounty) -> None:
    c = pc.county
    stay = admit(c)
    record_conversation(c, stay)
    send_admission_notice(c, stay)
    refused(pc, stay, c.physician, NotAllowed, "psykiatrisk slutenvårdsavdelning")


def test_a_closed_case_takes_no_plan(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    discharge_services.stay_interrupt(
        acting=pc.acting(pc.nurse),
        stay=stay,
        kind=InterruptionKind.TRANSFERRED,
        reason="Annat sjukhus",
    )
    stay.refresh_from_db()
    assert stay.status == StayStatus.INTERRUPTED
    before = written(stay)
    with pytest.raises(DomainError) as refusal:
        services.svpl_start(
            acting=pc.acting(pc.chief), stay=stay, legal_basis="lpt_7a", physician="Cecilia C"
        )
    # A rule of the process refused it (409 in the API), not the unit or role (403).
    assert not isinstance(refusal.value, NotAllowed)
    assert "avslutat" in refusal.value.message
    assert written(stay) == before
    # Who acts is judged first: the nurse is refused for her role, closed case or not.
    refused(pc, stay, pc.nurse, NotAllowed, "chefsöverläkaren")


def test_wrong_role_and_other_units_cannot_start_one(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    refused(pc, stay, pc.nurse, NotAllowed, "chefsöverläkaren")
    refused(pc, stay, pc.county.primary_care_head, NotAllowed, "vårdande avdelningen")
    refused(pc, stay, make_staff(pc.ward, Role.LOG_REVIEWER), NotAllowed, "chefsöverläkaren")


def test_one_plan_per_case_and_not_after_an_ordinary_ready_notice(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    start(pc, stay)
    refused(pc, stay, pc.chief, DomainError, "redan en samordnad vårdplan")
    other = psych_case(pc, pc.county.person(birth_date=date(1990, 1, 1)))
    discharge_services.ready_notice_send(acting=pc.acting(pc.chief), stay=other, physician="C")
    refused(pc, other, pc.chief, DomainError, "redan anmäld som utskrivningsklar")


def test_legal_basis_and_physician_are_required(pc: PsychCounty) -> None:
    stay = psych_case(pc)
    refused(pc, stay, pc.chief, DomainError, "rättslig grund", basis="lvu")
    refused(pc, stay, pc.chief, DomainError, "chefsöverläkaren", physician="  ")


# --- Draft ------------------------------------------------------------------------------------


def test_saving_keeps_every_revision_and_names_responsible_units(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    save(pc, plan, by=pc.county.needs_assessor, patient_view="Jag vill bo hemma.")
    plan.refresh_from_db()
    assert plan.draft_revision == 2
    assert list(SvplDraftRevision.objects.filter(plan=plan).values_list("revision", flat=True)) == [
        0,
        1,
        2,
    ]
    saved = SvplContent.model_validate(plan.draft_content)
    assert [i.responsible_unit for i in saved.insatser] == [
        "Vårdcentralen Centrum",
        "Biståndsenheten Testby",
        "Psykiatriska öppenvårdsmottagningen Norr",
    ]
    assert plan.draft_saved_unit == pc.county.social_services
    last = SvplEvent.objects.filter(plan=plan, kind="draft_saved").latest("pk")
    assert "Patientens synpunkter på planen ändrade" in last.summary


def test_a_second_concurrent_save_is_refused_with_the_others_change(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    plan.refresh_from_db()
    base = plan.draft_revision
    services.svpl_draft_save(
        acting=pc.acting(pc.chief),
        plan=plan,
        content=content(pc, patient_view="Jag vill hem."),
        base_revision=base,
    )
    before = (SvplDraftRevision.objects.count(), SvplEvent.objects.count())
    mine = content(pc, chief_physician="Annan Läkare")
    with pytest.raises(services.SvplConflict) as caught:
        services.svpl_draft_save(
            acting=pc.acting(pc.county.primary_care_nurse),
            plan=plan,
            content=mine,
            base_revision=base,
        )
    conflict = caught.value
    assert (SvplDraftRevision.objects.count(), SvplEvent.objects.count()) == before
    assert conflict.current.draft_revision == base + 1
    assert [c.kind for c in conflict.their_changes] == ["patient_view"]
    assert [c.kind for c in conflict.your_changes] == ["chief_physician"]
    assert conflict.attempted is not None
    assert conflict.attempted.chief_physician == "Annan Läkare"
    assert "Cecilia Chefsöverläkare" in conflict.message
    # Saving over theirs on the current revision is a deliberate second save.
    services.svpl_draft_save(
        acting=pc.acting(pc.county.primary_care_nurse),
        plan=plan,
        content=mine,
        base_revision=conflict.current.draft_revision,
    )
    plan.refresh_from_db()
    assert plan.draft_revision == base + 2


def test_who_may_write_the_draft(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    for member in (pc.nurse, pc.county.outsider, make_staff(pc.county.primary_care, Role.ANALYST)):
        with pytest.raises(NotAllowed):
            services.svpl_draft_save(
                acting=pc.acting(member), plan=plan, content=content(pc), base_revision=0
            )
    assert SvplDraftRevision.objects.filter(plan=plan).count() == 1


def test_an_insats_must_point_at_a_party_and_content_must_validate(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    bad = content(pc)
    bad["insatser"][0]["unit_id"] = pc.county.foreign_social_services.pk
    with pytest.raises(DomainError, match="inte deltar i ärendet"):
        services.svpl_draft_save(
            acting=pc.acting(pc.chief), plan=plan, content=bad, base_revision=0
        )
    with pytest.raises(DomainError, match="kan inte sparas"):
        services.svpl_draft_save(
            acting=pc.acting(pc.chief), plan=plan, content={"needs": "x"}, base_revision=0
        )
    plan.refresh_from_db()
    assert plan.draft_revision == 0


# --- Approval ---------------------------------------------------------------------------------


def test_each_unit_approves_for_itself_and_the_last_one_establishes(pc: PsychCounty) -> None:
    c = pc.county
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    approval = approve(pc, plan, c.primary_care_nurse)
    assert approval.unit == c.primary_care
    assert approval.approved_by == c.primary_care_nurse.user
    plan.refresh_from_db()
    assert plan.established_number == 0
    # A second member of the same unit cannot approve for another unit, nor twice for its own.
    with pytest.raises(DomainError, match="redan justerat"):
        approve(pc, plan, c.primary_care_head)
    approve(pc, plan, c.needs_assessor)
    plan.refresh_from_db()
    version = SvplVersion.objects.get(plan=plan)
    assert (plan.established_number, plan.established_revision) == (1, plan.draft_revision)
    assert version.content == plan.draft_content
    assert [e.kind for e in SvplEvent.objects.filter(plan=plan)][-3:] == [
        "approved",
        "approved",
        "established",
    ]
    with pytest.raises(DomainError, match="redan fastställd"):
        approve(pc, plan, c.primary_care_head)


def test_the_ward_and_outsiders_do_not_approve(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    for member in (pc.chief, pc.head, pc.county.outsider):
        with pytest.raises(NotAllowed):
            approve(pc, plan, member)
    assert not SvplApproval.objects.exists()


def test_an_incomplete_draft_cannot_be_approved(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan, needs=[], insatser=[])
    with pytest.raises(DomainError, match="inga bedömda behov"):
        approve(pc, plan, pc.county.primary_care_nurse)
    assert not SvplApproval.objects.exists()


def test_approving_a_stale_revision_is_refused_and_changes_void_approvals(pc: PsychCounty) -> None:
    c = pc.county
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    plan.refresh_from_db()
    read = plan.draft_revision
    approve(pc, plan, c.primary_care_nurse)
    save(pc, plan, patient_view="Jag har ändrat mig.")
    with pytest.raises(services.SvplConflict) as caught:
        services.svpl_approve(acting=c.acting(c.needs_assessor), plan=plan, base_revision=read)
    assert caught.value.attempted is None
    assert "justering är inte sparad" in caught.value.message
    # The vårdcentral's approval was of the earlier revision: one more approval is not enough.
    approve(pc, plan, c.needs_assessor)
    plan.refresh_from_db()
    assert plan.established_number == 0
    approve(pc, plan, c.primary_care_nurse)
    plan.refresh_from_db()
    assert plan.established_number == 1


def test_a_change_after_establishment_becomes_a_new_version(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    plan = establish(pc, plan)
    first = SvplVersion.objects.get(plan=plan, number=1)
    save(pc, plan, by=pc.county.needs_assessor, patient_view="Nu vill jag ha mer stöd.")
    plan.refresh_from_db()
    assert plan.established_number == 1
    plan = establish(pc, plan)
    assert plan.established_number == 2
    second = SvplVersion.objects.get(plan=plan, number=2)
    assert second.content["patient_view"] == "Nu vill jag ha mer stöd."
    first.refresh_from_db()
    assert first.content["patient_view"] == "Jag vill bo kvar i min lägenhet och klara mig själv."
    changes = SvplEvent.objects.filter(plan=plan, kind="established").latest("pk").data["changes"]
    assert changes == [
        "Patientens synpunkter på planen ändrade från ”Jag vill bo kvar i min lägenhet och klara "
        "mig själv.” till ”Nu vill jag ha mer stöd.”."
    ]


def test_a_party_added_later_must_approve_the_next_version(pc: PsychCounty) -> None:
    c = pc.county
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    plan = establish(pc, plan)
    discharge_services.party_add(
        acting=pc.acting(pc.nurse), stay=plan.stay, unit=c.home_health_care
    )
    save(pc, plan, patient_view="Hemsjukvården ska vara med.")
    plan = establish(pc, plan)
    assert plan.established_number == 1
    approve(pc, plan, c.municipal_nurse)
    plan.refresh_from_db()
    assert plan.established_number == 2


def test_access_log_entries_for_each_write(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    person = plan.stay.person
    before = AccessLogEntry.objects.filter(person=person).count()
    save(pc, plan)
    establish(pc, plan)
    entries = AccessLogEntry.objects.filter(person=person).order_by("pk")[before:]
    assert [e.detail for e in entries] == ["Utkast sparat", "Justerad", "Justerad", "Fastställd"]


# --- Immutability -----------------------------------------------------------------------------


def test_established_versions_and_approvals_are_immutable(pc: PsychCounty) -> None:
    plan = start(pc, psych_case(pc))
    save(pc, plan)
    establish(pc, plan)
    version = SvplVersion.objects.get(plan=plan)
    version.content = {}
    with pytest.raises(AppendOnlyError):
        version.save()
    with pytest.raises(AppendOnlyError):
        version.delete()
    with pytest.raises(AppendOnlyError):
        SvplVersion.objects.filter(pk=version.pk).update(content={})
    with pytest.raises(AppendOnlyError):
        SvplApproval.objects.all().delete()
    for table in ("psychiatry_svplversion", "psychiatry_svplapproval", "psychiatry_svplevent"):
        for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with (
                pytest.raises(DatabaseError, match="refused"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql)
    assert SvplVersion.objects.get(pk=version.pk).content == plan.draft_content


def test_the_triggers_are_in_place() -> None:
    expected = 1 if connection.vendor == "postgresql" else 2
    for table in (
        "psychiatry_svplversion",
        "psychiatry_svplapproval",
        "psychiatry_svpldraftrevision",
        "psychiatry_svplevent",
    ):
        assert len(triggers_on(connection, table)) == expected, table
