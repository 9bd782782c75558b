"""What the law places after discharge: the SIP kallelse (often after the patient is home), the
written plan from the meeting, late information transfer. They can be done and recorded on a
discharged case, they stay on the work list until done, and an interrupted case takes none."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samplan.core.acting import DomainError, NotAllowed
from samplan.discharge import selectors, services
from samplan.discharge.access import CaseClosed
from samplan.discharge.models import CaseEventKind, ChecklistKind, InterruptionKind
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.factories import sign_in

pytestmark = pytest.mark.django_db

INVITATION = "Skicka kallelse till SIP"
WRITTEN_PLAN = "Ge personen den skriftliga planen från SIP-mötet"


@pytest.fixture
def county() -> County:
    return make_county()


def discharged_before_kallelse(county: County, discharged_days_ago: float = 0):
    """Category E, FVK appointed, ready notice sent, discharged before the kallelse."""
    now = timezone.now()
    stay = admit(county, admitted_at=now - timedelta(days=discharged_days_ago + 3))
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    ward = county.acting(county.ward_nurse)
    services.ready_notice_send(acting=ward, stay=stay, physician="Lars Läkare")
    services.discharge_notice_send(
        acting=ward, stay=stay, discharged_at=now - timedelta(days=discharged_days_ago)
    )
    stay.refresh_from_db()
    return stay


def tasks(county: County, membership, stay) -> list[str]:
    work = selectors.worklist(acting=county.acting(membership), now=timezone.now())
    return [o.label for item in work.items if item.stay.pk == stay.pk for o in item.obligations]


def invite(county: County, stay, membership=None):
    return services.sip_invitation_send(
        acting=county.acting(membership or county.primary_care_nurse),
        stay=stay,
        meeting_at=timezone.now() - timedelta(hours=1),
        place_kind="home",
        location="Hemma hos patienten",
        invitees=[county.social_services],
    )


def test_kallelse_and_written_plan_after_discharge_leave_the_fvk_work_list(county) -> None:
    stay = discharged_before_kallelse(county)
    assert INVITATION in tasks(county, county.primary_care_head, stay)

    invite(county, stay)
    remaining = tasks(county, county.primary_care_head, stay)
    assert INVITATION not in remaining
    assert WRITTEN_PLAN in remaining

    services.written_plan_given_record(
        acting=county.acting(county.primary_care_nurse), stay=stay, given_at=timezone.now()
    )
    assert WRITTEN_PLAN not in tasks(county, county.primary_care_head, stay)
    assert stay.events.filter(kind=CaseEventKind.WRITTEN_PLAN_GIVEN).count() == 1


def test_written_plan_needs_a_meeting_the_fvk_and_is_recorded_once(county) -> None:
    stay = discharged_before_kallelse(county)
    fvk = county.acting(county.primary_care_nurse)
    with pytest.raises(DomainError, match="ingen kallelse"):
        services.written_plan_given_record(acting=fvk, stay=stay, given_at=timezone.now())
    invite(county, stay)
    with pytest.raises(NotAllowed):
        services.written_plan_given_record(
            acting=county.acting(county.ward_nurse), stay=stay, given_at=timezone.now()
        )
    with pytest.raises(DomainError, match="framtiden"):
        services.written_plan_given_record(
            acting=fvk, stay=stay, given_at=timezone.now() + timedelta(hours=2)
        )
    services.written_plan_given_record(acting=fvk, stay=stay, given_at=timezone.now())
    with pytest.raises(DomainError, match="redan"):
        services.written_plan_given_record(acting=fvk, stay=stay, given_at=timezone.now())


def test_information_transfer_can_be_recorded_after_discharge_but_not_home_readiness(
    county,
) -> None:
    stay = discharged_before_kallelse(county)
    ward = county.acting(county.ward_nurse)
    assert any(
        t.startswith("Informationsöverföring") for t in tasks(county, county.ward_nurse, stay)
    )
    for item in ("epikris", "medication_list", "medical_responsibility"):
        services.checklist_mark(
            acting=ward,
            stay=stay,
            checklist=ChecklistKind.INFORMATION_TRANSFER,
            item=item,
            note="Vårdcentralen Centrum" if item == "medical_responsibility" else "",
        )
    assert not any(
        t.startswith("Informationsöverföring") for t in tasks(county, county.ward_nurse, stay)
    )
    with pytest.raises(CaseClosed, match="avslutat"):
        services.checklist_mark(
            acting=ward, stay=stay, checklist=ChecklistKind.HOME_READY, item="utskrivningsklar"
        )


def test_an_interrupted_case_takes_no_follow_up(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    services.stay_interrupt(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        kind=InterruptionKind.TRANSFERRED,
        reason="",
    )
    stay.refresh_from_db()
    with pytest.raises(CaseClosed, match="avbruten"):
        invite(county, stay)
    with pytest.raises(CaseClosed, match="avbruten"):
        services.checklist_mark(
            acting=county.acting(county.ward_nurse),
            stay=stay,
            checklist=ChecklistKind.INFORMATION_TRANSFER,
            item="epikris",
        )


def test_a_case_discharged_long_ago_leaves_the_work_list(county) -> None:
    recent = discharged_before_kallelse(county, discharged_days_ago=2)
    old = discharged_before_kallelse(county, discharged_days_ago=40)
    for stay in (recent, old):
        # Acknowledged, so only the post-discharge obligations could keep it listed.
        for message in stay.messages.all():
            if message.recipients.filter(unit=county.primary_care).exists():
                services.message_acknowledge(
                    acting=county.acting(county.primary_care_head), stay=stay, message=message
                )
    assert INVITATION in tasks(county, county.primary_care_head, recent)
    assert tasks(county, county.primary_care_head, old) == []


def test_the_fvk_finds_both_steps_on_the_discharged_case_page(county) -> None:
    stay = discharged_before_kallelse(county)
    client = sign_in(Client(), county.primary_care_nurse)
    case_url = reverse("discharge:case", kwargs={"public_id": stay.public_id})
    page = client.get(case_url).content.decode()
    assert INVITATION in page
    assert "Registrera att personen fått den skriftliga planen" not in page
    invite(county, stay)
    page = client.get(case_url).content.decode()
    assert "Registrera att personen fått den skriftliga planen" in page
    step = reverse("discharge:step", kwargs={"public_id": stay.public_id, "slug": "skriftlig-plan"})
    given = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(step, {"given_at": given}).status_code == 302
    page = client.get(case_url).content.decode()
    assert "Skriftlig plan lämnad till personen" in page
    assert "Registrera att personen fått den skriftliga planen" not in page
    # The letter stays reachable from a closed case.
    assert "Brev till patienten (PDF)" in page


def test_a_kallelse_due_before_any_fvk_is_on_the_vardcentrals_work_list(county) -> None:
    stay = admit(county)
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    services.ready_notice_send(
        acting=county.acting(county.ward_nurse), stay=stay, physician="Lars Läkare"
    )
    label = "Skicka kallelse till SIP (utse först fast vårdkontakt)"
    assert label in tasks(county, county.primary_care_head, stay)
    assert not any(t.startswith(INVITATION) for t in tasks(county, county.needs_assessor, stay))
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    assert INVITATION in tasks(county, county.primary_care_head, stay)
    assert label not in tasks(county, county.primary_care_head, stay)
