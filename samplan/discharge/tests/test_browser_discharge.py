"""The discharge pages in a real browser.

One flow: a ward nurse, a vårdcentral's head of unit and a municipal needs assessor, each in
their own browser, take a category E case from admission to the utskrivningsmeddelande by
clicking through the pages, while a unit outside the case gets the 404 page.

One axe-core scan (WCAG 2.1 A/AA) per group of pages, on cases built with the services: the work
list empty and filled, the admit page, the case page in several states, every step form (also
with its validation errors) and the withdraw page.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessAction, AccessLogEntry
from samplan.directory.models import Membership
from samplan.discharge import rules, services
from samplan.discharge.models import ChecklistKind, InpatientStay
from samplan.discharge.steps import STEPS
from samplan.testing.browser import AxeScan, run_axe_scene, sign_in_via_ui
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def county() -> County:
    return make_county()


# --- Helpers ---------------------------------------------------------------------------------


def case_url(base_url: str, stay: InpatientStay) -> str:
    return base_url + reverse("discharge:case", kwargs={"public_id": stay.public_id})


def step_url(base_url: str, stay: InpatientStay, slug: str) -> str:
    return base_url + reverse("discharge:step", kwargs={"public_id": stay.public_id, "slug": slug})


def submit_empty(page: Page) -> None:
    """Submit a step form as it is (only its initial values) to show its validation errors."""
    fields = "input[type=text], input[type=email], input[type=date], input[type=datetime-local]"
    for field in page.locator("#step-form").locator(f"{fields}, textarea").all():
        field.fill("")
    page.locator("#step-form button[type=submit]").click()


# --- Data for the scans ----------------------------------------------------------------------


def case_in_planning(county: County) -> InpatientStay:
    """A category E case with something in every part of the case page."""
    ward = county.acting(county.ward_nurse)
    centre = county.acting(county.primary_care_head)
    municipality = county.acting(county.needs_assessor)
    stay = admit(county, county.person(given_name="Greta", family_name="Planeringsson"))
    record_conversation(county, stay)
    notice = send_admission_notice(county, stay)
    services.message_acknowledge(acting=centre, stay=stay, message=notice)
    agreement = agreement_of(stay.agreement)
    answers = {q.id: q.choices[0][0] for q in rules.planning_questions(agreement)}
    services.assessment_answer(acting=municipality, stay=stay, answers=answers)
    services.care_contact_appoint(
        acting=centre, stay=stay, name="Fia Fast", title="Distriktssköterska"
    )
    services.colour_override(acting=centre, stay=stay, colour="rod", reason="Svår situation")
    services.planning_note_add(acting=municipality, stay=stay, text="Hemtjänst förbereds.")
    message = services.general_message_send(acting=ward, stay=stay, body="Fel uppgift")
    services.message_withdraw(acting=ward, stay=stay, message=message, reason="Fel patient")
    services.general_message_send(acting=ward, stay=stay, body="Ring dottern före besök.")
    services.ready_notice_send(acting=ward, stay=stay, physician="Lars Läkare")
    services.unavailability_record(
        acting=centre, stay=stay, starts_on=timezone.localdate(), reason="Ingen läkare"
    )
    services.sip_invitation_send(
        acting=centre,
        stay=stay,
        meeting_at=timezone.now() + timedelta(days=1),
        place_kind="video",
        location="https://video.example/sip",
        invitees=[county.social_services, county.ward],
    )
    services.checklist_mark(
        acting=ward, stay=stay, checklist=ChecklistKind.INFORMATION_TRANSFER, item="epikris"
    )
    return stay


def overdue_case(county: County) -> InpatientStay:
    """Admitted three days ago, no ankomstsamtal: its deadline has passed."""
    return admit(
        county,
        county.person(given_name="Olle", family_name="Sensson"),
        admitted_at=timezone.now() - timedelta(days=3),
    )


# --- The axe scans ---------------------------------------------------------------------------


def scan_worklists_empty(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    page = open_as(county.ward_nurse)
    page.goto(base + reverse("discharge:worklist"))
    expect(page.get_by_text("Inget att göra just nu.")).to_be_visible()
    scan(page, "work list, empty")


def scan_admit(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    person = county.person()
    page = open_as(county.ward_nurse)
    page.goto(base + reverse("discharge:admit", kwargs={"person_id": person.public_id}))
    scan(page, "admit")
    page.get_by_label("Inskriven (datum och tid)").fill("")
    page.get_by_role("button", name="Skriv in").click()
    expect(page.locator(".error-summary")).to_be_visible()
    scan(page, "admit, errors")


def scan_new_case(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    stay = admit(county)
    page = open_as(county.ward_nurse)
    page.goto(case_url(base, stay))
    scan(page, "case, just admitted")


def scan_case_in_planning(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    stay = case_in_planning(county)
    overdue_case(county)
    for who in (county.ward_nurse, county.primary_care_head, county.needs_assessor):
        page = open_as(who)
        page.goto(base + reverse("discharge:worklist"))
        scan(page, f"work list, filled ({who.unit.name})")
        page.goto(case_url(base, stay))
        scan(page, f"case in planning ({who.unit.name})")
    page = open_as(county.ward_nurse)
    page.goto(case_url(base, stay))
    page.get_by_role("link", name="Makulera Underrättelse om utskrivningsklar").click()
    # withdraw
    scan(page, "withdraw")
    page.get_by_role("button", name="Makulera").click()
    scan(page, "withdraw, errors")


def scan_step_forms(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    stay = case_in_planning(county)
    scanned: set[str] = set()  # a step's form is the same page whoever opens it: scan it once
    for who in (county.ward_nurse, county.primary_care_head, county.needs_assessor):
        page = open_as(who)
        acting = county.acting(who)
        for slug, step in STEPS.items():
            if slug in scanned or not step.allowed(acting, stay):
                continue
            scanned.add(slug)
            page.goto(step_url(base, stay, slug))
            scan(page, f"step {slug} ({who.unit.name})")
            submit_empty(page)
            expect(page.locator(".error-summary")).to_be_visible()
            scan(page, f"step {slug} with errors ({who.unit.name})")


def scan_closed_case(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    stay = case_in_planning(county)
    ward = county.acting(county.ward_nurse)
    services.discharge_notice_send(acting=ward, stay=stay, discharged_at=timezone.now())
    for who in (county.ward_nurse, county.needs_assessor):
        page = open_as(who)
        page.goto(case_url(base, stay))
        scan(page, f"case discharged ({who.unit.name})")
    page.goto(base + reverse("discharge:worklist"))
    scan(page, "work list, discharged case to acknowledge")


def scan_unavailability_end(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    """The page that ends a 5:5 period, as the vårdcentral reaches it from the case page."""
    stay = case_in_planning(county)  # a period is running
    page = open_as(county.primary_care_nurse)
    page.goto(case_url(base, stay))
    page.get_by_role("link", name="Avsluta perioden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Avsluta period utan öppenvårdsinsatser"
    )
    scan(page, "end 5:5 period")
    page.get_by_label("Till och med").fill("")
    page.get_by_role("button", name="Avsluta perioden").click()
    expect(page.locator(".error-summary")).to_be_visible()
    scan(page, "end 5:5 period, errors")
    page.get_by_label("Till och med").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Avsluta perioden").click()
    expect(page.get_by_role("status")).to_contain_text("Perioden är avslutad.")
    scan(page, "case, 5:5 period ended")


def scan_late_discharge(county: County, open_as: Any, scan: AxeScan, base: str) -> None:
    """A discharge recorded the next day: its notice late against its deadline, messages read
    by one unit and unread by another, the versions the case was judged under."""
    person = county.person(given_name="Lena", family_name="Sentsson")
    stay = admit(county, person, admitted_at=timezone.now() - timedelta(days=3))
    record_conversation(county, stay)
    send_admission_notice(county, stay)
    ward = county.acting(county.ward_nurse)
    services.checklist_mark(
        acting=ward,
        stay=stay,
        checklist=ChecklistKind.INFORMATION_TRANSFER,
        item="medical_responsibility",
        note="Doktor Lind, Vårdcentralen Centrum",
    )
    services.discharge_notice_send(
        acting=ward, stay=stay, discharged_at=timezone.now() - timedelta(days=1)
    )
    for who in (county.needs_assessor, county.ward_nurse):
        page = open_as(who)
        page.goto(case_url(base, stay))
        late = page.get_by_role("listitem").filter(has_text="Utskrivningsmeddelande:")
        expect(late.get_by_text("För sent")).to_be_visible()
        scan(page, f"case, late discharge notice ({who.unit.name})")
    page = open_as(county.municipal_nurse)
    page.goto(base + reverse("discharge:worklist"))
    expect(page.get_by_text("olästa /").first).to_be_visible()
    scan(page, "work list with unread messages")


SCANS = {
    "worklist-empty": scan_worklists_empty,
    "admit": scan_admit,
    "case-new": scan_new_case,
    "case-in-planning": scan_case_in_planning,
    "step-forms": scan_step_forms,
    "case-closed": scan_closed_case,
    "unavailability-end": scan_unavailability_end,
    "late-discharge": scan_late_discharge,
}


@pytest.mark.parametrize("scene", list(SCANS))
def test_discharge_pages_have_no_axe_violations(scene, county, new_page, live_server) -> None:
    run_axe_scene(SCANS[scene], county, new_page, live_server.url)


# --- The flow: three units take a category E case through the pages -------------------------

WORKLIST_TABLE = "Ärenden med uppgifter för din enhet"


def local_input(moment: datetime) -> str:
    """What a person types into a datetime-local field."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def shown(moment: datetime) -> str:
    """How the pages show a time."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def navigate(page: Page, target: Locator) -> None:
    """Click a link or submit button and wait for the next page, so that no assertion can pass
    on the page that was there before."""
    with page.expect_navigation():
        target.click()


def open_worklist(page: Page) -> None:
    navigate(
        page, page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Att göra")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Att göra")


def worklist_row(page: Page, name: str) -> Locator:
    """The person's row in the work list (none when the case needs nothing from the unit)."""
    return (
        page.get_by_role("table", name=WORKLIST_TABLE)
        .get_by_role("row")
        .filter(has=page.get_by_role("link", name=name, exact=True))
    )


def open_case_from_worklist(page: Page, name: str) -> None:
    """From the work list (opened first unless it is the page shown) to the person's case."""
    if urlsplit(page.url).path != reverse("discharge:worklist"):
        open_worklist(page)
    navigate(page, worklist_row(page, name).get_by_role("link", name=name, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def actions(page: Page) -> Locator:
    """The case page's list of steps the acting unit may take."""
    return page.get_by_role("navigation", name="Åtgärder för din enhet")


def take_step(page: Page, title: str) -> None:
    navigate(page, actions(page).get_by_role("link", name=title, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)


def submit(page: Page, button: str, success: str) -> None:
    navigate(page, page.get_by_role("button", name=button, exact=True))
    expect(page.get_by_role("status")).to_contain_text(success)


def acknowledge(page: Page, kind: str) -> None:
    """Kvittera a message from the case page."""
    submit(page, f"Kvittera {kind}", "Meddelandet är kvitterat.")
    expect(page.get_by_role("button", name=f"Kvittera {kind}", exact=True)).to_have_count(0)


def test_three_units_take_a_category_e_case_from_admission_to_discharge(
    county, new_page, live_server
) -> None:
    base = live_server.url
    person = county.person(given_name="Elsa", family_name="Flödesson")
    name = person.full_name
    now = timezone.now()

    def staff_page(membership: Membership) -> Page:
        page = new_page()
        sign_in_via_ui(page, base, membership)
        return page

    ward = staff_page(county.ward_nurse)
    centre = staff_page(county.primary_care_head)
    municipality = staff_page(county.needs_assessor)

    # The ward finds the person and admits her.
    navigate(
        ward,
        ward.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sök person"),
    )
    ward.get_by_label("Personnummer, samordningsnummer eller reservnummer").fill(
        person.display_identifier
    )
    navigate(ward, ward.get_by_role("button", name="Sök", exact=True))
    expect(ward.get_by_role("heading", level=1)).to_have_text(name)
    navigate(ward, ward.get_by_role("link", name="Skriv in på din avdelning"))
    admitted = now - timedelta(hours=3)
    ward.get_by_label("Inskriven (datum och tid)").fill(local_input(admitted))
    ward.get_by_label("Behandlande läkare").fill("Lars Läkare")
    submit(ward, "Skriv in", "Patienten är inskriven")
    expect(ward.get_by_role("heading", level=1)).to_contain_text(name)
    case_path = ward.url
    open_worklist(ward)
    expect(worklist_row(ward, name)).to_contain_text("Dokumentera ankomstsamtalet")
    for other in (centre, municipality):  # not parties yet
        open_worklist(other)
        expect(other.get_by_text("Inget att göra just nu.")).to_be_visible()

    # Ankomstsamtal: särskilt boende and the vårdcentral afterwards make category E.
    open_case_from_worklist(ward, name)
    take_step(ward, "Dokumentera ankomstsamtal")
    ward.get_by_label("Samtalet hölls").fill(local_input(admitted + timedelta(hours=1)))
    ward.get_by_label("Deltagare").fill("Patienten och dottern")
    before = ward.get_by_role("group", name="Insatser och planer före inskrivningen")
    before.get_by_label("Hemtjänst före inskrivning").check()
    after = ward.get_by_role("group", name="Behov av insatser efter utskrivningen")
    after.get_by_label("Regionens öppna vård").check()
    after.get_by_label("inkl. kommunal hälso- och sjukvård (t.ex. särskilt boende)").check()
    ward.get_by_label("Patientens egna önskemål").fill("Vill bo nära dottern.")
    ward.get_by_label("Informationsbroschyr lämnad").check()
    submit(ward, "Spara ankomstsamtalet", "Ankomstsamtalet är dokumenterat.")
    expect(ward.get_by_text("Vad kategori E kräver")).to_be_visible()
    expect(actions(ward).get_by_role("link", name="Utse fast vårdkontakt")).to_have_count(0)
    open_worklist(ward)
    row = worklist_row(ward, name)
    expect(row).to_contain_text("kategori E")
    expect(row).to_contain_text("Skicka inskrivningsmeddelande")
    expect(row).not_to_contain_text("Dokumentera ankomstsamtalet")

    # Inskrivningsmeddelande: the recipients are proposed from the category, the person's
    # municipality and her listed vårdcentral.
    open_case_from_worklist(ward, name)
    take_step(ward, "Skicka inskrivningsmeddelande")
    recipients = ward.get_by_role("group", name="Mottagare")
    for unit in (county.primary_care, county.social_services, county.home_health_care):
        expect(recipients.get_by_label(unit.name)).to_be_checked()
    expect(recipients.get_by_label(county.foreign_social_services.name)).not_to_be_checked()
    estimated = now + timedelta(days=4)
    ward.get_by_label("Beräknad tidpunkt för utskrivning").fill(local_input(estimated))
    submit(ward, "Skicka inskrivningsmeddelandet", "Inskrivningsmeddelandet är skickat.")
    open_worklist(ward)
    row = worklist_row(ward, name)
    expect(row).to_contain_text("Skicka underrättelse om utskrivningsklar")
    expect(row).not_to_contain_text("Skicka inskrivningsmeddelande")
    open_worklist(centre)
    row = worklist_row(centre, name)
    for task in ("Kvittera inskrivningsmeddelande", "Utse fast vårdkontakt"):
        expect(row).to_contain_text(task)
    expect(row).to_contain_text(shown(estimated))
    open_worklist(municipality)
    row = worklist_row(municipality, name)
    for task in ("Kvittera inskrivningsmeddelande", "Besvara planeringsunderlaget"):
        expect(row).to_contain_text(task)
    expect(row).not_to_contain_text("Utse fast vårdkontakt")

    # A unit of another municipality is no party: the case does not exist for it, and the
    # attempt is in the access log.
    outsider = staff_page(county.outsider)
    denied = AccessLogEntry.objects.filter(
        action=AccessAction.DENIED, person=person, user=county.outsider.user
    )
    assert not denied.exists()
    response = outsider.goto(case_path)
    assert response is not None
    assert response.status == 404
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Sidan finns inte")
    expect(outsider.get_by_text(name)).to_have_count(0)
    assert denied.exists()

    # Both recipients acknowledge; the municipality sees only the steps that are its own.
    for page in (centre, municipality):
        open_case_from_worklist(page, name)
        acknowledge(page, "Inskrivningsmeddelande")
        open_worklist(page)
        row = worklist_row(page, name)
        expect(row).to_contain_text("Besvara planeringsunderlaget")
        expect(row).not_to_contain_text("Kvittera inskrivningsmeddelande")
    open_case_from_worklist(municipality, name)
    steps = actions(municipality)
    expect(steps.get_by_role("link", name="Besvara planeringsunderlag")).to_be_visible()
    for ward_or_fvk_only in (
        "Skicka inskrivningsmeddelande",
        "Skicka utskrivningsmeddelande",
        "Ändra beräknad utskrivning",
        "Utse fast vårdkontakt",
        "Skicka kallelse till SIP",
    ):
        expect(steps.get_by_role("link", name=ward_or_fvk_only)).to_have_count(0)
    expect(municipality.get_by_role("button", name=re.compile("^Markera klar"))).to_have_count(0)
    municipality.goto(step_url(base, InpatientStay.objects.get(person=person), "utskrivning"))
    expect(municipality.get_by_role("status")).to_contain_text(
        "Din enhet kan inte göra det här steget i ärendet."
    )

    # The municipality answers the planeringsunderlag: a new särskilt boende makes it red.
    expect(municipality.get_by_text("Inget planeringsunderlag besvarat")).to_be_visible()
    take_step(municipality, "Besvara planeringsunderlag")
    for question in (
        "Har patienten insatser från socialtjänsten före inskrivning?",
        "Behövs kommunal hälso- och sjukvård efter utskrivningen?",
        "Behövs insatser från regionens öppna vård",
        "Behövs nya eller förändrade insatser?",
        "Omfattande behov / flera nya insatser?",
    ):
        municipality.get_by_role("group", name=question).get_by_label("Ja", exact=True).check()
    municipality.get_by_role("group", name="Finns en befintlig SIP?").get_by_label(
        "Nej", exact=True
    ).check()
    municipality.get_by_role("group", name="Var ska patienten bo").get_by_label(
        "I ett nytt särskilt boende"
    ).check()
    submit(municipality, "Spara svaren", "Planeringsunderlaget är besvarat.")
    expect(municipality.get_by_text(f"{county.social_services.name}: Röd")).to_be_visible()
    expect(municipality.get_by_text("Starta SIP-processen direkt vid hemgången")).to_be_visible()
    open_worklist(municipality)
    expect(worklist_row(municipality, name)).to_have_count(0)

    # The vårdcentral's head of unit appoints the fast vårdkontakt.
    open_case_from_worklist(centre, name)
    expect(centre.get_by_text("Starta SIP-processen direkt vid hemgången")).to_be_visible()
    for not_yet_or_ward_only in (
        "Skicka kallelse till SIP",  # until the vårdcentral holds the fast vårdkontakt
        "Skicka inskrivningsmeddelande",
        "Skicka utskrivningsmeddelande",
    ):
        expect(actions(centre).get_by_role("link", name=not_yet_or_ward_only)).to_have_count(0)
    take_step(centre, "Utse fast vårdkontakt")
    centre.get_by_label("Namn").fill("Fia Fast")
    centre.get_by_label("Yrke/titel").fill("Distriktssköterska")
    submit(centre, "Utse fast vårdkontakt", "Fast vårdkontakt är utsedd.")
    expect(
        centre.get_by_role("definition").filter(has_text=f"Fia Fast, {county.primary_care.name}")
    ).to_be_visible()
    open_worklist(centre)
    row = worklist_row(centre, name)
    expect(row).to_be_visible()
    expect(row).not_to_contain_text("Utse fast vårdkontakt")

    # The ward moves the estimated discharge; every party is told and sees the new time.
    open_case_from_worklist(ward, name)
    for not_the_wards in ("Utse fast vårdkontakt", "Skicka kallelse till SIP"):
        expect(actions(ward).get_by_role("link", name=not_the_wards)).to_have_count(0)
    take_step(ward, "Ändra beräknad utskrivning")
    moved = now + timedelta(days=2)
    ward.get_by_label("Ny beräknad tidpunkt för utskrivning").fill(local_input(moved))
    ward.get_by_label("Orsak").fill("Snabbare återhämtning än väntat")
    submit(ward, "Skicka den nya tidpunkten", "Den nya tidpunkten är skickad")
    announcement = f"Ny beräknad utskrivning: {shown(moved)} (tidigare {shown(estimated)})."
    for page in (centre, municipality):
        open_worklist(page)
        row = worklist_row(page, name)
        expect(row).to_contain_text("Kvittera ändrad beräknad utskrivning")
        expect(row).to_contain_text(shown(moved))
        open_case_from_worklist(page, name)
        expect(page.get_by_text(announcement)).to_be_visible()
        acknowledge(page, "Ändrad beräknad utskrivning")
    open_worklist(municipality)
    expect(worklist_row(municipality, name)).to_have_count(0)

    # Utskrivningsklar: the ward's waiting list gets the patient, the FVK gets the kallelse.
    open_case_from_worklist(ward, name)
    take_step(ward, "Skicka underrättelse om utskrivningsklar")
    ward.get_by_label("Läkare som bedömt patienten utskrivningsklar").fill("Lars Läkare")
    submit(ward, "Skicka underrättelsen", "Underrättelsen om utskrivningsklar är skickad.")
    expect(
        actions(ward).get_by_role("link", name="Skicka underrättelse om utskrivningsklar")
    ).to_have_count(0)
    open_worklist(ward)
    row = worklist_row(ward, name)
    expect(row).not_to_contain_text("Skicka underrättelse om utskrivningsklar")
    expect(row).to_contain_text("Informationsöverföring: Epikris")
    waiting = ward.get_by_role("region", name="Utskrivningsklara patienter som väntar")
    expect(waiting.get_by_role("link", name=name, exact=True)).to_be_visible()
    open_worklist(centre)
    row = worklist_row(centre, name)
    expect(row).to_contain_text("Skicka kallelse till SIP")
    expect(row).to_contain_text("Kvittera underrättelse om utskrivningsklar")
    open_worklist(municipality)
    expect(worklist_row(municipality, name)).to_contain_text(
        "Kvittera underrättelse om utskrivningsklar"
    )

    # The fast vårdkontakt's unit sends the kallelse to SIP to the other parties.
    open_case_from_worklist(centre, name)
    acknowledge(centre, "Underrättelse om utskrivningsklar")
    take_step(centre, "Skicka kallelse till SIP")
    meeting = now + timedelta(days=1)
    centre.get_by_label("Tid för mötet").fill(local_input(meeting))
    centre.get_by_role("group", name="Plats").get_by_label("Videomöte").check()
    centre.get_by_label("Adress, lokal eller länk till videomötet").fill(
        "https://video.example/sip"
    )
    invitees = centre.get_by_role("group", name="Kallade enheter")
    for unit in (county.ward, county.social_services, county.home_health_care):
        expect(invitees.get_by_label(unit.name)).to_be_checked()
    submit(centre, "Skicka kallelsen", "Kallelsen är skickad.")
    open_worklist(centre)
    row = worklist_row(centre, name)
    expect(row).to_contain_text("Ge personen den skriftliga planen från SIP-mötet")
    expect(row).not_to_contain_text("Skicka kallelse till SIP")
    open_worklist(municipality)
    expect(worklist_row(municipality, name)).to_contain_text("Kvittera kallelse till SIP")
    open_case_from_worklist(municipality, name)
    expect(
        municipality.get_by_text(f"SIP-möte {shown(meeting)}: Videomöte: https://video.example/sip")
    ).to_be_visible()
    expect(municipality.get_by_role("link", name="Lägg in i kalendern (.ics)")).to_be_visible()
    acknowledge(municipality, "Underrättelse om utskrivningsklar")
    acknowledge(municipality, "Kallelse till SIP")
    open_worklist(municipality)
    expect(worklist_row(municipality, name)).to_have_count(0)

    # The ward: kallelse acknowledged, information transferred, Hemgångsklar, the letter.
    open_worklist(ward)
    expect(worklist_row(ward, name)).to_contain_text("Kvittera kallelse till SIP")
    open_case_from_worklist(ward, name)
    acknowledge(ward, "Kallelse till SIP")
    agreement = agreement_of(InpatientStay.objects.get(person=person).agreement)
    items = [item.text for item in agreement.information_transfer]
    items += list(rules.home_ready_items(agreement).values())
    assert len(items) == 9
    for item in items:
        if item == "Vem som har det medicinska ansvaret efter utskrivningen":
            # Who, not only that: the answer goes into the patient's letter.
            ward.get_by_label("Vem har det medicinska ansvaret efter utskrivningen?").fill(
                "Doktor Lind, Vårdcentralen Centrum"
            )
        navigate(ward, ward.get_by_role("button", name=f"Markera klar: {item}", exact=True))
        expect(ward.get_by_role("button", name=f"Markera klar: {item}")).to_have_count(0)
    expect(
        ward.get_by_text("efter utskrivningen: Doktor Lind, Vårdcentralen Centrum")
    ).to_be_visible()
    # Nothing left with a deadline before she leaves: she waits among the ready patients.
    open_worklist(ward)
    expect(worklist_row(ward, name)).to_have_count(0)
    navigate(ward, waiting.get_by_role("link", name=name, exact=True))
    take_step(ward, "Skriv sammanfattning till patienten")
    ward.get_by_label("Sammanfattning av vården").fill("Du har vårdats för en höftfraktur.")
    submit(ward, "Spara sammanfattningen", "Sammanfattningen är sparad.")
    letter = ward.request.get(
        base
        + reverse("discharge:letter", args=[InpatientStay.objects.get(person=person).public_id])
    )
    assert letter.headers["content-type"] == "application/pdf"

    # The utskrivningsmeddelande closes the case for every party.
    take_step(ward, "Skicka utskrivningsmeddelande")
    discharged = timezone.now()
    ward.get_by_label("Utskriven (datum och tid)").fill(local_input(discharged))
    submit(
        ward,
        "Skicka utskrivningsmeddelandet",
        "Utskrivningsmeddelandet är skickat och ärendet avslutat.",
    )
    open_worklist(ward)
    expect(worklist_row(ward, name)).to_have_count(0)
    expect(ward.get_by_role("region", name="Utskrivningsklara patienter som väntar")).to_have_count(
        0
    )
    for page in (centre, municipality):
        open_worklist(page)
        row = worklist_row(page, name)
        expect(row).to_contain_text("Kvittera utskrivningsmeddelande")
        expect(row).not_to_contain_text("Besvara planeringsunderlaget")  # lapsed at discharge
        open_case_from_worklist(page, name)
        acknowledge(page, "Utskrivningsmeddelande")
    open_worklist(municipality)
    expect(worklist_row(municipality, name)).to_have_count(0)
    # What the law places after discharge stays with the FVK: the written plan from the meeting.
    open_worklist(centre)
    expect(worklist_row(centre, name)).to_contain_text(
        "Ge personen den skriftliga planen från SIP-mötet"
    )
    for page in (ward, centre, municipality):
        page.goto(case_path)
        status = page.get_by_role("definition").filter(has_text=f"Utskriven {shown(discharged)}")
        expect(status).to_be_visible()
        # Only the patient's letter, and for the FVK the written plan, remain.
        links = actions(page).get_by_role("link")
        expected = ["Brev till patienten (PDF)"]
        if page is centre:
            expected = [
                "Skicka kallelse till SIP",
                "Registrera att personen fått den skriftliga planen",
                *expected,
            ]
        expect(links).to_have_text(expected)
