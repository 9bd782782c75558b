"""The 500 pages in a real browser, each scanned with axe-core (WCAG 2.1 A/AA): the staff's on
a desktop screen, Min plan's on a phone (390 px, and it may not scroll sideways). The pages come
from real failing views (the test URLconf :mod:`samplan.testing.error_urls`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from samplan.portal.tests.test_browser_portal import PHONE, phone_signed_in_as
from samplan.testing.browser import assert_no_axe_violations, signed_in_page
from samplan.testing.county import make_county
from samplan.testing.error_urls import FAILURE_TEXT, PORTAL_FAILING_PATH, STAFF_FAILING_PATH

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db"),
    pytest.mark.urls("samplan.testing.error_urls"),
]


def test_the_staff_and_portal_500_pages_are_accessible(
    new_page: Callable[..., Page], live_server
) -> None:
    county = make_county()
    base = live_server.url

    staff = signed_in_page(new_page, base, county.primary_care_nurse)
    response = staff.goto(f"{base}{STAFF_FAILING_PATH}")
    assert response is not None
    assert response.status == 500
    expect(staff.locator("main h1")).to_have_text("Något gick fel")
    assert FAILURE_TEXT not in staff.content()
    assert_no_axe_violations(staff)

    person = county.person()
    citizen = phone_signed_in_as(new_page, base, person.identifier)
    response = citizen.goto(f"{base}{PORTAL_FAILING_PATH}")
    assert response is not None
    assert response.status == 500
    expect(citizen.locator("main h1")).to_have_text("Något gick fel")
    assert FAILURE_TEXT not in citizen.content()
    assert not citizen.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert citizen.viewport_size == PHONE["viewport"]
    assert_no_axe_violations(citizen)
