"""A case is judged by the agreement version in force when each of its events happened (SPEC §6).

The agreement file is a copy on disk that the tests edit as a county's administrator would:
publishing a version (a new ``[[versions]]``) or changing the text of one. Each recorded event
keeps the version frozen for it; only events recorded afterwards follow the file.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from samplan.discharge import selectors, services
from samplan.discharge.models import InpatientStay, MessageKind
from samplan.testing.agreements import AgreementFiles
from samplan.testing.county import County, admit, make_county, record_conversation
from samplan.testing.factories import sign_in

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
END_OF_DAY = (23, 59, 59, 999999)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=STOCKHOLM)


@pytest.fixture
def county() -> County:
    return make_county()


@pytest.fixture
def files(tmp_path, settings) -> AgreementFiles:
    files = AgreementFiles(tmp_path)
    settings.SAMPLAN_AGREEMENT_DIR = str(tmp_path)
    return files


STRICTER = {
    'admission_notice = { amount = 24, unit = "hours" }': (
        'admission_notice = { amount = 12, unit = "hours" }'
    ),
    'acknowledgement = { amount = 24, unit = "hours" }': (
        'acknowledgement = { amount = 4, unit = "hours" }'
    ),
    'sip_invitation = { amount = 3, unit = "calendar_days", at_end_of_day = true }': (
        'sip_invitation = { amount = 5, unit = "calendar_days", at_end_of_day = true }'
    ),
    "cutoff = 12:00:00": "cutoff = 14:00:00",
    "start_days_before_cutoff = 3": "start_days_before_cutoff = 2",
    "start_days_after_cutoff = 4": "start_days_after_cutoff = 3",
    "[versions.payment.amounts_sek]\n2027 = 11300\n": (
        "[versions.payment.amounts_sek]\n2027 = 11300\n2029 = 11900\n2030 = 12500\n"
    ),
}
"""A version with other deadlines and another payment rule, for publishing."""


def tasks(county: County, stay: InpatientStay, now: datetime) -> dict[str, datetime | None]:
    overview = selectors.case_overview(acting=county.acting(county.ward_nurse), stay=stay, now=now)
    return {o.label: o.due for o in overview.obligations}


def case_page(county: County, stay: InpatientStay) -> str:
    client = sign_in(Client(), county.ward_nurse)
    response = client.get(reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def notice_to(county: County, stay: InpatientStay, *units) -> None:
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=list(units),
        estimated_discharge=stay.admitted_at + timedelta(days=10),
    )


def test_admitted_on_the_last_day_of_a_version_and_ready_under_the_next(
    county: County, files: AgreementFiles, time_machine
) -> None:
    files.publish("gavleborg", date(2030, 1, 1), STRICTER)
    last_evening = at(2029, 12, 31, 20, 0)
    time_machine.move_to(last_evening + timedelta(minutes=30), tick=False)
    stay = admit(county, admitted_at=last_evening)
    record_conversation(county, stay)  # category E
    # The notice is due 24 hours from admission, as the version in force at admission says
    # (the next version would give 12 hours).
    assert tasks(county, stay, last_evening)["Skicka inskrivningsmeddelande"] == at(
        2030, 1, 1, 20, 0
    )
    time_machine.move_to(at(2029, 12, 31, 21, 0), tick=False)
    notice_to(county, stay, county.primary_care, county.social_services)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )

    ready = at(2030, 1, 7, 13, 0)  # Monday: after 12.00, but before the new cutoff 14.00
    time_machine.move_to(ready, tick=False)
    services.ready_notice_send(acting=county.acting(county.physician), stay=stay, physician="L")
    stay.refresh_from_db()

    now = at(2030, 1, 10, 10, 0)
    time_machine.move_to(now, tick=False)
    due = tasks(county, stay, now)
    # Kallelse: 5 days under the version in force at the ready notice (not 3).
    assert due["Skicka kallelse till SIP"] == at(2030, 1, 12, *END_OF_DAY)
    # The inskrivningsmeddelande sent under the old version keeps its 24-hour kvittens.
    assert due["Kvittera inskrivningsmeddelande"] == at(2030, 1, 1, 21, 0)
    # The ready notice's own kvittens: 4 hours, the new version's.
    assert due["Kvittera underrättelse om utskrivningsklar"] == at(2030, 1, 7, 17, 0)

    services.sip_invitation_send(  # 5:3: where a SIP is needed, the kallelse too
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        meeting_at=at(2030, 1, 14, 10, 0),
        place_kind="unit",
        location="Vårdcentralen",
        invitees=[county.social_services],
    )
    payment = selectors.case_overview(
        acting=county.acting(county.needs_assessor), stay=stay, now=now
    ).payment
    assert payment is not None
    assert payment.unmet == []
    # Before 14.00: liable from day 2 (2030-01-09), at the new version's 2030 amount.
    assert (payment.start, payment.days, payment.amount_sek) == (date(2030, 1, 9), 2, 25000)

    page = case_page(county, stay)
    assert "gavleborg@2027-01-01" in page
    assert "gavleborg@2030-01-01" in page


def test_publishing_a_version_changes_only_events_recorded_after_it(
    county: County, files: AgreementFiles, time_machine
) -> None:
    time_machine.move_to(at(2029, 6, 4, 9, 0), tick=False)
    old = admit(county, admitted_at=at(2029, 6, 4, 8, 0))
    record_conversation(county, old, needs_social_services=True)  # category C
    notice_to(county, old, county.social_services)
    before = tasks(county, old, at(2029, 6, 4, 9, 30))
    assert before["Kvittera inskrivningsmeddelande"] == at(2029, 6, 5, 9, 0)

    # The county publishes, the same morning, a version in force from today.
    files.publish("gavleborg", date(2029, 6, 4), STRICTER)
    time_machine.move_to(at(2029, 6, 4, 10, 0), tick=False)
    assert tasks(county, old, at(2029, 6, 4, 9, 30)) == before  # what was recorded stands
    services.general_message_send(
        acting=county.acting(county.ward_nurse), stay=old, body="Ring dottern."
    )
    new = admit(county, admitted_at=at(2029, 6, 4, 9, 45))

    after = tasks(county, old, at(2029, 6, 4, 10, 5))
    assert after["Kvittera inskrivningsmeddelande"] == at(2029, 6, 5, 9, 0)
    assert after["Kvittera meddelande"] == at(2029, 6, 4, 14, 0)  # 4 hours: the new version
    # A case admitted now: its first events fall under the new version, 12 hours.
    assert tasks(county, new, at(2029, 6, 4, 10, 5))["Dokumentera ankomstsamtalet"] == at(
        2029, 6, 4, 21, 45
    )
    assert new.agreement.version_id == "gavleborg@2029-06-04"
    assert old.agreement.version_id == "gavleborg@2027-01-01"


def test_an_edited_file_never_changes_recorded_events(
    county: County, files: AgreementFiles, time_machine
) -> None:
    time_machine.move_to(at(2029, 3, 5, 9, 0), tick=False)
    stay = admit(county, admitted_at=at(2029, 3, 5, 7, 0))
    record_conversation(county, stay, needs_social_services=True)
    notice_to(county, stay, county.social_services)
    recorded = tasks(county, stay, at(2029, 3, 5, 9, 0))

    # The text of the version in force is changed in place, under the same version id.
    text = files.text("gavleborg")
    last = text.rindex("[[versions]]")
    edited = text[last:].replace(
        'acknowledgement = { amount = 24, unit = "hours" }',
        'acknowledgement = { amount = 6, unit = "hours" }',
        1,
    )
    files.write("gavleborg", text[:last] + edited)
    time_machine.move_to(at(2029, 3, 5, 9, 30), tick=False)

    assert tasks(county, stay, at(2029, 3, 5, 9, 0)) == recorded
    message = services.general_message_send(
        acting=county.acting(county.ward_nurse), stay=stay, body="Ny information."
    )
    assert message.kind == MessageKind.GENERAL
    due = tasks(county, stay, at(2029, 3, 5, 9, 30))
    assert due["Kvittera inskrivningsmeddelande"] == at(2029, 3, 6, 9, 0)  # as recorded
    assert due["Kvittera meddelande"] == at(2029, 3, 5, 15, 30)  # the edited text

    # The case page names the version twice: two texts under one id, told apart by content.
    judged = selectors.case_overview(
        acting=county.acting(county.ward_nurse), stay=stay, now=at(2029, 3, 5, 9, 30)
    ).judged_under
    assert [j.version_id for j in judged] == ["gavleborg@2027-01-01"] * 2
    assert judged[0].content_hash != judged[1].content_hash
    assert "generellt meddelande" in judged[1].events
