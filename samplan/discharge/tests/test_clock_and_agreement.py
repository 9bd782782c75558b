"""Obligations turn overdue exactly at their legal deadlines as the clock moves, and the
agreement a case was started under keeps judging it when the county's agreement changes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from samplan.agreements.services import agreement_of
from samplan.directory.models import Membership, Unit
from samplan.discharge import rules, selectors, services
from samplan.discharge.models import InpatientStay
from samplan.discharge.selectors import ObligationView
from samplan.discharge.steps import proposed_recipients
from samplan.testing.county import County, admit, make_county, record_conversation
from samplan.testing.factories import sign_in

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
TICK = timedelta(microseconds=1)


def at(*parts: int) -> datetime:
    return datetime(*parts).replace(tzinfo=STOCKHOLM)


@pytest.fixture
def county() -> County:
    return make_county()


def obligation(county: County, membership: Membership, label: str, now: datetime) -> ObligationView:
    work = selectors.worklist(acting=county.acting(membership), now=now)
    found = [o for item in work.items for o in item.obligations if o.label.startswith(label)]
    assert len(found) == 1, [o.label for item in work.items for o in item.obligations]
    return found[0]


def notify(county: County, stay: InpatientStay, *units: Unit) -> None:
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=list(units),
        estimated_discharge=stay.admitted_at + timedelta(days=5),
    )


def test_admission_notice_overdue_exactly_24_real_hours_after_admission_across_dst(
    county: County, time_machine
) -> None:
    # Clocks go forward at 02:00 on 2026-03-29: 24 hours later is 09:30, not 08:30.
    time_machine.move_to(at(2026, 3, 28, 9, 0), tick=False)
    stay = admit(county, admitted_at=at(2026, 3, 28, 8, 30))
    record_conversation(county, stay)
    due = at(2026, 3, 29, 9, 30)

    on_time = obligation(county, county.ward_nurse, "Skicka inskrivningsmeddelande", due)
    late = obligation(county, county.ward_nurse, "Skicka inskrivningsmeddelande", due + TICK)

    assert on_time.due == due
    assert not on_time.overdue
    assert late.overdue

    def page_at(moment: datetime) -> str:
        time_machine.move_to(moment, tick=False)
        ward = sign_in(Client(), county.ward_nurse)  # a day later the old session has expired
        return ward.get(reverse("discharge:worklist")).content.decode()

    assert "Försenad" not in page_at(due - timedelta(minutes=1))
    assert "Försenad" in page_at(due + timedelta(minutes=1))


def test_acknowledgement_overdue_24_hours_after_the_notice(county: County, time_machine) -> None:
    time_machine.move_to(at(2026, 11, 27, 16, 45), tick=False)  # a Friday afternoon
    stay = admit(county, admitted_at=at(2026, 11, 27, 10, 0))
    record_conversation(county, stay)
    notify(county, stay, county.social_services)
    due = at(2026, 11, 28, 16, 45)

    ack = obligation(county, county.needs_assessor, "Kvittera inskrivningsmeddelande", due)
    assert (ack.due, ack.overdue) == (due, False)
    assert obligation(county, county.needs_assessor, "Kvittera", due + TICK).overdue


def test_sip_invitation_due_at_the_end_of_the_third_day_after_the_ready_notice(
    county: County, time_machine
) -> None:
    time_machine.move_to(at(2026, 11, 20, 9, 0), tick=False)
    stay = admit(county, admitted_at=at(2026, 11, 20, 8, 0))
    record_conversation(county, stay)
    notify(county, stay, county.primary_care, county.social_services)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    time_machine.move_to(at(2026, 11, 27, 15, 10), tick=False)  # Friday
    services.ready_notice_send(acting=county.acting(county.ward_nurse), stay=stay, physician="L")
    due = at(2026, 11, 30, 23, 59, 59, 999999)  # Monday, end of day

    invitation = obligation(county, county.primary_care_head, "Skicka kallelse till SIP", due)
    assert (invitation.due, invitation.overdue) == (due, False)
    late = obligation(county, county.primary_care_head, "Skicka kallelse", due + TICK)
    assert late.overdue


def snapshot(
    county: County, stay: InpatientStay, now: datetime
) -> list[tuple[str, datetime | None]]:
    overview = selectors.case_overview(acting=county.acting(county.ward_nurse), stay=stay, now=now)
    return [(o.label, o.due) for o in overview.obligations]


def test_swapping_the_agreement_changes_new_cases_and_leaves_started_ones(
    county: County, settings, time_machine
) -> None:
    time_machine.move_to(at(2026, 11, 25, 9, 0), tick=False)
    only_social = {"needs_social_services": True}  # category C
    old = admit(county, admitted_at=at(2026, 11, 25, 7, 0))
    record_conversation(county, old, **only_social)
    notify(county, old, county.social_services)
    now = at(2026, 11, 25, 9, 0)
    before = snapshot(county, old, now)

    settings.SAMPLAN_AGREEMENT = "storstad"
    new = admit(county, admitted_at=at(2026, 11, 25, 7, 0))
    record_conversation(county, new, **only_social)
    notify(county, new, county.social_services)

    assert old.agreement.version_id.startswith("gavleborg@")
    assert new.agreement.version_id.startswith("storstad@")
    # Storstadslän also tells the vårdcentral about category C; Gävleborg does not. A notice the
    # old case sends from now on is an event of now, judged by the agreement now in force.
    assert set(proposed_recipients(new)) == {county.primary_care}
    assert set(proposed_recipients(old)) == {county.primary_care}
    # Acknowledgement: 24 hours in Gävleborg, end of the 2nd working day in Storstadslän.
    due = dict(snapshot(county, new, now))["Kvittera inskrivningsmeddelande"]
    assert due == at(2026, 11, 27, 23, 59, 59, 999999)
    assert dict(before)["Kvittera inskrivningsmeddelande"] == at(2026, 11, 26, 9, 0)
    assert len(rules.colour_codes(agreement_of(new.agreement))) == 5
    assert len(rules.colour_codes(agreement_of(old.agreement))) == 4
    # The case started under Gävleborg is judged exactly as before.
    assert snapshot(county, old, now) == before


@pytest.mark.parametrize(
    ("sent", "start", "days"),
    [
        (at(2026, 11, 23, 12, 0), "2026-11-26", 3),  # at 12.00: three days
        (at(2026, 11, 23, 12, 1), "2026-11-27", 2),  # after 12.00: four days
    ],
)
def test_case_page_shows_payment_liability_from_the_ready_notice(
    county: County, time_machine, sent: datetime, start: str, days: int
) -> None:
    time_machine.move_to(at(2026, 11, 20, 9, 0), tick=False)
    stay = admit(county, admitted_at=at(2026, 11, 20, 8, 0))
    record_conversation(county, stay, needs_social_services=True)  # category C
    notify(county, stay, county.social_services)
    time_machine.move_to(sent, tick=False)
    services.ready_notice_send(acting=county.acting(county.ward_nurse), stay=stay, physician="L")

    time_machine.move_to(at(2026, 11, 28, 10, 0), tick=False)
    municipality = sign_in(Client(), county.needs_assessor)
    page = municipality.get(reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    text = page.content.decode()

    assert "Betalningsansvar" in text
    assert start in text
    assert f"{days * 10900} kr" in text
