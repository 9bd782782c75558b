"""Log review in a real browser: a nurse's lookup is found by the reviewer, with and without JS."""

import re

import pytest
from playwright.sync_api import expect

from samplan.audit.services import Actor, ListRead
from samplan.directory.models import Role
from samplan.testing.browser import assert_no_axe_violations, sign_in_via_ui
from samplan.testing.factories import make_person, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_reviewer_finds_the_lookup_via_htmx_and_without_javascript(new_page, live_server) -> None:
    nurse = make_staff(role=Role.NURSE_COORDINATOR, username="sjukskoterska.sara")
    reviewer = make_staff(role=Role.LOG_REVIEWER)
    person = make_person(given_name="Loggad", family_name="Person")

    # The lookup that must show up in the log.
    nurse_page = new_page()
    sign_in_via_ui(nurse_page, live_server.url, nurse)
    nurse_page.goto(f"{live_server.url}/personer/")
    nurse_page.get_by_label("Personnummer, samordningsnummer eller reservnummer").fill(
        person.display_identifier
    )
    nurse_page.get_by_role("button", name="Sök", exact=True).click()
    expect(nurse_page).to_have_url(f"{live_server.url}/personer/{person.public_id}/")

    # With JavaScript: the form is submitted by HTMX and only #results is swapped.
    page = new_page()
    sign_in_via_ui(page, live_server.url, reviewer)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Logguppföljning"
    ).click()
    expect(page).to_have_url(re.compile(r"/logg/$"))
    page.evaluate("window.samplanNoReload = true")  # is lost if the page reloads
    page.get_by_label("Person (personnummer)").fill(person.display_identifier)
    with page.expect_response(
        lambda r: "/logg/" in r.url and r.request.headers.get("hx-request") == "true"
    ) as htmx_response:
        page.get_by_role("button", name="Sök", exact=True).click()
    assert htmx_response.value.ok
    results = page.locator("#results")
    lookup_row = results.locator("tbody tr", has_text="Sökning")
    expect(lookup_row).to_have_count(1)
    expect(lookup_row).to_contain_text("sjukskoterska.sara")
    expect(lookup_row).to_contain_text(nurse.unit.name)
    expect(lookup_row).to_contain_text(person.display_identifier)
    expect(results.locator("tbody tr", has_text="Läsning")).to_have_count(1)
    assert page.evaluate("window.samplanNoReload") is True
    expect(page).to_have_url(re.compile(r"/logg/\?identifier="))  # hx-push-url
    assert page.locator("main h1").count() == 1  # a partial, not a page inside the page
    assert page.locator("[id=results]").count() == 1  # replaced, not nested in itself
    assert_no_axe_violations(page)

    # Without JavaScript the same GET form renders the whole page with the results.
    # (Same session: a TOTP code cannot be used twice, so no second sign-in.)
    no_js = new_page(java_script_enabled=False, storage_state=page.context.storage_state())
    no_js.goto(f"{live_server.url}/logg/")
    no_js.get_by_label("Person (personnummer)").fill(person.display_identifier)
    no_js.get_by_role("button", name="Sök", exact=True).click()
    expect(no_js).to_have_url(re.compile(r"/logg/\?identifier="))
    expect(no_js.locator("#results tbody tr", has_text="Sökning")).to_contain_text(
        "sjukskoterska.sara"
    )

    # An invalid filter is explained once, with or without HTMX.
    no_js.get_by_label("Från och med").fill("2025-02-02")
    no_js.get_by_label("Till och med").fill("2025-01-01")
    no_js.get_by_role("button", name="Sök", exact=True).click()
    expect(no_js.locator(".error-summary")).to_have_count(1)
    expect(no_js.locator(".error-summary")).to_contain_text("Slutdatumet kan inte vara före")
    page.get_by_label("Från och med").fill("2025-02-02")
    page.get_by_label("Till och med").fill("2025-01-01")
    page.get_by_role("button", name="Sök", exact=True).click()
    expect(page.locator("#results .error-summary")).to_contain_text("Slutdatumet kan inte vara")
    expect(page.locator(".error-summary")).to_have_count(1)
    assert_no_axe_violations(page)


def test_a_work_list_view_is_one_row_to_open(new_page, live_server) -> None:
    nurse = make_staff(role=Role.NURSE_COORDINATOR, username="sjukskoterska.lisa")
    actor = Actor(nurse.user_id, nurse.user.username, nurse.unit_id, nurse.unit.hsa_id, None)
    shown = ListRead(actor=actor, list_id="discharge.worklist", title="Att göra")
    persons = [make_person(given_name="Listad", family_name=f"Person{n}") for n in range(3)]
    hidden = make_person(given_name="Skyddad", family_name="Listperson", protected=True)
    shown.add([*persons, hidden], "ärenden")
    shown.write()

    page = new_page()
    sign_in_via_ui(page, live_server.url, make_staff(role=Role.LOG_REVIEWER))
    page.goto(f"{live_server.url}/logg/?username=sjukskoterska.lisa")
    row = page.locator("#results tbody tr", has_text="Läsning i lista")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Lista: Att göra")
    expect(row).to_contain_text("1 med skyddad identitet")
    expect(row).to_have_class("flagged")
    names = row.get_by_text("Listad Person0")
    expect(names).to_be_hidden()
    assert_no_axe_violations(page)  # closed
    row.get_by_text("4 personer i listan").click()
    expect(names).to_be_visible()
    expect(row.get_by_text("Skyddad Listperson")).to_be_visible()
    assert_no_axe_violations(page)  # opened
