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

from samplan.core.acting import DomainError
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
    """A category E case whose SIP meeting the FVK calls to the person's home; discharged. The
    FVK writes the address, except for a protected identity (no location may be stored)."""
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
        location="" if person.protected_identity else HOME,
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
    person = county.person(
        protected=protected, street_address="Hemliga vägen 1", postal_code="123 45", city="Gömby"
    )
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
    assert meeting.location == ""  # nothing stored: the FVK could not write the address

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
    invite = {
        "acting": vc,
        "process": SipProcess.objects.get(pk=process.pk),
        "kind": "first",
        "meeting_at": timezone.now() + timedelta(days=9),
        "place_kind": "home",
        "invitees": list(process.participants.all()),
    }
    with pytest.raises(DomainError, match="skyddade personuppgifter"):
        sip_services.meeting_invite(**invite, location=HOME)
    assert process.meetings.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        second = sip_services.meeting_invite(**invite, location="")
    assert second.location == ""
    assert mail.outbox
    outputs["e-mail"] = "\n".join(m.body + m.attachments[0][1] for m in mail.outbox)
    for name, output in outputs.items():
        assert STREET not in output, name
    assert "Hemma hos dig" in outputs["portal page"]
    assert "skyddade personuppgifter" in outputs["SIP page"]


# --- What is stored: a home meeting needs no location, a protected one may have none ----------


def kallelse_due(county: County, person: Person) -> InpatientStay:
    """A category E case with its FVK appointed: the kallelse is the next step."""
    stay = admit(county, person, admitted_at=timezone.now() - timedelta(days=3))
    record_conversation(county, stay)
    services.admission_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=stay,
        recipients=[county.primary_care, county.social_services, county.home_health_care],
        estimated_discharge=timezone.now() + timedelta(days=2),
    )
    services.care_contact_appoint(
        acting=county.acting(county.primary_care_head), stay=stay, name="Fia Fast"
    )
    stay.refresh_from_db()
    return stay


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def kallelse_step(stay: InpatientStay) -> str:
    return reverse("discharge:step", kwargs={"public_id": stay.public_id, "slug": "kallelse"})


def sip_kallelse_step(process: SipProcess) -> str:
    return reverse("sip:step", kwargs={"public_id": process.public_id, "slug": "kallelse"})


def test_a_home_meeting_needs_no_location_and_staff_read_the_registered_address(
    county: County,
) -> None:
    person = county.person(street_address="Storgatan 5", postal_code="123 45", city="Testby")
    registered = "Storgatan 5, 123 45 Testby"
    stay = kallelse_due(county, person)
    staff = sign_in(Client(), county.primary_care_nurse)
    form = get(staff, kallelse_step(stay)).decode()
    assert "Behövs inte för ett möte i hemmet" in form
    response = staff.post(
        kallelse_step(stay),
        {
            "meeting_at": local(timezone.now() + timedelta(days=2)),
            "place_kind": "home",
            "location": "",
            "invitees": [county.social_services.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    invitation = stay.messages.get(kind="sip_invitation")
    assert invitation.payload["location"] == ""  # nothing typed, nothing stored

    case_page = get(staff, reverse("discharge:case", kwargs={"public_id": stay.public_id}))
    assert f"I hemmet: {registered}" in case_page.decode()
    api = ApiClient(county.primary_care_nurse).get(f"/stays/{stay.public_id}")
    [shown] = [m for m in api["messages"] if m["id"] == invitation.pk]
    assert shown["payload"]["location"] == registered
    staff_ics = get(
        staff,
        reverse("discharge:ics", kwargs={"public_id": stay.public_id, "message_id": invitation.pk}),
    ).decode()
    assert "adressen finns i Samplan" in staff_ics
    assert "Storgatan" not in staff_ics
    portal = get(citizen_client(person.identifier), overview_url(person)).decode()
    assert "Hemma hos dig" in portal
    assert "Storgatan" not in portal

    # A SIP meeting at home through the API, with no location at all.
    process = sip_services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=stay
    )
    give_consent(county, process)
    api_client = ApiClient(county.primary_care_nurse)
    sip = api_client.get(f"/sip/{process.public_id}")
    own = [
        p["id"] for p in sip["participants"] if p.get("unit_hsa_id") == county.primary_care.hsa_id
    ]
    answer = api_client.post(
        f"/sip/{process.public_id}/meetings",
        {
            "kind": "first",
            "meeting_at": (timezone.now() + timedelta(days=5)).isoformat(),
            "place_kind": "home",
            "invitee_ids": own,
        },
    )
    assert process.meetings.filter(place_kind="home", location="").count() == 2
    assert registered in str(answer)


def test_no_location_text_is_stored_for_a_protected_persons_home_meeting(
    county: County,
) -> None:
    """Page, API and service alike refuse it with a Swedish error; nothing is stored."""
    person = county.person(protected=True, street_address="Hemliga vägen 1")
    stay = kallelse_due(county, person)
    staff = sign_in(Client(), county.primary_care_nurse)
    form = get(staff, kallelse_step(stay)).decode()
    assert "Personen har skyddade personuppgifter. För ett möte i hemmet: lämna fältet tomt." in (
        form
    )
    data = {
        "meeting_at": local(timezone.now() + timedelta(days=2)),
        "place_kind": "home",
        "location": HOME,
        "invitees": [county.social_services.pk],
    }
    refused = staff.post(kallelse_step(stay), data)
    assert refused.status_code == 200
    assert "Skriv ingen adress eller annan plats för ett möte i hemmet" in refused.content.decode()
    assert "skyddade personuppgifter" in refused.context["form"].errors["location"][0]
    api = ApiClient(county.primary_care_nurse)
    answer = api.post(
        f"/stays/{stay.public_id}/sip-invitation",
        {
            "meeting_at": (timezone.now() + timedelta(days=2)).isoformat(),
            "place_kind": "home",
            "location": "Portkod 1234",
            "invitee_hsa_ids": [county.social_services.hsa_id],
        },
        status=409,
    )
    assert "skyddade personuppgifter" in answer["detail"]
    with pytest.raises(DomainError, match="skyddade personuppgifter"):
        services.sip_invitation_send(
            acting=county.acting(county.primary_care_nurse),
            stay=stay,
            meeting_at=timezone.now() + timedelta(days=2),
            place_kind="home",
            location=" Hemma ",
            invitees=[county.social_services],
        )
    assert not stay.messages.filter(kind="sip_invitation").exists()
    # Left empty, the meeting is called.
    staff.post(kallelse_step(stay), {**data, "location": ""})
    assert stay.messages.get(kind="sip_invitation").payload["location"] == ""

    process = sip_services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=stay
    )
    give_consent(county, process)
    own = process.participants.get(unit=county.primary_care)
    sip_data = {
        "kind": "first",
        "meeting_at": local(timezone.now() + timedelta(days=4)),
        "place_kind": "home",
        "location": HOME,
        "invitees": [own.pk],
    }
    refused = staff.post(sip_kallelse_step(process), sip_data)
    assert refused.status_code == 200
    assert "Skriv ingen adress eller annan plats för ett möte i hemmet" in refused.content.decode()
    api.post(
        f"/sip/{process.public_id}/meetings",
        {
            "kind": "first",
            "meeting_at": (timezone.now() + timedelta(days=4)).isoformat(),
            "place_kind": "home",
            "location": HOME,
            "invitee_ids": [own.pk],
        },
        status=409,
    )
    assert process.meetings.count() == 1  # the kallelse it continues, with no location
    assert not process.meetings.exclude(location="").exists()
    response = staff.post(sip_kallelse_step(process), {**sip_data, "location": ""})
    assert response.status_code == 302
    assert process.meetings.count() == 2
