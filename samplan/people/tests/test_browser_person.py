"""Person lookup in a real browser: Swedish errors, the person page, protected identities."""

import re

import pytest
from playwright.sync_api import expect

from samplan.directory.models import Role
from samplan.testing.browser import assert_no_axe_violations, sign_in_via_ui
from samplan.testing.factories import make_person, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

IDENTIFIER_LABEL = "Personnummer, samordningsnummer eller reservnummer"


def look_up(page, identifier: str) -> None:
    page.get_by_label(IDENTIFIER_LABEL).fill(identifier)
    page.get_by_role("button", name="Sök", exact=True).click()


def test_lookup_invalid_number_then_existing_person_and_edit_form(page, live_server) -> None:
    nurse = make_staff(role=Role.NURSE_COORDINATOR)
    person = make_person(given_name="Greta", family_name="Provsson")
    sign_in_via_ui(page, live_server.url, nurse)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sök person").click()
    expect(page).to_have_url(re.compile(r"/personer/$"))
    assert_no_axe_violations(page)

    look_up(page, "19121212-1213")  # wrong check digit
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Kontrollsiffran stämmer inte")
    # The summary links to the field it is about.
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(IDENTIFIER_LABEL)).to_be_focused()
    assert_no_axe_violations(page)

    look_up(page, person.display_identifier)
    expect(page).to_have_url(re.compile(rf"/personer/{person.public_id}/(#.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(person.full_name)
    expect(page.get_by_text(person.street_address)).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Ändra uppgifter").click()
    expect(page).to_have_url(re.compile(rf"/personer/{person.public_id}/andra/$"))
    expect(page.get_by_label("Förnamn")).to_have_value("Greta")
    assert_no_axe_violations(page)


def test_protected_identity_address_never_reaches_the_page(page, live_server) -> None:
    nurse = make_staff(role=Role.NURSE_COORDINATOR)
    person = make_person(
        protected=True, street_address="Hemlighetsvägen 77", postal_code="99999", city="Dolda"
    )
    sign_in_via_ui(page, live_server.url, nurse)
    page.goto(f"{live_server.url}/personer/")
    look_up(page, person.display_identifier)
    expect(page).to_have_url(re.compile(rf"/personer/{person.public_id}/(#.*)?$"))
    expect(page.get_by_role("note")).to_contain_text("Skyddade personuppgifter")
    for secret in ("Hemlighetsvägen", "99999", "Dolda"):
        assert secret not in page.content()
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Ändra uppgifter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ändra uppgifter")
    assert "Hemlighetsvägen" not in page.content()
