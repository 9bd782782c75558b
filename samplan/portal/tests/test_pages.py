"""Min plan's pages as a person and their representatives use them: what they see, what they
never see, whose plans they may open, and what the access log says about it."""

from __future__ import annotations

import subprocess
import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from samplan.accounts.models import User
from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.audit.verification import verify_chain
from samplan.discharge import services
from samplan.people.identifiers import synthetic_identifier
from samplan.people.models import AuthorityKind, CareContact, PortalScope, Representative
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.scenes import INTERNAL, full_case
from samplan.testing.county import County
from samplan.testing.factories import make_person, sign_in

pytestmark = pytest.mark.django_db

GUARDIAN_NUMBER = synthetic_identifier(date(1980, 5, 17), 417)


def overview_url(person) -> str:
    return reverse("portal:overview", kwargs={"person_id": person.public_id})


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def represent(person, *, identifier: str = GUARDIAN_NUMBER, **fields) -> Representative:
    """Record an authority for ``person`` as staff would (people.services.representative_add)."""
    fields.setdefault("authority", AuthorityKind.GUARDIAN)
    fields.setdefault("valid_from", timezone.localdate() - timedelta(days=30))
    fields.setdefault("portal_scope", PortalScope.READ)
    fields.setdefault("name", "Greta Förälder")
    recorder = User.objects.create_user(username=f"registrator-{uuid.uuid4().hex[:8]}")
    return Representative.objects.create(
        person=person, identifier=identifier, recorded_by=recorder, **fields
    )


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "brev.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


# --- Signed in or not --------------------------------------------------------------------------


def test_pages_need_a_citizen_sign_in_and_a_staff_session_is_not_one(county: County) -> None:
    person = county.person()
    for url in (reverse("portal:home"), overview_url(person)):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:sign_in")
        staff = sign_in(Client(), county.ward_nurse)
        assert staff.get(url)["Location"] == reverse("portal:sign_in")


def test_sign_out_ends_the_citizen_session(county: County) -> None:
    person = county.person()
    client = citizen_client(person.identifier)
    assert client.get(overview_url(person)).status_code == 200
    response = client.post(reverse("portal:sign_out"), follow=True)
    assert "Du är utloggad" in response.content.decode()
    assert client.get(overview_url(person))["Location"] == reverse("portal:sign_in")


def test_the_sign_in_page_without_a_configured_provider_says_so(settings) -> None:
    settings.PORTAL_OIDC = {**settings.PORTAL_OIDC, "ISSUER": ""}
    html = page(Client(), reverse("portal:sign_in"))
    assert "Det går inte att logga in just nu" in html
    assert reverse("portal:start") not in html


# --- What the person sees ----------------------------------------------------------------------


def test_the_person_sees_stay_notified_units_contacts_and_meeting(county: County) -> None:
    person = county.person(given_name="Maj", family_name="Mottagare")
    case = full_case(county, person)
    client = citizen_client(person.identifier)

    response = client.get(reverse("portal:home"))
    assert response["Location"] == overview_url(person)  # only one plan: straight to it
    html = page(client, overview_url(person))
    assert "Hej Maj!" in html
    admitted = timezone.localtime(case.stay.admitted_at).strftime("%Y-%m-%d")
    assert f"Inskriven på {county.ward.name} sedan {admitted}." in html
    assert timezone.localtime(case.stay.estimated_discharge).strftime("%Y-%m-%d") in html
    for unit in (county.primary_care, county.social_services, county.home_health_care):
        assert unit.name in html
    assert county.foreign_social_services.name not in html  # marked wrongly addressed
    assert "Fia Fast" in html
    assert 'href="tel:010-1002011"' in html
    assert "mailto:fia.fast@region.example" in html
    assert timezone.localtime(case.meeting_at).strftime("%Y-%m-%d %H:%M") in html
    assert "Vårdcentralen Centrum, rum 4" in html
    assert "Du får ett brev när du åker hem" in html  # not discharged yet: no letter
    assert "brev.pdf" not in html


def test_the_calendar_file_has_the_meeting_and_no_staff_text(county: County) -> None:
    person = county.person()
    case = full_case(county, person)
    client = citizen_client(person.identifier)
    url = reverse(
        "portal:meeting_ics",
        kwargs={
            "person_id": person.public_id,
            "stay_id": case.stay.public_id,
            "message_id": case.invitation.pk,
        },
    )
    assert url in page(client, overview_url(person))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = next(iter(Calendar.from_ical(response.content).walk("VEVENT")))
    assert event.decoded("dtstart") == timezone.localtime(case.meeting_at)
    assert "rum 4" in str(event.get("location"))
    assert INTERNAL not in response.content.decode()
    entry = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).latest("id")
    assert entry.person == person
    assert entry.purpose == AccessPurpose.OWN_ACCESS


def test_the_letter_is_there_after_discharge(county: County, tmp_path) -> None:
    person = county.person(given_name="Ulla", family_name="Utskriven")
    case = full_case(county, person, discharged=True)
    client = citizen_client(person.identifier)
    html = page(client, overview_url(person))
    assert f"Utskriven från {county.ward.name}" in html
    letter_url = reverse(
        "portal:letter", kwargs={"person_id": person.public_id, "stay_id": case.stay.public_id}
    )
    assert letter_url in html
    response = client.get(letter_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Ulla Utskriven" in text
    assert "lunginflammation" in text
    assert INTERNAL not in text
    entry = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).latest("id")
    assert (entry.person, entry.purpose) == (person, AccessPurpose.OWN_ACCESS)
    assert "brev" in entry.detail


def test_no_letter_before_discharge(county: County) -> None:
    person = county.person()
    case = full_case(county, person)
    url = reverse(
        "portal:letter", kwargs={"person_id": person.public_id, "stay_id": case.stay.public_id}
    )
    page(citizen_client(person.identifier), url, status=404)


def test_staff_internal_text_is_on_no_portal_page(county: County, tmp_path) -> None:
    """Everything staff wrote in the case carries a marker; no portal page, calendar file or
    letter may contain it, for the person or their representative, before or after discharge."""
    person = county.person()
    represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.FULL)
    represent(county.person(), authority=AuthorityKind.TRUSTEE)
    case = full_case(county, person)
    assert INTERNAL in page(
        sign_in(Client(), county.ward_nurse),
        reverse("discharge:case", kwargs={"public_id": case.stay.public_id}),
    ), "the marker must be on the staff's case page, or this test proves nothing"

    def portal_output(client: Client) -> list[str]:
        stay = case.stay
        home = client.get(reverse("portal:home"), follow=True).content.decode()
        outputs = [page(client, overview_url(person)), home]
        outputs.append(
            client.get(
                reverse(
                    "portal:meeting_ics",
                    kwargs={
                        "person_id": person.public_id,
                        "stay_id": stay.public_id,
                        "message_id": case.invitation.pk,
                    },
                )
            ).content.decode()
        )
        if stay.status == "discharged":
            letter = client.get(
                reverse(
                    "portal:letter",
                    kwargs={"person_id": person.public_id, "stay_id": stay.public_id},
                )
            )
            outputs.append(pdf_text(letter.content, tmp_path))
        return outputs

    own, guardian = citizen_client(person.identifier), citizen_client(GUARDIAN_NUMBER)
    before = portal_output(own) + portal_output(guardian)
    services.discharge_notice_send(
        acting=county.acting(county.ward_nurse),
        stay=case.stay,
        discharged_at=timezone.now(),
        body=f"{INTERNAL} utskriven",
    )
    case.stay.refresh_from_db()
    after = portal_output(own) + portal_output(guardian)
    assert len(after) == len(before) + 2  # the letters
    for output in before + after:
        assert INTERNAL not in output


def test_a_protected_identity_sees_their_own_data_and_the_access_is_flagged(
    county: County,
) -> None:
    person = county.person(protected=True, street_address="Hemliga vägen 1")
    full_case(county, person)
    html = page(citizen_client(person.identifier), overview_url(person))
    assert county.ward.name in html
    assert "Fia Fast" in html
    assert "Hemliga vägen" not in html
    entry = AccessLogEntry.objects.filter(action=AccessAction.READ).latest("id")
    assert entry.person == person
    assert entry.protected_identity


def test_every_read_is_logged_as_the_persons_own_access(county: County) -> None:
    person = county.person()
    case = full_case(county, person)
    before = AccessLogEntry.objects.count()
    page(citizen_client(person.identifier), overview_url(person))
    entries = list(AccessLogEntry.objects.filter(pk__gt=0).order_by("id")[before:])
    assert len(entries) == 1
    (entry,) = entries
    assert entry.action == AccessAction.READ
    assert entry.purpose == AccessPurpose.OWN_ACCESS
    assert entry.person == person
    assert entry.object_id == str(case.stay.pk)
    assert entry.user is None
    assert entry.username == f"invånare {person.display_identifier}"


# --- Other persons and representatives ---------------------------------------------------------


def test_another_persons_plan_is_404_and_the_attempt_is_logged(county: County) -> None:
    person, other = county.person(), county.person(given_name="Olle", family_name="Annansson")
    full_case(county, other)
    client = citizen_client(person.identifier)
    html = page(client, overview_url(other), status=404)
    assert "Olle" not in html
    assert "Sidan finns inte" in html
    denied = AccessLogEntry.objects.filter(action=AccessAction.DENIED).get()
    assert denied.person == other
    assert denied.username == f"invånare {person.display_identifier}"
    stay = other.stays.get()
    letter = reverse(
        "portal:letter", kwargs={"person_id": other.public_id, "stay_id": stay.public_id}
    )
    assert client.get(letter).status_code == 404
    # Own person id with another person's stay: still nothing.
    mixed = reverse(
        "portal:letter", kwargs={"person_id": person.public_id, "stay_id": stay.public_id}
    )
    assert client.get(mixed).status_code == 404


def test_a_guardian_chooses_and_sees_the_childs_plan(county: County) -> None:
    child = county.person(given_name="Kim", family_name="Barnsson", birth_date=date(2015, 3, 3))
    full_case(county, child)
    authority = represent(child)
    guardian_self = make_person(given_name="Greta", family_name="Förälder")
    guardian_self.identifier = GUARDIAN_NUMBER
    guardian_self.save()
    client = citizen_client(GUARDIAN_NUMBER)

    chooser = page(client, reverse("portal:home"))
    assert "Vems plan vill du se?" in chooser
    assert "Min egen plan" in chooser
    assert "Kim Barnsson" in chooser
    assert "Du är vårdnadshavare." in chooser
    html = page(client, overview_url(child))
    assert "Kim Barnsson" in html
    assert "Du ser planen för att du är vårdnadshavare." in html
    assert county.ward.name in html
    assert "Vem kan se din plan?" not in html  # that section is for the person themselves
    entry = AccessLogEntry.objects.filter(action=AccessAction.READ).latest("id")
    assert entry.person == child
    assert entry.purpose == AccessPurpose.REPRESENTATIVE
    assert f"företrädare #{authority.pk}" in entry.detail
    assert entry.username == f"invånare {guardian_self.display_identifier}"
    chooser_entries = AccessLogEntry.objects.filter(detail__startswith="Min plan: val av plan")
    assert {(e.person, e.purpose) for e in chooser_entries} == {
        (guardian_self, AccessPurpose.OWN_ACCESS),
        (child, AccessPurpose.REPRESENTATIVE),
    }
    assert verify_chain().intact  # the chooser's entries are written as one chained batch


@pytest.mark.parametrize(
    ("change", "visible"),
    [
        ({}, True),
        ({"portal_scope": PortalScope.NONE}, False),
        ({"valid_until": date.today() - timedelta(days=1)}, False),
        ({"valid_from": date.today() + timedelta(days=1)}, False),
        ({"valid_until": date.today()}, True),
        ({"withdrawn": True}, False),
        ({"adult": True}, False),
        ({"adult": True, "authority": AuthorityKind.TRUSTEE}, True),
    ],
    ids=[
        "in force",
        "no portal scope",
        "expired",
        "not yet started",
        "last day",
        "withdrawn",
        "guardian of an adult",
        "trustee of an adult",
    ],
)
def test_representative_sees_only_under_authority_in_force(
    county: County, change: dict, visible: bool
) -> None:
    change = dict(change)
    adult = change.pop("adult", False)
    withdrawn = change.pop("withdrawn", False)
    birth = date(1950, 1, 1) if adult else timezone.localdate() - timedelta(days=365 * 10)
    person = county.person(birth_date=birth)
    authority = represent(person, **change)
    if withdrawn:
        authority.withdrawn_at = timezone.now()
        authority.withdrawn_reason = "Fullmakten är uppsagd"
        authority.save()
    client = citizen_client(GUARDIAN_NUMBER)
    response = client.get(overview_url(person))
    assert response.status_code == (200 if visible else 404)
    home = client.get(reverse("portal:home"))
    if visible:
        assert home["Location"] == overview_url(person)
    else:
        assert "Vi hittar ingen plan för dig" in home.content.decode()


def test_the_person_sees_who_can_see_their_plan(county: County) -> None:
    person = county.person(birth_date=date(1950, 1, 1))
    represent(
        person,
        name="Gun Godman",
        authority=AuthorityKind.TRUSTEE,
        portal_scope=PortalScope.PARTICIPATE,
        valid_until=date(2099, 12, 31),
    )
    represent(person, name="Ej Inloggning", identifier="", portal_scope=PortalScope.NONE)
    represent(
        person,
        name="Olof Ombud",
        identifier=synthetic_identifier(date(1970, 1, 1), 70),
        authority=AuthorityKind.POWER_OF_ATTORNEY,
    )
    gone = represent(person, name="Åter Kallad", authority=AuthorityKind.POWER_OF_ATTORNEY)
    gone.withdrawn_at = timezone.now()
    gone.save()
    html = page(citizen_client(person.identifier), overview_url(person))
    assert "Vem kan se din plan?" in html
    assert "Gun Godman" in html
    assert "god man" in html
    assert "2099-12-31" in html
    assert "se planen och delta" in html
    assert "Olof Ombud</strong>, ombud med fullmakt." in html
    assert "Ej Inloggning" not in html
    assert "Åter Kallad" not in html


def test_the_chooser_takes_the_same_queries_for_two_or_four_represented(county: County) -> None:
    def chooser_queries(count: int) -> int:
        number = synthetic_identifier(date(1981, 1, 1), 100 + count)
        for _ in range(count):
            represent(county.person(birth_date=date(2016, 1, 1)), identifier=number)
        client = citizen_client(number)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("portal:home")).status_code == (200 if count > 1 else 302)
        return len(queries)

    chooser_queries(3)  # the first access-log entry of the run creates the chain head
    assert chooser_queries(2) == chooser_queries(4)


def test_the_person_page_takes_the_same_queries_with_more_contacts_and_units(
    county: County,
) -> None:
    def queries_for(extra_contacts: int) -> int:
        person = county.person()
        full_case(county, person)
        for n in range(extra_contacts):
            CareContact.objects.create(
                person=person,
                role="fast_lakarkontakt",
                name=f"Doktor {n}",
                unit=county.primary_care,
                valid_from=timezone.localdate(),
                recorded_by=county.ward_nurse.user,
            )
        client = citizen_client(person.identifier)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(overview_url(person)).status_code == 200
        return len(queries)

    assert queries_for(0) == queries_for(3)


# --- Demo sign-in ------------------------------------------------------------------------------


def test_demo_sign_in_does_not_exist_outside_demo_mode(settings, county: County) -> None:
    settings.DEMO_MODE = False
    assert Client().get(reverse("portal:demo")).status_code == 404
    person = county.person()
    response = Client().post(reverse("portal:demo"), {"who": person.identifier})
    assert response.status_code == 404


def test_demo_sign_in_lists_demo_persons_and_signs_in(settings, county: County) -> None:
    settings.DEMO_MODE = True
    person = county.person(given_name="Dagny", family_name="Demo")
    full_case(county, person)
    child = county.person(given_name="Lill", family_name="Demo", birth_date=date(2018, 1, 1))
    full_case(county, child)
    represent(child, name="Doris Demoförälder")
    stranger = county.person(given_name="Ingen", family_name="Vård")
    client = Client()
    html = page(client, reverse("portal:demo"))
    assert "Demoinloggning" in html
    assert "Dagny Demo" in html
    assert "Doris Demoförälder" in html
    assert "Ingen Vård" not in html
    # Only the listed persons can be chosen.
    client.post(reverse("portal:demo"), {"who": stranger.identifier})
    assert client.get(reverse("portal:home")).status_code == 302
    assert client.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")
    response = client.post(reverse("portal:demo"), {"who": person.identifier}, follow=True)
    assert "Hej Dagny!" in response.content.decode()
    entry = AccessLogEntry.objects.filter(action=AccessAction.LOOKUP).latest("id")
    assert "demo" in entry.detail


def test_demo_sign_in_lists_someone_with_an_established_plan(settings, county: County) -> None:
    from samplan.testing.sip import (
        add_social_services,
        establish,
        give_consent,
        save_plan,
        start_outpatient_sip,
    )

    settings.DEMO_MODE = True
    planned = county.person(given_name="Petra", family_name="Plan")
    process = start_outpatient_sip(county, planned)
    give_consent(county, process)
    add_social_services(county, process)
    save_plan(county, process)
    establish(county, process)
    preparing = start_outpatient_sip(county, county.person(given_name="Utan", family_name="Plan"))
    assert not preparing.versions.exists()
    client = Client()
    html = page(client, reverse("portal:demo"))
    assert "Petra Plan" in html
    assert "Har en plan (SIP)." in html
    assert "Utan Plan" not in html  # no plan yet, no stay: nothing to show in the demo
    response = client.post(reverse("portal:demo"), {"who": planned.identifier}, follow=True)
    assert "Din plan (SIP)" in response.content.decode()
    assert "Läkemedelsgenomgång" in response.content.decode()
