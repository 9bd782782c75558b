"""The discharge pages in a real browser.

One flow: a ward nurse, a vårdcentral's head of unit and a municipal needs assessor, each in
their own browser, take a category E case from admission to the utskrivningsmeddelande by
clicking through the pages, while a unit outside the case gets the 404 page.

One axe-core scan (WCAG 2.1 A/AA) per group of pages, on cases built with the services: the work
list empty and filled, the admit page, the case page in several states, every step form (also
with its validation errors) and the withdraw page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.agreements.services import agreement_of
from samplan.directory.models import Membership
from samplan.discharge import rules, services
from samplan.discharge.models import ChecklistKind, InpatientStay
from samplan.discharge.steps import STEPS
from samplan.testing.browser import assert_no_axe_violations
from samplan.testing.county import (
    County,
    admit,
    make_county,
    record_conversation,
    send_admission_notice,
)
from samplan.testing.factories import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def county() -> County:
    return make_county()


# --- Helpers ---------------------------------------------------------------------------------


def signed_in_page(new_page: Callable[..., Page], base_url: str, membership: Membership) -> Page:
    """A browser context holding the session a finished password + TOTP sign-in gives.

    Only for the axe scans; the flow test signs in through the real pages."""
    client = sign_in(Client(), membership)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = new_page()
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )
    return page


def case_url(base_url: str, stay: InpatientStay) -> str:
    return base_url + reverse("discharge:case", kwargs={"public_id": stay.public_id})


def step_url(base_url: str, stay: InpatientStay, slug: str) -> str:
    return base_url + reverse("discharge:step", kwargs={"public_id": stay.public_id, "slug": slug})


class AxeScan:
    """Scan several pages, then fail once listing every page with violations."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.scanned: list[str] = []

    def __call__(self, page: Page, what: str) -> None:
        expect(page.locator("main h1")).to_be_visible()
        self.scanned.append(what)
        try:
            assert_no_axe_violations(page)
        except pytest.fail.Exception as failure:
            self.failures.append(f"[{what}] {failure}")

    def check(self) -> None:
        if self.failures:
            pytest.fail("\n\n".join(self.failures), pytrace=False)


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
    for who in (county.ward_nurse, county.primary_care_head, county.needs_assessor):
        page = open_as(who)
        acting = county.acting(who)
        for slug, step in STEPS.items():
            if not step.allowed(acting, stay):
                continue
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


SCANS = {
    "worklist-empty": scan_worklists_empty,
    "admit": scan_admit,
    "case-new": scan_new_case,
    "case-in-planning": scan_case_in_planning,
    "step-forms": scan_step_forms,
    "case-closed": scan_closed_case,
}


@pytest.mark.parametrize("scene", list(SCANS))
def test_discharge_pages_have_no_axe_violations(scene, county, new_page, live_server) -> None:
    base = live_server.url
    scan = AxeScan()
    pages: dict[int, Page] = {}

    def open_as(membership: Membership) -> Page:
        if membership.pk not in pages:
            pages[membership.pk] = signed_in_page(new_page, base, membership)
        return pages[membership.pk]

    SCANS[scene](county, open_as, scan, base)
    scan.check()
    assert scan.scanned
