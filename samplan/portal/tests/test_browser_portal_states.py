"""Every state of Min plan's pages on a phone (390 × 844 CSS pixels), each scanned with axe-core
(WCAG 2.1 A/AA) and checked not to scroll sideways: the person's acts on their SIP and what the
page says after each, a SIP before its plan and a closed one, the person's own page with the list
of who can see it, a representative's, a child's and a guardian's view, the hospital stay's
wishes page, the portal's error pages, and an established SVPL with the person's acts on it and a
representative's view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.core.views import permission_denied
from samplan.people.identifiers import synthetic_identifier
from samplan.people.models import AuthorityKind, PortalScope
from samplan.portal.tests.scenes import full_case
from samplan.portal.tests.test_browser_portal import Scan, phone_signed_in_as
from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, represent
from samplan.portal.tests.test_sip import established_sip
from samplan.sip import services as sip_services
from samplan.sip.models import CloseReason, MeetingKind
from samplan.testing.county import County
from samplan.testing.sip import start_outpatient_sip

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

TRUSTEE_NUMBER = synthetic_identifier(date(1966, 6, 6), 606)


def form_with(page: Page, label: str):
    return page.locator("form", has=page.get_by_label(label))


def test_the_persons_acts_on_a_sip_and_what_the_page_says_after_each(
    new_page: Callable[..., Page], live_server, county: County, time_machine
) -> None:
    process, _meeting = established_sip(county, time_machine, internal=True)
    person = process.person
    represent(
        person,
        name="Gun Godman",
        identifier=TRUSTEE_NUMBER,
        authority=AuthorityKind.TRUSTEE,
        portal_scope=PortalScope.PARTICIPATE,
        valid_until=date(2099, 12, 31),
    )
    represent(person, name="Olof Ombud", authority=AuthorityKind.POWER_OF_ATTORNEY)
    base = live_server.url
    scan = Scan()
    page = phone_signed_in_as(new_page, base, person.identifier)
    page.goto(f"{base}/min-plan/{person.public_id}/")
    expect(page.get_by_role("heading", name="Vem kan se din plan?")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Gun Godman")
    scan(page, "own page, who can see it")

    comment = form_with(page, "Vill du säga något om planen?")
    comment.get_by_role("button", name="Skicka").click()
    expect(page.locator(".field-error")).to_contain_text("Skriv din kommentar först.")
    scan(page, "a comment with an error")
    page.get_by_label("Vill du säga något om planen?").fill("Hemtjänsten får gärna komma kl 8.")
    form_with(page, "Vill du säga något om planen?").get_by_role("button", name="Skicka").click()
    expect(page.get_by_text("Tack! Personalen ser din kommentar.")).to_be_visible()
    scan(page, "after commenting")
    page.get_by_role("button", name="Jag har läst planen").click()
    expect(page.get_by_text("Personalen ser att du har läst planen")).to_be_visible()
    scan(page, "after confirming having read it")
    page.get_by_role("button", name="Ta tillbaka samtycket").click()
    expect(page.get_by_text("Du har sagt nej")).to_be_visible()
    scan(page, "after withdrawing consent")
    page.get_by_role("button", name="Ge samtycke").click()
    expect(page.get_by_text("Du har sagt ja")).to_be_visible()
    scan(page, "after giving consent")

    page.get_by_role("link", name="Skriv vad som är viktigt för dig").click()
    page.get_by_role("button", name="Skicka").click()
    expect(page.locator(".error-summary")).to_contain_text("Skriv något i minst en ruta.")
    scan(page, "SIP wishes with an error")

    trustee = phone_signed_in_as(new_page, base, TRUSTEE_NUMBER)
    trustee.goto(f"{base}/min-plan/{person.public_id}/")
    expect(trustee.locator("main")).to_contain_text("Du ser planen för att du är god man")
    scan(trustee, "a representative's SIP view")
    assert len(scan.scanned) == 8
    scan.check()


def test_a_sip_before_its_plan_a_closed_sip_a_child_and_a_guardian(
    new_page: Callable[..., Page], live_server, county: County, time_machine
) -> None:
    base = live_server.url
    scan = Scan()
    vc = county.acting(county.primary_care_nurse)

    early = start_outpatient_sip(county, county.person(given_name="Nora"))
    sip_services.meeting_invite(
        acting=vc,
        process=early,
        kind=MeetingKind.FIRST,
        meeting_at=timezone.now() + timedelta(days=3),
        place_kind="home",
        location="Norrgatan 1",
        invitees=list(early.participants.all()),
    )
    page = phone_signed_in_as(new_page, base, early.person.identifier)
    page.goto(f"{base}/min-plan/{early.person.public_id}/")
    expect(page.get_by_text("Planen är inte klar än.")).to_be_visible()
    scan(page, "a SIP with no plan yet")

    closed, _meeting = established_sip(county, time_machine)
    sip_services.sip_close(acting=vc, process=closed, reason=CloseReason.GOALS_REACHED)
    page = phone_signed_in_as(new_page, base, closed.person.identifier)
    page.goto(f"{base}/min-plan/{closed.person.public_id}/")
    expect(page.get_by_text("Planen är avslutad.")).to_be_visible()
    scan(page, "a closed SIP")

    child = county.person(given_name="Kim", family_name="Barnsson", birth_date=date(2015, 3, 3))
    start_outpatient_sip(county, child)
    represent(child, name="Greta Förälder", portal_scope=PortalScope.FULL)
    page = phone_signed_in_as(new_page, base, child.identifier)
    page.goto(f"{base}/min-plan/{child.public_id}/")
    expect(page.get_by_text("Dina vårdnadshavare bestämmer om samtycket.")).to_be_visible()
    scan(page, "a child's own SIP")
    form_with(page, "Vad tycker du?").get_by_role("button", name="Skicka").click()
    expect(page.locator(".field-error")).to_contain_text("Skriv vad du tycker först.")
    scan(page, "a child's view with an error")
    page.get_by_label("Vad tycker du?").fill("Jag vill att skolan får veta.")
    form_with(page, "Vad tycker du?").get_by_role("button", name="Skicka").click()
    expect(page.get_by_text("Tack! Nu vet personalen vad du tycker.")).to_be_visible()
    scan(page, "after the child's view")

    guardian = phone_signed_in_as(new_page, base, GUARDIAN_NUMBER)
    guardian.goto(f"{base}/min-plan/{child.public_id}/")
    expect(guardian.get_by_text("Vårdnadshavarna bestämmer om samtycket")).to_be_visible()
    scan(guardian, "a guardian's SIP view")
    guardian.get_by_role("button", name="Ge samtycke").click()
    expect(guardian.get_by_text("Du har sagt ja")).to_be_visible()
    scan(guardian, "a guardian after consenting")
    assert len(scan.scanned) == 7
    scan.check()


def test_the_hospital_stays_wishes_page_and_the_error_pages(
    new_page: Callable[..., Page], live_server, county: County
) -> None:
    base = live_server.url
    scan = Scan()
    person = county.person(given_name="Maj")
    stay = full_case(county, person).stay
    page = phone_signed_in_as(new_page, base, person.identifier)
    page.goto(f"{base}/min-plan/{person.public_id}/")
    page.get_by_role("link", name="Skriv vad som är viktigt för dig").click()
    expect(page).to_have_url(f"{base}/min-plan/{person.public_id}/vard/{stay.public_id}/viktigt/")
    scan(page, "the stay's wishes page")
    page.get_by_role("button", name="Skicka").click()
    expect(page.locator(".error-summary")).to_be_visible()
    scan(page, "the stay's wishes page with an error")
    page.get_by_label("Vad är viktigt för dig?").fill("Att kunna laga mat själv.")
    page.get_by_label("Var vill du ha mötet?").select_option("home")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_text("Tack! Personalen ser det du skrev inför mötet.")).to_be_visible()
    scan(page, "after writing on the stay")
    page.get_by_role("link", name="Skriv vad som är viktigt för dig").click()
    expect(page.get_by_role("heading", name="Det här har ni skrivit")).to_be_visible()
    scan(page, "the stay's wishes page with what was written")
    assert stay.person_statements.count() == 2

    page.goto(f"{base}/min-plan/finns-inte/")
    expect(page.locator("h1")).to_have_text("Sidan finns inte")
    scan(page, "404, unknown address")
    page.goto(f"{base}/min-plan/logga-ut/")
    expect(page.locator("h1")).to_have_text("Det gick inte")
    scan(page, "405, the sign-out address opened")

    page.goto(f"{base}/min-plan/{person.public_id}/vard/{stay.public_id}/viktigt/")
    page.evaluate(
        "document.querySelector('main form input[name=csrfmiddlewaretoken]').value = 'x'.repeat(64)"
    )
    page.get_by_label("Vad är viktigt för dig?").fill("Skickas från en gammal sida.")
    page.get_by_role("button", name="Skicka").click()
    expect(page.locator("h1")).to_have_text("Sidan var öppen för länge")
    scan(page, "403, CSRF")
    assert stay.person_statements.count() == 2

    request = RequestFactory().get("/min-plan/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    forbidden = permission_denied(request, PermissionDenied()).content.decode()
    page.route(
        f"{base}/min-plan/nekad/",
        lambda route: route.fulfill(
            status=403, body=forbidden, content_type="text/html; charset=utf-8"
        ),
    )
    page.goto(f"{base}/min-plan/nekad/")
    expect(page.locator("h1")).to_have_text("Du får inte göra det här")
    scan(page, "403")

    page.goto(f"{base}/min-plan/logga-ut/")
    page.locator("main").get_by_role("button", name="Logga ut").click()
    expect(page.locator("main")).to_contain_text("Du är utloggad")
    assert reverse("portal:sign_in") in page.url
    assert len(scan.scanned) == 8
    scan.check()


def test_the_persons_svpl_and_what_the_page_says_after_each_act(
    new_page: Callable[..., Page], live_server, county: County
) -> None:
    from samplan.psychiatry.tests import helpers as psych

    pc = psych.make_psych_county(county)
    plan = psych.start(pc, psych.psych_case(pc, county.person(given_name="Sam")), basis="lrv_12a")
    psych.save(pc, plan)
    psych.establish(pc, plan)
    person = plan.stay.person
    represent(
        person,
        name="Gun Godman",
        identifier=TRUSTEE_NUMBER,
        authority=AuthorityKind.TRUSTEE,
        portal_scope=PortalScope.READ,
        valid_until=date(2099, 12, 31),
    )
    base = live_server.url
    scan = Scan()
    page = phone_signed_in_as(new_page, base, person.identifier)
    page.goto(f"{base}/min-plan/{person.public_id}/")
    expect(page.get_by_role("heading", name="Din vårdplan från psykiatrin")).to_be_visible()
    scan(page, "an established SVPL")

    comment = form_with(page, "Vill du säga något om planen?")
    comment.get_by_role("button", name="Skicka").click()
    expect(page.locator(".field-error")).to_contain_text("Skriv din kommentar först.")
    scan(page, "an SVPL comment with an error")
    page.get_by_label("Vill du säga något om planen?").fill("Jag vill träffa samma läkare.")
    form_with(page, "Vill du säga något om planen?").get_by_role("button", name="Skicka").click()
    expect(page.get_by_text("Tack! Personalen ser din kommentar.")).to_be_visible()
    scan(page, "after commenting on the SVPL")
    page.get_by_role("button", name="Jag har läst planen").click()
    expect(page.get_by_text("Personalen ser att du har läst planen")).to_be_visible()
    scan(page, "after confirming having read the SVPL")

    trustee = phone_signed_in_as(new_page, base, TRUSTEE_NUMBER)
    trustee.goto(f"{base}/min-plan/{person.public_id}/")
    expect(trustee.locator("main")).to_contain_text("Boendestöd tre dagar i veckan")
    expect(trustee.get_by_role("button", name="Jag har läst planen")).to_have_count(0)
    scan(trustee, "a representative's SVPL view")
    assert len(scan.scanned) == 5
    scan.check()
