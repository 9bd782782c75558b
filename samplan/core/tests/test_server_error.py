"""A failing page answers 500 with a plain Swedish page: the staff's in their layout, Min
plan's in the portal's (by path, like the 404 and 403 pages). Never a stack trace, the
exception's text, or anything of who is signed in or whose case it was."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from samplan.core.views import server_error
from samplan.portal.readability import PATIENT_TEXT_MAX_LIX, lix_of, text_segments
from samplan.portal.tests.conftest import citizen_client
from samplan.testing.county import County, make_county
from samplan.testing.error_urls import FAILURE_TEXT, PORTAL_FAILING_PATH, STAFF_FAILING_PATH
from samplan.testing.factories import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.urls("samplan.testing.error_urls")]

NEVER = (FAILURE_TEXT, "FELTEXT", "Traceback", "DeliberateFailure", "error_urls", 'File "')


def failing(client: Client, path: str) -> str:
    client.raise_request_exception = False
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == 500, html[:2000]
    assert "<h1>Något gick fel</h1>" in html
    for text in NEVER:
        assert text not in html, text
    return html


@pytest.fixture
def county(db: None) -> County:
    return make_county()


def test_a_failing_staff_page_is_the_staffs_500_with_nothing_of_the_user(county: County) -> None:
    member = county.primary_care_nurse
    html = failing(sign_in(Client(), member), STAFF_FAILING_PATH)
    assert "samplan.css" in html
    assert "portal.css" not in html
    assert "Felet är loggat" in html
    assert 'href="/"' in html  # back to the staff's start page
    for private in (member.user.get_full_name(), member.user.username, member.unit.name):
        assert private not in html, private
    assert "Logga ut" not in html  # no part of the signed-in header


def test_a_failing_min_plan_page_is_the_portals_500_in_plain_swedish(county: County) -> None:
    person = county.person(given_name="Hemliga", family_name="Personsson")
    html = failing(citizen_client(person.identifier, person.full_name), PORTAL_FAILING_PATH)
    assert "portal.css" in html
    assert "samplan.css" not in html
    assert "Det är inte ditt fel" in html
    assert 'href="/min-plan/"' in html
    for staff_word in ("Samplan –", "din enhet", "administratör"):
        assert staff_word not in html
    for private in ("Hemliga", "Personsson", person.identifier):
        assert private not in html
    lix = lix_of(text_segments(html)).value
    assert lix < PATIENT_TEXT_MAX_LIX, f"LIX {lix:.1f}"


def test_the_500_page_needs_no_database(django_assert_num_queries) -> None:
    """The failure may be the database: the page reads nothing from it."""
    pages = ((STAFF_FAILING_PATH, "samplan.css"), (PORTAL_FAILING_PATH, "portal.css"))
    for path, stylesheet in pages:
        request = RequestFactory().get(path)
        with django_assert_num_queries(0):
            response = server_error(request)
        assert response.status_code == 500
        assert stylesheet in response.content.decode()
