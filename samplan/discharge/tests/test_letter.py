"""The letter the patient gets at discharge (patientlagen 3 kap.), read back from the PDF with
pdftotext: the care summary, the plans the patient has, who holds the medical responsibility
afterwards, the FVK's name and how to reach them, and when the SIP meeting is; never a protected
identity's address."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from samplan.discharge import services
from samplan.discharge.models import ChecklistKind, InpatientStay
from samplan.testing.county import E_NEEDS, County, admit, make_county, send_admission_notice
from samplan.testing.factories import sign_in
from samplan.testing.sip import (
    add_social_services,
    establish,
    give_consent,
    save_plan,
    start_outpatient_sip,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed"),
]

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def county() -> County:
    return make_county()


def letter_text(county: County, stay: InpatientStay) -> str:
    client = sign_in(Client(), county.ward_nurse)
    response = client.get(reverse("discharge:letter", kwargs={"public_id": stay.public_id}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())  # one line: wrapped text reads whole


def case_ready_to_go_home(
    county: County, *, protected: bool, **conversation: bool
) -> InpatientStay:
    person = county.person(
        protected=protected, street_address="Lindvägen 7", postal_code="12345", city="Gömstad"
    )
    stay = admit(county, person)
    ward = county.acting(county.ward_nurse)
    services.arrival_conversation_record(
        acting=ward,
        stay=stay,
        held_at=stay.admitted_at,
        participants="Patienten och dottern",
        **E_NEEDS,
        **conversation,
    )
    send_admission_notice(county, stay)
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head),
        stay=stay,
        name="Fia Fast",
        title="Distriktssköterska",
        phone="010-100 20 55",
        email="fia.fast@region.example",
    )
    stay.refresh_from_db()
    services.ready_notice_send(acting=ward, stay=stay, physician="Lars Läkare")
    services.sip_invitation_send(
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        meeting_at=datetime(2031, 3, 4, 13, 30, tzinfo=STOCKHOLM),
        place_kind="unit",
        location="Vårdcentralen Centrum, rum 3",
        invitees=[county.social_services, county.ward],
    )
    services.checklist_mark(
        acting=ward,
        stay=stay,
        checklist=ChecklistKind.INFORMATION_TRANSFER,
        item="medical_responsibility",
        note="Doktor Lind på Vårdcentralen Centrum",
    )
    services.care_summary_write(
        acting=ward, stay=stay, text="Du har vårdats för lunginflammation och fått antibiotika."
    )
    return stay


@pytest.mark.parametrize("protected", [False, True])
def test_the_letter_tells_the_patient_what_the_law_asks(county: County, protected: bool) -> None:
    stay = case_ready_to_go_home(
        county, protected=protected, has_care_plan=True, has_implementation_plan=True
    )
    text = letter_text(county, stay)

    assert "Du har vårdats för lunginflammation och fått antibiotika." in text
    # Plans known from the ankomstsamtal.
    assert "Du har en vårdplan." in text
    assert "Du har en plan från kommunen för hur du får hjälp hemma." in text
    # Who holds the medical responsibility after discharge, as the ward recorded it.
    assert (
        "Vem som har det medicinska ansvaret efter utskrivningen: "
        "Doktor Lind på Vårdcentralen Centrum"
    ) in text
    # The FVK by name, with phone and e-mail.
    assert "Fia Fast på Vårdcentralen Centrum är din fasta vårdkontakt." in text
    assert "010-100 20 55" in text
    assert "fia.fast@region.example" in text
    # When and where the SIP meeting is.
    assert "Vi ses 2031-03-04 13:30." in text
    assert "Vårdcentralen Centrum, rum 3" in text
    # The home address is never in the letter, protected identity or not.
    for part in ("Lindvägen", "12345", "Gömstad"):
        assert part not in text


def test_a_sip_in_the_system_is_named_with_its_date(county: County) -> None:
    stay = case_ready_to_go_home(county, protected=False)
    text = letter_text(county, stay)
    assert "Vi vet inte om någon annan plan för dig." in text

    process = start_outpatient_sip(county, stay.person)
    text = letter_text(county, stay)
    assert "Vi gör en SIP tillsammans med dig." in text

    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    version = establish(county, process)
    on = version.established_at.astimezone(STOCKHOLM).strftime("%Y-%m-%d")
    text = letter_text(county, stay)
    assert f"Du har en SIP, en plan för din vård och hjälp. Den är från {on}." in text


def test_a_sip_known_only_from_the_ankomstsamtal(county: County) -> None:
    stay = case_ready_to_go_home(county, protected=False, has_existing_sip=True)
    assert "Du har en SIP, en plan för din vård och hjälp." in letter_text(county, stay)


def test_the_medical_responsibility_is_recorded_on_the_case_page(county: County) -> None:
    stay = admit(county)
    services.arrival_conversation_record(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        held_at=stay.admitted_at,
        participants="Patienten",
        **E_NEEDS,
    )
    send_admission_notice(county, stay)
    client = sign_in(Client(), county.ward_nurse)
    case = reverse("discharge:case", kwargs={"public_id": stay.public_id})
    page = client.get(case).content.decode()
    assert '<label for="note-medical_responsibility">' in page
    mark = reverse(
        "discharge:checklist",
        kwargs={
            "public_id": stay.public_id,
            "kind": "information_transfer",
            "item": "medical_responsibility",
        },
    )
    page = client.post(mark, {"note": ""}, follow=True).content.decode()
    assert "Svara på frågan: Vem har det medicinska ansvaret efter utskrivningen?" in page
    assert not stay.checklist.exists()
    page = client.post(mark, {"note": "Doktor Lind, Vårdcentralen"}, follow=True).content.decode()
    assert "efter utskrivningen: Doktor Lind, Vårdcentralen" in page
    assert stay.checklist.get().note == "Doktor Lind, Vårdcentralen"
    assert stay.events.filter(kind="checklist_marked").count() == 1
    now = datetime.now(STOCKHOLM)
    assert stay.checklist.get().checked_at <= now + timedelta(seconds=1)
