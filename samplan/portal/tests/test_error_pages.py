"""Under /min-plan/ every error is the portal's own page, in its layout and plain Swedish: an
unknown address, a refused action, a form sent from a page left open too long (CSRF) and a wrong
method (e.g. opening the sign-out address). Never the staff's pages ("din enhet", staff home)."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse

from samplan.core.views import permission_denied
from samplan.portal.readability import PATIENT_TEXT_MAX_LIX, lix_of, text_segments
from samplan.portal.tests.conftest import citizen_client
from samplan.testing.county import County

pytestmark = pytest.mark.django_db

STAFF_WORDS = ("din enhet", "Byt enhet", 'href="/"', "Formuläret har gått ut", "Samplan –")


def assert_portal_page(response, status: int, heading: str) -> str:
    html = response.content.decode()
    assert response.status_code == status, html[:2000]
    assert "portal.css" in html, "the portal's layout"
    assert f"<h1>{heading}</h1>" in html
    assert 'href="/min-plan/"' in html
    for word in STAFF_WORDS:
        assert word not in html, word
    lix = lix_of(text_segments(html)).value
    assert lix < PATIENT_TEXT_MAX_LIX, f"{heading}: LIX {lix:.1f}"
    return html


@pytest.mark.parametrize(
    "path",
    ["/min-plan/finns-inte/", f"/min-plan/{uuid.uuid4()}/okand-sida/", "/min-plan/demo/"],
    ids=["unknown", "unknown under a person", "demo outside demo mode"],
)
def test_an_unknown_address_is_the_portals_404(path: str, settings) -> None:
    settings.DEMO_MODE = False
    assert_portal_page(Client().get(path), 404, "Sidan finns inte")


def test_the_staffs_404_stays_the_staffs() -> None:
    response = Client().get("/arenden/finns-inte/")
    assert response.status_code == 404
    assert "portal.css" not in response.content.decode()


def test_a_signed_in_citizen_keeps_the_sign_out_button_on_the_404(county: County) -> None:
    person = county.person()
    html = assert_portal_page(
        citizen_client(person.identifier).get("/min-plan/finns-inte/"), 404, "Sidan finns inte"
    )
    assert "Logga ut" in html


def test_a_form_sent_without_its_csrf_token_gets_the_portals_page(county: County) -> None:
    person = county.person()
    client = citizen_client(person.identifier)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("portal:sign_out"))
    assert_portal_page(response, 403, "Sidan var öppen för länge")
    overview = reverse("portal:overview", kwargs={"person_id": person.public_id})
    assert client.get(overview).status_code == 200  # still signed in: nothing happened


def test_opening_the_sign_out_address_explains_and_offers_the_button(county: County) -> None:
    person = county.person()
    response = citizen_client(person.identifier).get(reverse("portal:sign_out"))
    html = assert_portal_page(response, 405, "Det gick inte")
    assert response["Allow"] == "POST"
    assert f'action="{reverse("portal:sign_out")}"' in html
    assert "Vill du logga ut?" in html
    anonymous = Client().get(reverse("portal:sign_out"))
    assert "Vill du logga ut?" not in assert_portal_page(anonymous, 405, "Det gick inte")


def test_a_wrong_method_on_a_portal_page_is_the_portals_405(county: County) -> None:
    person = county.person()
    overview = reverse("portal:overview", kwargs={"person_id": person.public_id})
    response = citizen_client(person.identifier).post(overview)
    assert_portal_page(response, 405, "Det gick inte")
    assert response["Allow"] == "GET"


def test_a_refusal_under_the_portal_is_the_portals_403() -> None:
    request = RequestFactory().get("/min-plan/")
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    request.user = AnonymousUser()
    request.session = SessionStore()
    assert_portal_page(
        permission_denied(request, PermissionDenied()), 403, "Du får inte göra det här"
    )
