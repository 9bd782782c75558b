"""Min plan in a real browser on a phone-sized screen (390 × 844 CSS pixels).

One flow: a person signs in through the test e-ID provider (django-oauth-toolkit on 127.0.0.1;
Min plan on localhost), sees their hospital stay, who was told, their contacts and the SIP
meeting, saves the meeting in their calendar, is discharged and downloads the letter, and signs
out. Then a guardian's and a stranger's pages. axe-core (WCAG 2.1 A/AA) scans every portal page;
none may scroll sideways.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from samplan.discharge import services
from samplan.people.models import PortalScope
from samplan.portal.tests.conftest import Provider, citizen_client
from samplan.portal.tests.scenes import INTERNAL, full_case
from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, represent
from samplan.testing.browser import assert_no_axe_violations
from samplan.testing.county import County

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


class Scan:
    """Scan each page with axe, check it fits the phone's width; fail once listing them all."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.scanned: list[str] = []

    def __call__(self, page: Page, what: str) -> None:
        expect(page.locator("main h1")).to_be_visible()
        self.scanned.append(what)
        assert INTERNAL not in page.content(), what
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
            self.failures.append(f"[{what}] the page scrolls sideways at 390 px")
        try:
            assert_no_axe_violations(page)
        except pytest.fail.Exception as failure:
            self.failures.append(f"[{what}] {failure}")

    def check(self) -> None:
        if self.failures:
            pytest.fail("\n\n".join(self.failures), pytrace=False)


def phone_signed_in_as(new_page: Callable[..., Page], base_url: str, identifier: str) -> Page:
    """A phone browser holding the session a finished e-ID sign-in gives (for the scans)."""
    client = citizen_client(identifier)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page = new_page(**PHONE)
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True}]
    )
    return page


def test_a_person_signs_in_with_e_id_and_uses_min_plan_on_a_phone(
    new_page: Callable[..., Page], live_server, provider: Provider, county: County, settings
) -> None:
    settings.DEMO_MODE = True  # also puts the demo sign-in page in reach of the scan
    base = live_server.url
    person = county.person(given_name="Maj", family_name="Mottagare")
    case = full_case(county, person)
    scan = Scan()

    page = new_page(**PHONE)
    page.goto(f"{base}/min-plan/")
    expect(page.locator("h1")).to_have_text("Logga in i Min plan")
    scan(page, "sign in")
    page.get_by_role("link", name="Logga in med e-legitimation").click()

    # At the provider (another origin): "legitimera" with the personnummer.
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/test-idp/"))
    page.get_by_label("Personnummer").fill(person.identifier)
    page.get_by_role("button", name="Legitimera").click()

    # Back in Min plan, signed in, on the person's own page.
    expect(page.locator("h1")).to_have_text("Hej Maj!")
    assert page.url.startswith(base)
    main = page.locator("main")
    expect(main).to_contain_text(f"Inskriven på {county.ward.name}")
    estimated = timezone.localtime(case.stay.estimated_discharge).strftime("%Y-%m-%d")
    expect(main).to_contain_text(estimated)
    expect(main).to_contain_text(county.social_services.name)
    expect(main).to_contain_text("Fia Fast, Distriktssköterska")
    expect(page.get_by_role("link", name="010-100 20 11")).to_have_attribute(
        "href", "tel:010-1002011"
    )
    expect(main).to_contain_text(timezone.localtime(case.meeting_at).strftime("%Y-%m-%d %H:%M"))
    expect(main).to_contain_text("Vårdcentralen Centrum, rum 4")
    scan(page, "own plan, in hospital")

    with page.expect_download() as calendar:
        page.get_by_role("link", name="Spara mötet i kalendern").click()
    with open(calendar.value.path(), encoding="utf-8") as file:
        ics = file.read()
    assert "BEGIN:VEVENT" in ics
    assert "rum 4" in ics

    # The ward discharges the patient; the letter appears.
    services.care_summary_write(
        acting=county.acting(county.ward_nurse),
        stay=case.stay,
        text="Du har fått behandling för lunginflammation.",
    )
    services.discharge_notice_send(
        acting=county.acting(county.ward_nurse), stay=case.stay, discharged_at=timezone.now()
    )
    page.reload()
    expect(main).to_contain_text(f"Utskriven från {county.ward.name}")
    scan(page, "own plan, discharged")
    with page.expect_download() as letter:
        page.get_by_role("link", name="Ladda ner brevet (PDF)").click()
    with open(letter.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    page.get_by_role("button", name="Logga ut").click()
    expect(page.locator("main")).to_contain_text("Du är utloggad")
    scan(page, "signed out")
    page.goto(f"{base}/min-plan/")
    expect(page.locator("h1")).to_have_text("Logga in i Min plan")

    # A guardian of a child in hospital, and the pages nobody should see much on.
    child = county.person(given_name="Kim", family_name="Barnsson", birth_date=date(2015, 3, 3))
    full_case(county, child)
    represent(child, portal_scope=PortalScope.FULL)
    represent(county.person(birth_date=date(2017, 1, 1)))
    guardian = phone_signed_in_as(new_page, base, GUARDIAN_NUMBER)
    guardian.goto(f"{base}/min-plan/")
    expect(guardian.locator("h1")).to_have_text("Vems plan vill du se?")
    scan(guardian, "chooser")
    guardian.get_by_role("link", name="Kim Barnsson").click()
    expect(guardian.locator("main")).to_contain_text("Du ser planen för att du är vårdnadshavare")
    scan(guardian, "child's plan")
    guardian.goto(base + reverse("portal:overview", kwargs={"person_id": person.public_id}))
    expect(guardian.locator("h1")).to_have_text("Sidan finns inte")
    scan(guardian, "not found")

    stranger = phone_signed_in_as(new_page, base, "197707070707")
    stranger.goto(f"{base}/min-plan/")
    expect(stranger.locator("h1")).to_have_text("Vi hittar ingen plan för dig")
    scan(stranger, "nothing to show")

    other = new_page(**PHONE)
    other.goto(f"{base}/min-plan/logga-in/klar/?code=x&state=y")
    expect(other.locator("h1")).to_have_text("Det gick inte att logga in")
    scan(other, "sign-in failed")
    other.goto(f"{base}/min-plan/demo/")
    expect(other.locator("h1")).to_have_text("Demoinloggning")
    scan(other, "demo sign-in")

    assert len(scan.scanned) == 10
    scan.check()
