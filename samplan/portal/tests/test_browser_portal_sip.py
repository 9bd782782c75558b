"""The person's SIP in Min plan on a phone-sized screen: the plan section, the wishes page and
the consent and comment forms pass axe (WCAG 2.1 A/AA) and fit 390 px."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from samplan.portal.tests.test_browser_portal import Scan, phone_signed_in_as
from samplan.portal.tests.test_sip import established_sip
from samplan.testing.county import County

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_sip_pages_are_accessible_on_a_phone(
    new_page: Callable[..., Page], live_server, county: County, time_machine
) -> None:
    process, _meeting = established_sip(county, time_machine, internal=True)
    person = process.person
    scan = Scan()
    page = phone_signed_in_as(new_page, live_server.url, person.identifier)
    page.goto(f"{live_server.url}/min-plan/{person.public_id}/")
    expect(page.get_by_role("heading", name="Din plan (SIP)")).to_be_visible()
    scan(page, "the person's page with their SIP")
    page.get_by_role("link", name="Skriv vad som är viktigt för dig").click()
    scan(page, "what matters to me")
    page.get_by_label("Vad är viktigt för dig?").fill("Att kunna bo kvar hemma.")
    page.get_by_role("button", name="Skicka").click()
    expect(page.get_by_text("Personalen ser det du skrev")).to_be_visible()
    scan(page, "the person's page after writing")
    scan.check()
    assert process.preparation.filter(text="Att kunna bo kvar hemma.").exists()
