"""A SIP meeting in the home of a person with protected identity: the address is in no page,
calendar file, letter or API answer — not the person's own (Min plan), not the staff's (the case
page, the SIP page, their calendar files and the JSON API). One rule decides what a meeting's
place may say (:mod:`samplan.discharge.rules.places`), for the discharge case and the SIP alike.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from samplan.discharge import services
from samplan.discharge.models import InpatientStay, Message
from samplan.people.models import Person
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.test_pages import overview_url, pdf_text
from samplan.sip import services as sip_services
from samplan.sip.models import SipProcess
from samplan.testing.api import ApiClient
from samplan.testing.county import County, admit, record_conversation
from samplan.testing.factories import sign_in
from samplan.testing.sip import give_consent

pytestmark = pytest.mark.django_db

HOME = "Hemliga vägen 1, 123 45 Gömby"
STREET = "Hemliga vägen"


def home_meeting_case(county: County, person: Person) -> tuple[InpatientStay, Message]:
    """A category E case whose SIP meeting the FVK calls to the person's home; discharged."""
    ward = county.acting(county.ward_nurse)
    now = timezone.now()
    stay = admit(county, person, admitted_at=now - timedelta(days=3))
    record_conversation(county, stay)
    services.admission_notice_send(
        acting=ward,
        stay=stay,
        recipients=[county.primary_care, county.social_services, county.home_health_care],
        estimated_discharge=now + timedelta(days=2),
    )
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    invitation = services.sip_invitation_send(
        acting=county.acting(county.primary_care_nurse),
        stay=stay,
        meeting_at=(now + timedelta(days=6)).replace(hour=10, minute=0, second=0, microsecond=0),
        place_kind="home",
        location=HOME,
        invitees=[county.social_services, county.home_health_care],
    )
    services.care_summary_write(acting=ward, stay=stay, text="Du har vårdats för en höftfraktur.")
    services.discharge_notice_send(acting=ward, stay=stay, discharged_at=timezone.now())
    stay.refresh_from_db()
    return stay, invitation


def get(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content.decode()[:2000]
    return bytes(response.content)


def test_the_person_with_protected_identity_never_reads_the_home_address(
    county: County, tmp_path
) -> None:
    person = county.person(protected=True, street_address="Hemliga vägen 1")
    stay, invitation = home_meeting_case(county, person)
    client = citizen_client(person.identifier)
    ids = {"person_id": person.public_id, "stay_id": stay.public_id}

    html = get(client, overview_url(person)).decode()
    ics = get(
        client, reverse("portal:meeting_ics", kwargs={**ids, "message_id": invitation.pk})
    ).decode()
    letter = pdf_text(get(client, reverse("portal:letter", kwargs=ids)), tmp_path)

    assert "Hemma hos dig" in html
    assert "Hemma hos dig" in ics
    assert "Hemma hos dig" in letter
    for output in (html, ics, letter):
        assert STREET not in output
        assert "Gömby" not in output


@pytest.mark.parametrize("protected", [False, True], ids=["open", "protected"])
def test_staff_see_a_home_address_only_on_their_pages_and_never_a_protected_one(
    county: County, tmp_path, protected: bool
) -> None:
    person = county.person(protected=protected)
    stay, invitation = home_meeting_case(county, person)
    staff = sign_in(Client(), county.primary_care_nurse)

    case_page = get(staff, reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    staff_ics = get(
        staff,
        reverse("discharge:ics", kwargs={"public_id": stay.public_id, "message_id": invitation.pk}),
    ).decode()
    letter = pdf_text(
        get(staff, reverse("discharge:letter", kwargs={"public_id": stay.public_id})), tmp_path
    )
    api = ApiClient(county.primary_care_nurse).get(f"/stays/{stay.public_id}")
    [api_invitation] = [m for m in api["messages"] if m["id"] == invitation.pk]

    # Staff pages and the API show where to go, unless the identity is protected.
    assert (STREET in case_page.decode()) is not protected
    assert (api_invitation["payload"]["location"] == HOME) is not protected
    if protected:
        assert "adressen visas inte: skyddade personuppgifter" in case_page.decode()
        assert STREET not in str(api)
    # A calendar file leaves Samplan: never a home address. The letter is the person's.
    assert STREET not in staff_ics
    assert "I hemmet" in staff_ics
    assert STREET not in letter
    assert "Hemma hos dig" in letter


def test_a_sip_continuing_the_stay_keeps_the_protected_address_out_everywhere(
    county: County, tmp_path, django_capture_on_commit_callbacks
) -> None:
    person = county.person(protected=True, street_address="Hemliga vägen 1")
    stay, _invitation = home_meeting_case(county, person)
    vc = county.acting(county.primary_care_nurse)
    process = sip_services.sip_start_from_stay(acting=vc, stay=stay)
    give_consent(county, process)
    meeting = process.meetings.get()
    assert meeting.location == HOME  # stored, as the FVK wrote it

    citizen = citizen_client(person.identifier)
    staff = sign_in(Client(), county.primary_care_nurse)
    sip_ids = {"person_id": person.public_id, "sip_id": process.public_id}
    staff_ids = {"public_id": process.public_id, "meeting_id": meeting.pk}
    outputs = {
        "portal page": get(citizen, overview_url(person)).decode(),
        "portal calendar": get(
            citizen, reverse("portal:sip_meeting_ics", kwargs={**sip_ids, "meeting_id": meeting.pk})
        ).decode(),
        "SIP page": get(
            staff, reverse("sip:process", kwargs={"public_id": process.public_id})
        ).decode(),
        "SIP calendar": get(staff, reverse("sip:meeting_ics", kwargs=staff_ids)).decode(),
        "SIP letter": pdf_text(
            get(staff, reverse("sip:meeting_letter", kwargs=staff_ids)), tmp_path
        ),
        "SIP API": str(ApiClient(county.primary_care_nurse).get(f"/sip/{process.public_id}")),
    }
    with django_capture_on_commit_callbacks(execute=True):
        second = sip_services.meeting_invite(
            acting=vc,
            process=SipProcess.objects.get(pk=process.pk),
            kind="first",
            meeting_at=timezone.now() + timedelta(days=9),
            place_kind="home",
            location=HOME,
            invitees=list(process.participants.all()),
        )
    assert second.location == HOME
    assert mail.outbox
    outputs["e-mail"] = "\n".join(m.body + m.attachments[0][1] for m in mail.outbox)
    for name, output in outputs.items():
        assert STREET not in output, name
    assert "Hemma hos dig" in outputs["portal page"]
    assert "skyddade personuppgifter" in outputs["SIP page"]
