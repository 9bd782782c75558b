"""The person's acts in a SIP are what they say they are: no comment on a closed SIP, a blank
comment is no "har läst", a too long comment is refused in Swedish (not cut); a child is heard
and their guardians consent, and each viewer is told the truth about their own say; a meeting
continued from the hospital stay is shown once, as one calendar event."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from samplan.core.acting import DomainError
from samplan.people.identifiers import synthetic_identifier
from samplan.people.models import AuthorityKind, PortalScope
from samplan.portal import access
from samplan.portal import services as portal_services
from samplan.portal.citizen import Citizen, CitizenSignInMethod
from samplan.portal.tests.conftest import citizen_client
from samplan.portal.tests.scenes import full_case
from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, overview_url, page, represent
from samplan.portal.tests.test_sip import consent_url, established_sip
from samplan.sip import services as sip_services
from samplan.sip.access import consent_state_of
from samplan.sip.models import (
    AuthorKind,
    CloseReason,
    ConsentEvent,
    ConsentGiver,
    PreparationKind,
    SipEvent,
    SipEventKind,
    SipProcess,
)
from samplan.testing.county import County
from samplan.testing.factories import sign_in
from samplan.testing.sip import add_social_services, start_outpatient_sip

pytestmark = pytest.mark.django_db

OTHER_GUARDIAN = synthetic_identifier(date(1982, 8, 9), 482)


def respond_url(process: SipProcess) -> str:
    return reverse(
        "portal:sip_respond",
        kwargs={"person_id": process.person.public_id, "sip_id": process.public_id},
    )


def child_view_url(process: SipProcess) -> str:
    return reverse(
        "portal:sip_child_view",
        kwargs={"person_id": process.person.public_id, "sip_id": process.public_id},
    )


def portal_events(process: SipProcess) -> list[str]:
    return list(
        SipEvent.objects.filter(process=process, data__via="min_plan").values_list(
            "kind", flat=True
        )
    )


def the_citizen(identifier: str, name: str = "Sigrid Testsson") -> Citizen:
    return Citizen(
        identifier=identifier,
        identifier_kind="personnummer",
        name=name,
        method=CitizenSignInMethod.OIDC,
        signed_in_at=0.0,
    )


# --- Comments and read confirmations -------------------------------------------------------------


def test_a_closed_sip_takes_no_comment_nor_read_confirmation(county: County, time_machine) -> None:
    process, _meeting = established_sip(county, time_machine)
    sip_services.sip_close(
        acting=county.acting(county.primary_care_nurse),
        process=process,
        reason=CloseReason.GOALS_REACHED,
    )
    process.refresh_from_db()
    person = process.person
    citizen = the_citizen(person.identifier)
    subject = access.Subject(person=person)
    actor = citizen.actor(Client().request().wsgi_request)
    for comment in ("Jag vill ändra en sak.", None):
        with pytest.raises(DomainError, match="avslutad"):
            portal_services.plan_respond(
                citizen=citizen, actor=actor, subject=subject, process=process, comment=comment
            )
    client = citizen_client(person.identifier)
    assert "Jag har läst planen" not in page(client, overview_url(person))
    client.post(respond_url(process), {"comment": "Jag vill ändra en sak."})
    client.post(respond_url(process), {})
    assert portal_events(process) == []


def test_a_blank_comment_is_not_a_read_confirmation_and_a_long_one_is_not_cut(
    county: County, time_machine
) -> None:
    process, _meeting = established_sip(county, time_machine)
    client = citizen_client(process.person.identifier)

    blank = client.post(respond_url(process), {"comment": "   \n  "})
    assert blank.status_code == 200
    assert "Skriv din kommentar först." in blank.content.decode()
    too_long = "Hemtjänsten kommer för tidigt. " * 70
    long = client.post(respond_url(process), {"comment": too_long})
    html = long.content.decode()
    assert (
        f"Texten är för lång. Skriv högst 2000 tecken. Nu är det {len(too_long.strip())}." in html
    )
    assert too_long.strip() in html  # what the person wrote is still there to shorten
    assert 'aria-describedby="sip-' in html  # the error is tied to the field
    assert portal_events(process) == []

    with pytest.raises(DomainError):
        portal_services.plan_respond(
            citizen=the_citizen(process.person.identifier),
            actor=the_citizen(process.person.identifier).actor(Client().request().wsgi_request),
            subject=access.Subject(person=process.person),
            process=process,
            comment="  ",
        )
    assert client.post(respond_url(process), {"comment": " Bra plan. "}).status_code == 302
    assert client.post(respond_url(process), {}).status_code == 302
    assert portal_events(process) == [
        SipEventKind.PLAN_COMMENTED,
        SipEventKind.PLAN_READ_CONFIRMED,
    ]
    comment = SipEvent.objects.get(kind=SipEventKind.PLAN_COMMENTED)
    assert comment.data["text"] == "Bra plan."


# --- Consent: a child is heard, the guardians consent --------------------------------------------


def child_sip(county: County) -> SipProcess:
    child = county.person(given_name="Kim", family_name="Barnsson", birth_date=date(2015, 3, 3))
    return start_outpatient_sip(county, child)


def test_a_child_is_heard_and_cannot_give_the_consent_their_guardians_give(
    county: County,
) -> None:
    process = child_sip(county)
    child = process.person
    client = citizen_client(child.identifier, "Kim Barnsson")
    html = page(client, overview_url(child))
    assert "Dina vårdnadshavare bestämmer om samtycket." in html
    assert "Ge samtycke" not in html
    assert "Du har sagt" not in html

    response = client.post(consent_url(process), {"consent": "give"}, follow=True)
    assert "bestämmer dina vårdnadshavare om samtycket" in response.content.decode()
    assert not ConsentEvent.objects.exists()

    assert "Skriv vad du tycker först." in client.post(child_view_url(process), {}).content.decode()
    client.post(child_view_url(process), {"view": "Jag vill att skolan får veta."})
    entry = process.preparation.get()
    assert (entry.kind, entry.author_kind, entry.author_name, entry.recorded_by) == (
        PreparationKind.CHILD_VIEW,
        AuthorKind.PERSON,
        "Kim Barnsson",
        None,
    )
    assert not consent_state_of(process).advice  # the child's own view is recorded
    today = timezone.localdate().isoformat()
    assert f"Du skrev vad du tycker {today}." in page(client, overview_url(child))
    staff = page(
        sign_in(Client(), county.primary_care_nurse),
        reverse("sip:process", kwargs={"public_id": process.public_id}),
    )
    assert "Jag vill att skolan får veta." in staff.split("Barnets egen uppfattning")[1]


def test_guardians_consent_for_a_child_and_each_is_told_their_own_say(county: County) -> None:
    process = child_sip(county)
    child = process.person
    represent(child, name="Greta Förälder", portal_scope=PortalScope.FULL)
    represent(
        child, name="Gustav Förälder", identifier=OTHER_GUARDIAN, portal_scope=PortalScope.FULL
    )
    greta = citizen_client(GUARDIAN_NUMBER, "Greta Förälder")
    html = page(greta, overview_url(child))
    assert "Vårdnadshavarna bestämmer om samtycket för ett barn." in html
    assert "får inte dela uppgifter med varandra än" in html
    response = greta.post(consent_url(process), {"consent": "give"}, follow=True)
    assert "Du har sagt ja till att de som gör planen delar uppgifter" in response.content.decode()
    event = ConsentEvent.objects.get()
    assert (event.giver, event.giver_name, event.recorded_by) == (
        ConsentGiver.GUARDIAN,
        "Greta Förälder",
        None,
    )
    assert consent_state_of(process).is_valid
    add_social_services(county, process)  # refused without valid consent
    municipality = sign_in(Client(), county.needs_assessor)
    sip_page = reverse("sip:process", kwargs={"public_id": process.public_id})
    page(municipality, sip_page)
    today = timezone.localdate().isoformat()
    html = page(greta, overview_url(child))
    assert f"Du sa ja {today}." in html
    assert "Ta tillbaka samtycket" in html

    # The other guardian has said nothing: told the state, not "you said yes".
    gustav = citizen_client(OTHER_GUARDIAN, "Gustav Förälder")
    html = page(gustav, overview_url(child))
    assert "De som gör planen får dela uppgifter med varandra." in html
    assert "Du sa ja" not in html
    assert "Säg nej" in html
    gustav.post(consent_url(process), {"consent": "withdraw"})
    assert not consent_state_of(process).is_valid  # one guardian's no stops the sharing
    page(municipality, sip_page, status=404)
    html = page(greta, overview_url(child))
    assert "Samtycket är återkallat." in html
    assert f"Du sa ja {today}." in html  # still true of Greta herself
    assert f"Du sa nej {today}." in page(gustav, overview_url(child))
    # The child reads the state too, and still cannot decide it.
    html = page(citizen_client(child.identifier), overview_url(child))
    assert "Samtycket är återkallat." in html
    assert "Ge samtycke" not in html


def test_a_god_man_of_a_child_does_not_consent(county: County) -> None:
    process = child_sip(county)
    represent(process.person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.FULL)
    client = citizen_client(GUARDIAN_NUMBER, "Greta Godman")
    assert "Ge samtycke" not in page(client, overview_url(process.person))
    response = client.post(consent_url(process), {"consent": "give"}, follow=True)
    assert "vårdnadshavarna som lämnar samtycke" in response.content.decode()
    assert not ConsentEvent.objects.exists()
    assert client.post(child_view_url(process), {"view": "Inte barnet"}).status_code == 302
    assert not process.preparation.exists()


def test_an_adult_whose_representative_consented_is_not_told_they_did(county: County) -> None:
    process = start_outpatient_sip(county, county.person(birth_date=date(1950, 1, 1)))
    person = process.person
    represent(person, authority=AuthorityKind.TRUSTEE, portal_scope=PortalScope.FULL)
    trustee = citizen_client(GUARDIAN_NUMBER, "Greta Godman")
    trustee.post(consent_url(process), {"consent": "give"})
    assert ConsentEvent.objects.get().giver == ConsentGiver.REPRESENTATIVE
    today = timezone.localdate().isoformat()
    assert f"Du sa ja {today}." in page(trustee, overview_url(person))

    html = page(citizen_client(person.identifier), overview_url(person))
    assert "De som gör planen får dela uppgifter med varandra." in html
    assert "Du sa ja" not in html
    assert "Ge samtycke" in html
    assert "Säg nej" in html


# --- A meeting continued from the stay is shown once ---------------------------------------------


def test_the_stays_meeting_continued_in_the_sip_is_shown_once_as_one_event(
    county: County,
) -> None:
    person = county.person()
    case = full_case(county, person)
    process = sip_services.sip_start_from_stay(
        acting=county.acting(county.primary_care_nurse), stay=case.stay
    )
    meeting = process.meetings.get()
    client = citizen_client(person.identifier)
    html = page(client, overview_url(person))
    when = timezone.localtime(case.meeting_at).strftime("%Y-%m-%d %H:%M")
    assert html.count(when) == 1
    assert html.count("Spara mötet i kalendern") == 1
    assert "Mötet står under Din plan (SIP)" in html

    person_ics = client.get(
        reverse(
            "portal:sip_meeting_ics",
            kwargs={
                "person_id": person.public_id,
                "sip_id": process.public_id,
                "meeting_id": meeting.pk,
            },
        )
    ).content
    staff = sign_in(Client(), county.primary_care_nurse)
    staff_stay_ics = staff.get(
        reverse(
            "discharge:ics",
            kwargs={"public_id": case.stay.public_id, "message_id": case.invitation.pk},
        )
    ).content
    staff_sip_ics = staff.get(
        reverse(
            "sip:meeting_ics", kwargs={"public_id": process.public_id, "meeting_id": meeting.pk}
        )
    ).content

    def uid(ics: bytes) -> str:
        return str(next(iter(Calendar.from_ical(ics).walk("VEVENT")))["uid"])

    assert uid(person_ics) == uid(staff_stay_ics) == uid(staff_sip_ics)
    assert uid(person_ics) == f"sip-invitation-{case.invitation.pk}@samplan"
