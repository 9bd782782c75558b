"""The discharge steps through their services: rules, refusals and what each one records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from samplan.audit.models import AccessLogEntry
from samplan.core.acting import DomainError, NotAllowed
from samplan.discharge import services
from samplan.discharge.access import CaseClosed
from samplan.discharge.models import (
    CaseEventKind,
    CaseParty,
    ChecklistKind,
    InterruptionKind,
    MessageKind,
    PartyStatus,
    StayStatus,
)
from samplan.testing.county import (
    admit,
    make_county,
    message_of,
    record_conversation,
    send_admission_notice,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county():
    return make_county()


def kinds(stay) -> list[str]:
    return list(stay.events.values_list("kind", flat=True))


def test_admission_records_event_party_and_agreement(county) -> None:
    stay = admit(county)
    assert stay.status == StayStatus.OPEN
    assert list(stay.parties.values_list("unit", flat=True)) == [county.ward.pk]
    assert kinds(stay) == [CaseEventKind.ADMITTED]
    assert stay.agreement.version_id.startswith("gavleborg")
    assert AccessLogEntry.objects.filter(
        person=stay.person, object_type="discharge.InpatientStay", action="create"
    ).exists()


def test_only_ward_staff_can_admit(county) -> None:
    with pytest.raises(NotAllowed):
        services.stay_admit(
            acting=county.acting(county.needs_assessor),
            person=county.person(),
            admitted_at=timezone.now(),
        )


def test_a_person_has_one_open_stay(county) -> None:
    stay = admit(county)
    with pytest.raises(DomainError, match="redan ett pågående"):
        admit(county, person=stay.person)


@pytest.mark.parametrize(
    ("needs", "category"),
    [
        ({}, "A"),
        ({"needs_regional_outpatient": True}, "B"),
        ({"needs_social_services": True}, "C"),
        ({"needs_municipal_health_care": True}, "D"),
        ({"needs_regional_outpatient": True, "needs_social_services": True}, "B+C"),
        ({"needs_social_services": True, "needs_municipal_health_care": True}, "C+D"),
        ({"needs_special_housing": True, "needs_social_services": True}, "E"),
    ],
)
def test_category_derived_from_arrival_conversation(county, needs, category) -> None:
    stay = admit(county)
    services.arrival_conversation_record(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        held_at=stay.admitted_at,
        participants="Patienten",
        **needs,
    )
    stay.refresh_from_db()
    assert stay.planning_category == category


def test_category_rederived_when_needs_change(county) -> None:
    stay = admit(county)
    record_conversation(county, stay, needs_social_services=True)
    record_conversation(county, stay)  # E needs
    stay.refresh_from_db()
    assert stay.planning_category == "E"
    changes = stay.events.filter(kind=CaseEventKind.CATEGORY_CHANGED).order_by("id")
    assert [e.data["category"] for e in changes] == ["C", "E"]


def test_admission_notice_needs_arrival_conversation_first(county) -> None:
    stay = admit(county)
    with pytest.raises(DomainError, match="ankomstsamtalet"):
        send_admission_notice(county, stay)


def test_category_a_sends_no_admission_notice(county) -> None:
    stay = admit(county)
    record_conversation(county, stay, needs_regional_outpatient=False)
    with pytest.raises(DomainError, match="Kategori A"):
        send_admission_notice(county, stay)


def test_admission_notice_has_legal_content_and_makes_parties(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    notice = send_admission_notice(county, stay)
    assert notice.payload["identifier"] == stay.person.display_identifier
    assert notice.payload["address"] == stay.person.visible_address()
    assert notice.payload["estimated_discharge"]
    units = set(stay.parties.values_list("unit", flat=True))
    assert units == {
        county.ward.pk,
        county.primary_care.pk,
        county.social_services.pk,
        county.home_health_care.pk,
    }
    assert notice.recipients.count() == 3


def test_protected_identity_address_never_in_the_notice(county) -> None:
    person = county.person(protected=True, street_address="Hemliga vägen 1", city="Dolda")
    stay = admit(county, person=person)
    record_conversation(county, stay)
    notice = send_admission_notice(county, stay)
    assert notice.payload["address"] == []
    assert "Hemliga" not in str(notice.payload)


def test_acknowledge_once_per_recipient_unit(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    notice = send_admission_notice(county, stay)
    acting = county.acting(county.needs_assessor)
    first = services.message_acknowledge(acting=acting, stay=stay, message=notice)
    again = services.message_acknowledge(acting=acting, stay=stay, message=notice)
    assert first.acknowledged_at == again.acknowledged_at
    assert first.acknowledged_by == county.needs_assessor.user
    assert kinds(stay).count(CaseEventKind.MESSAGE_ACKNOWLEDGED) == 1
    with pytest.raises(NotAllowed):
        services.message_acknowledge(
            acting=county.acting(county.ward_nurse), stay=stay, message=notice
        )


def test_withdraw_keeps_the_message_with_reason(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    notice = send_admission_notice(county, stay)
    with pytest.raises(NotAllowed):
        services.message_withdraw(
            acting=county.acting(county.needs_assessor), stay=stay, message=notice, reason="fel"
        )
    with pytest.raises(DomainError, match="Ange varför"):
        services.message_withdraw(
            acting=county.acting(county.ward_nurse), stay=stay, message=notice, reason=" "
        )
    services.message_withdraw(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        message=notice,
        reason="Fel patient vald",
    )
    notice.refresh_from_db()
    assert notice.is_withdrawn
    assert notice.withdrawn_reason == "Fel patient vald"
    assert stay.messages.filter(pk=notice.pk).exists()
    with pytest.raises(DomainError, match="makulerat"):
        services.message_acknowledge(
            acting=county.acting(county.needs_assessor), stay=stay, message=notice
        )


def test_wrongly_addressed_unit_leaves_the_case(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.party_mark_wrongly_addressed(
        acting=county.acting(county.municipal_nurse), stay=stay, reason="Patienten bor i Annanby"
    )
    party = CaseParty.objects.get(stay=stay, unit=county.home_health_care)
    assert party.status == PartyStatus.WRONGLY_ADDRESSED
    with pytest.raises(NotAllowed):
        services.party_mark_wrongly_addressed(
            acting=county.acting(county.ward_nurse), stay=stay, reason="x"
        )


def test_forward_only_within_the_municipality(county) -> None:
    stay = admit(county)
    record_conversation(county, stay, needs_social_services=True)
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.social_services],
        estimated_discharge=stay.admitted_at + timedelta(days=3),
    )
    acting = county.acting(county.needs_assessor)
    with pytest.raises(NotAllowed):
        services.party_forward(acting=acting, stay=stay, to_unit=county.foreign_social_services)
    services.party_forward(
        acting=acting, stay=stay, to_unit=county.home_health_care, reason="Behov av hemsjukvård"
    )
    party = CaseParty.objects.get(stay=stay, unit=county.home_health_care)
    assert party.forwarded_from == county.social_services
    notice = message_of(stay, MessageKind.ADMISSION_NOTICE)
    assert notice.recipients.filter(unit=county.home_health_care).exists()


def test_party_added_later_gets_earlier_notices(county) -> None:
    stay = admit(county)
    record_conversation(county, stay, needs_social_services=True)
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.social_services],
        estimated_discharge=stay.admitted_at + timedelta(days=3),
    )
    services.party_add(acting=county.acting(county.ward_nurse), stay=stay, unit=county.primary_care)
    notice = message_of(stay, MessageKind.ADMISSION_NOTICE)
    assert notice.recipients.filter(unit=county.primary_care).exists()


def test_estimated_discharge_changes_are_kept_and_announced(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    first = stay.admitted_at + timedelta(days=6)
    second = stay.admitted_at + timedelta(days=8)
    for when in (first, second):
        services.estimated_discharge_change(
            acting=county.acting(county.ward_nurse),
            stay=stay,
            estimated_discharge=when,
            reason="Infektion",
        )
    stay.refresh_from_db()
    assert stay.estimated_discharge == second
    changes = stay.messages.filter(kind=MessageKind.ESTIMATED_DISCHARGE_CHANGED).order_by("id")
    assert [c.payload["estimated_discharge"] for c in changes] == [
        first.isoformat(),
        second.isoformat(),
    ]
    assert changes[1].recipients.count() == 3


def test_only_head_of_outpatient_unit_appoints_care_contact(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    with pytest.raises(NotAllowed):
        services.care_contact_appoint(
            acting=county.acting(county.primary_care_nurse), stay=stay, name="Fia Fast"
        )
    contact = services.care_contact_appoint(
        acting=county.acting(county.primary_care_head),
        stay=stay,
        name="Fia Fast",
        title="Distriktssköterska",
    )
    stay.refresh_from_db()
    assert stay.care_contact == contact
    assert contact.unit == county.primary_care
    assert contact.phone == county.primary_care.phone
    assert stay.person.care_contacts.filter(role="fast_vardkontakt").count() == 1


def test_ready_notice_records_exact_send_time_once(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    with pytest.raises(DomainError, match="läkare"):
        services.ready_notice_send(acting=county.acting(county.ward_nurse), stay=stay, physician="")
    message = services.ready_notice_send(
        acting=county.acting(county.physician), stay=stay, physician="Lars Läkare"
    )
    stay.refresh_from_db()
    assert stay.ready_notice_sent_at == message.sent_at
    with pytest.raises(DomainError, match="redan"):
        services.ready_notice_send(
            acting=county.acting(county.physician), stay=stay, physician="Lars Läkare"
        )


def test_sip_invitation_by_the_care_contact_unit_only(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    meeting = timezone.now() + timedelta(days=2)
    args = {
        "meeting_at": meeting,
        "place_kind": "home",
        "location": "Hemma hos patienten",
        "invitees": [county.social_services, county.home_health_care],
    }
    with pytest.raises(NotAllowed):
        services.sip_invitation_send(acting=county.acting(county.ward_nurse), stay=stay, **args)
    message = services.sip_invitation_send(
        acting=county.acting(county.primary_care_nurse), stay=stay, **args
    )
    assert message.payload["place_kind"] == "home"
    assert message.recipients.count() == 2


def test_checklists_mark_once_with_known_items(county) -> None:
    stay = admit(county)
    acting = county.acting(county.ward_nurse)
    with pytest.raises(DomainError, match="Okänd"):
        services.checklist_mark(
            acting=acting, stay=stay, checklist=ChecklistKind.INFORMATION_TRANSFER, item="nonsense"
        )
    services.checklist_mark(
        acting=acting, stay=stay, checklist=ChecklistKind.INFORMATION_TRANSFER, item="epikris"
    )
    services.checklist_mark(
        acting=acting, stay=stay, checklist=ChecklistKind.INFORMATION_TRANSFER, item="epikris"
    )
    assert kinds(stay).count(CaseEventKind.CHECKLIST_MARKED) == 1


def test_discharge_notice_closes_the_case(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.discharge_notice_send(
        acting=county.acting(county.ward_nurse), stay=stay, discharged_at=timezone.now()
    )
    stay.refresh_from_db()
    assert stay.status == StayStatus.DISCHARGED
    with pytest.raises(CaseClosed, match="avslutat"):
        services.estimated_discharge_change(
            acting=county.acting(county.ward_nurse), stay=stay, estimated_discharge=timezone.now()
        )


def test_interruption_tells_the_parties_and_closes(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.stay_interrupt(
        acting=county.acting(county.ward_nurse), stay=stay, kind=InterruptionKind.DIED, reason=""
    )
    stay.refresh_from_db()
    assert stay.status == StayStatus.INTERRUPTED
    message = message_of(stay, MessageKind.GENERAL)
    assert "Patienten har avlidit" in message.body
    assert message.recipients.count() == 3


def test_unavailability_period_recorded_and_ended(county) -> None:
    stay = admit(county)
    acting = county.acting(county.primary_care_nurse)
    CaseParty.objects.create(
        stay=stay,
        unit=county.primary_care,
        added_at=timezone.now(),
        added_by=county.ward_nurse.user,
    )
    today = timezone.localdate()
    period = services.unavailability_record(
        acting=acting, stay=stay, starts_on=today, reason="Ingen hemsjukvårdsläkare"
    )
    with pytest.raises(DomainError, match="pågående"):
        services.unavailability_record(acting=acting, stay=stay, starts_on=today, reason="igen")
    with pytest.raises(NotAllowed):
        services.unavailability_record(
            acting=county.acting(county.needs_assessor), stay=stay, starts_on=today, reason="x"
        )
    services.unavailability_end(
        acting=acting, stay=stay, period=period, ends_on=today + timedelta(days=2)
    )
    period.refresh_from_db()
    assert period.ends_on == today + timedelta(days=2)


def test_every_step_writes_an_access_log_entry_for_the_person(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    events = stay.events.count()
    entries = AccessLogEntry.objects.filter(person=stay.person).count()
    assert entries >= events


# --- Category B: "inskrivningsmeddelande: yes, if the physician judges so" (SPEC §3.1) ------

B_NEEDS = {"needs_regional_outpatient": True}


def ward_tasks(county, stay, now=None) -> dict[str, object]:
    from samplan.discharge import selectors

    overview = selectors.case_overview(
        acting=county.acting(county.ward_nurse), stay=stay, now=now or timezone.now()
    )
    return {o.label: o.due for o in overview.obligations}


def test_category_b_without_the_physicians_judgement_needs_no_messages(county) -> None:
    from samplan.discharge import selectors
    from samplan.discharge.steps import proposed_recipients

    stay = admit(county)
    record_conversation(county, stay, **B_NEEDS)
    stay.refresh_from_db()
    assert stay.planning_category == "B"
    assert ward_tasks(county, stay) == {}
    # Regional outpatient care: the vårdcentral the person is listed at.
    assert list(proposed_recipients(stay)) == [county.primary_care]
    with pytest.raises(DomainError, match="Inget inskrivningsmeddelande är skickat"):
        services.ready_notice_send(acting=county.acting(county.physician), stay=stay, physician="L")
    overview = selectors.case_overview(
        acting=county.acting(county.ward_nurse), stay=stay, now=timezone.now()
    )
    assert any("om läkaren bedömer att det behövs" in r for r in overview.requirements_reasons)
    assert not stay.events.filter(kind=CaseEventKind.NEEDS_JUDGED).exists()


def test_category_b_when_the_physician_judges_a_notice_needed(county, time_machine) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from samplan.discharge import selectors

    stockholm = ZoneInfo("Europe/Stockholm")
    admitted = datetime(2026, 10, 5, 8, 0, tzinfo=stockholm)
    judged = datetime(2026, 10, 6, 14, 30, tzinfo=stockholm)  # the next day (2:3)
    time_machine.move_to(datetime(2026, 10, 6, 15, 0, tzinfo=stockholm), tick=False)
    stay = admit(county, admitted_at=admitted)
    services.arrival_conversation_record(
        acting=county.acting(county.physician),
        stay=stay,
        held_at=admitted,
        participants="Patienten",
        admission_notice_needed=True,
        needs_judged_at=judged,
        **B_NEEDS,
    )
    stay.refresh_from_db()
    event = stay.events.get(kind=CaseEventKind.NEEDS_JUDGED)
    assert event.at == judged
    assert event.data["admission_notice_needed"] is True
    assert "Inskrivningsmeddelande behövs" in event.summary
    # Due 24 hours from the judgement, not from admission.
    assert ward_tasks(county, stay) == {
        "Skicka inskrivningsmeddelande": datetime(2026, 10, 7, 14, 30, tzinfo=stockholm)
    }

    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.primary_care],
        estimated_discharge=admitted + timedelta(days=4),
    )
    tasks = ward_tasks(county, stay)
    assert "Skicka inskrivningsmeddelande" not in tasks
    # Utskrivningsklar: required now that a notice was sent. No FVK, no SIP, no payment.
    assert any(label.startswith("Skicka underrättelse om utskrivningsklar") for label in tasks)
    centre = selectors.case_overview(
        acting=county.acting(county.primary_care_head), stay=stay, now=timezone.now()
    )
    assert not any(o.label.startswith("Utse fast vårdkontakt") for o in centre.obligations)
    services.ready_notice_send(acting=county.acting(county.physician), stay=stay, physician="L")
    contact = services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    assert contact.unit == county.primary_care  # allowed, though not required
    stay.refresh_from_db()
    with pytest.raises(DomainError, match="Kategori B kräver ingen SIP"):
        services.sip_invitation_send(
            acting=county.acting(county.primary_care_nurse),
            stay=stay,
            meeting_at=timezone.now() + timedelta(days=1),
            place_kind="unit",
            location="Vårdcentralen",
            invitees=[county.ward],
        )
    overview = selectors.case_overview(
        acting=county.acting(county.ward_nurse), stay=stay, now=timezone.now()
    )
    assert overview.payment is None
    assert not any(o.label.startswith("Skicka kallelse") for o in overview.obligations)


def test_the_physicians_judgement_cannot_precede_admission_or_lie_ahead(county) -> None:
    stay = admit(county)
    for moment, message in (
        (stay.admitted_at - timedelta(minutes=1), "före inskrivningen"),
        (timezone.now() + timedelta(hours=1), "i framtiden"),
    ):
        with pytest.raises(DomainError, match=message):
            services.arrival_conversation_record(
                acting=county.acting(county.physician),
                stay=stay,
                held_at=stay.admitted_at,
                participants="Patienten",
                needs_judged_at=moment,
                **B_NEEDS,
            )


# --- The category changes after the inskrivningsmeddelande (C → E) ---------------------------


def test_a_category_raised_after_the_notice_has_the_newly_needed_units_told(
    county, time_machine
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from samplan.discharge.steps import proposed_recipients

    stockholm = ZoneInfo("Europe/Stockholm")
    time_machine.move_to(datetime(2026, 10, 5, 9, 0, tzinfo=stockholm), tick=False)
    stay = admit(county, admitted_at=datetime(2026, 10, 5, 8, 0, tzinfo=stockholm))
    record_conversation(county, stay, needs_social_services=True)
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=list(proposed_recipients(stay)),
        estimated_discharge=stay.admitted_at + timedelta(days=3),
    )
    assert set(stay.parties.values_list("unit", flat=True)) == {
        county.ward.pk,
        county.social_services.pk,
    }

    changed = datetime(2026, 10, 7, 13, 15, tzinfo=stockholm)
    time_machine.move_to(changed, tick=False)
    record_conversation(county, stay)  # särskilt boende: category E
    stay.refresh_from_db()
    due = datetime(2026, 10, 8, 13, 15, tzinfo=stockholm)
    to = "Skicka inskrivningsmeddelande till "
    assert {k: v for k, v in ward_tasks(county, stay).items() if k.startswith(to)} == {
        to + "kommunal hälso- och sjukvård": due,
        to + "regionens öppna vård": due,
    }
    # Only the newly needed units are proposed; the social services already have the notice.
    assert set(proposed_recipients(stay)) == {county.primary_care, county.home_health_care}
    # Every party reads the change on the timeline.
    event = stay.events.get(kind=CaseEventKind.CATEGORY_CHANGED, data__category="E")
    assert event.summary == "Planeringskategori C → E"

    # Adding the home health care as a party gives it the notice; a new notice reaches the rest.
    services.party_add(
        acting=county.acting(county.ward_nurse), stay=stay, unit=county.home_health_care
    )
    assert [k for k in ward_tasks(county, stay) if k.startswith(to)] == [
        to + "regionens öppna vård"
    ]
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=list(proposed_recipients(stay)),
        estimated_discharge=stay.admitted_at + timedelta(days=3),
    )
    assert not [k for k in ward_tasks(county, stay) if k.startswith(to)]
    assert list(proposed_recipients(stay)) == []
