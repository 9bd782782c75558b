"""Sign-in in a real browser: password, TOTP, unit choice; accessibility of the pages involved."""

import re

import pytest
from playwright.sync_api import expect

from samplan.directory.models import Membership, Role
from samplan.testing.browser import assert_no_axe_violations, sign_in_via_ui
from samplan.testing.factories import PASSWORD, current_totp, make_staff, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_password_then_totp_wrong_code_is_explained_in_swedish(page, live_server) -> None:
    nurse = make_staff(role=Role.NURSE_COORDINATOR)
    page.goto(f"{live_server.url}/logga-in/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in i Samplan")
    assert_no_axe_violations(page)

    page.get_by_label("Användarnamn").fill(nurse.user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Fortsätt").click()
    expect(page).to_have_url(re.compile(r"/logga-in/kod/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ange engångskod")
    assert_no_axe_violations(page)

    page.get_by_label("Engångskod").fill(wrong_code(current_totp(nurse.user)))
    page.get_by_role("button", name="Logga in").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Det finns fel i formuläret")
    expect(summary).to_contain_text("Koden stämmer inte")
    expect(page.get_by_label("Engångskod")).to_have_attribute("aria-invalid", "true")
    assert_no_axe_violations(page)

    # django-otp throttles a device for 1 s after a wrong code (doubling per further failure).
    page.wait_for_timeout(1100)
    page.get_by_label("Engångskod").fill(current_totp(nurse.user))
    page.get_by_role("button", name="Logga in").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".acting-unit")).to_contain_text(f"Du arbetar för: {nurse.unit.name}")
    assert_no_axe_violations(page)


def test_user_with_two_memberships_chooses_the_unit(page, live_server) -> None:
    first = make_staff(make_unit(name="Avdelning 12 Medicin"), role=Role.NURSE_COORDINATOR)
    second = Membership.objects.create(
        user=first.user, unit=make_unit(name="Vårdcentralen Norr"), role=Role.PHYSICIAN
    )
    page.goto(f"{live_server.url}/logga-in/")
    page.get_by_label("Användarnamn").fill(first.user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Fortsätt").click()
    page.get_by_label("Engångskod").fill(current_totp(first.user))
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(re.compile(r"/valj-enhet/"))
    expect(page.get_by_role("group", name="Vilken enhet arbetar du för nu?")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("radio", name=re.compile("^Vårdcentralen Norr")).check()
    page.get_by_role("button", name="Fortsätt").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".acting-unit")).to_contain_text("Du arbetar för: Vårdcentralen Norr")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert second.unit.name == "Vårdcentralen Norr"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server) -> None:
    nurse = make_staff(role=Role.NURSE_COORDINATOR)
    sign_in_via_ui(page, live_server.url, nurse)
    for path in ("/", "/personer/"):
        page.goto(f"{live_server.url}{path}")
        skip_link = page.get_by_role("link", name="Hoppa till innehållet")
        hidden = skip_link.bounding_box()
        assert hidden is not None
        assert hidden["x"] < 0  # off-screen until focused (needs the stylesheet)
        page.keyboard.press("Tab")
        expect(skip_link).to_be_focused()
        shown = skip_link.bounding_box()
        assert shown is not None
        assert shown["x"] >= 0
        assert shown["y"] >= 0  # on screen once focused
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        # The next Tab stop is inside main, not back in the header.
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


def test_directory_overview_is_accessible_for_local_admin(page, live_server) -> None:
    admin = make_staff(role=Role.LOCAL_ADMIN)
    make_staff(make_unit(organisation=admin.unit.organisation), role=Role.PHYSICIAN)
    sign_in_via_ui(page, live_server.url, admin)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Enheter och personal"
    ).click()
    expect(page).to_have_url(re.compile(r"/katalog/$"))
    expect(page.get_by_role("heading", name="Medarbetaruppdrag")).to_be_visible()
    assert_no_axe_violations(page)
