"""Min plan's sign-in, end to end against a real OpenID Connect provider.

django-oauth-toolkit runs as the region's identity provider on the live test server (reached as
127.0.0.1); Min plan talks to it over HTTP for discovery, the token endpoint and the JWKS, with a
signing key generated for this test run. The person's browser at the provider is a ``requests``
session; Min plan itself is driven with Django's test client.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from authlib.integrations.requests_client import OAuth2Session
from django.test import Client
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

from samplan.audit.models import AccessAction, AccessLogEntry, AccessPurpose
from samplan.people.identifiers import synthetic_identifier
from samplan.portal.citizen import CITIZEN_KEY
from samplan.portal.tests.conftest import Provider, generate_rsa_pem
from samplan.testing.factories import make_person


def start(client: Client) -> str:
    response = client.get(reverse("portal:start"))
    assert response.status_code == 302
    return response["Location"]


def finish(client: Client, redirect: str):
    parts = urlsplit(redirect)
    return client.get(f"{parts.path}?{parts.query}")


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def signed_in_identifier(client: Client) -> str | None:
    data = client.session.get(CITIZEN_KEY)
    return data["identifier"] if data else None


def test_sign_in_with_e_id_opens_the_persons_own_plan(provider: Provider) -> None:
    person = make_person(given_name="Siri", family_name="Signin")
    client = Client()

    authorize = start(client)
    assert authorize.startswith(f"{provider.issuer}/authorize/")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["state"][0]
    assert query["nonce"][0]
    assert "openid" in query["scope"][0].split()

    response = finish(client, provider.authenticate(authorize, person.identifier))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert signed_in_identifier(client) == person.identifier

    page = client.get(reverse("portal:home"), follow=True)
    assert page.status_code == 200
    assert "Hej Siri!" in page.content.decode()
    sign_in_entry = AccessLogEntry.objects.filter(action=AccessAction.LOOKUP).get()
    assert sign_in_entry.person == person
    assert sign_in_entry.purpose == AccessPurpose.OWN_ACCESS
    assert sign_in_entry.user is None
    assert sign_in_entry.unit is None
    assert sign_in_entry.username == f"invånare {person.display_identifier}"
    # A citizen session is not a staff session.
    staff_home = client.get(reverse("core:home"))
    assert staff_home.status_code == 302
    assert staff_home["Location"].startswith(reverse("accounts:sign_in"))


def test_the_answer_is_refused_in_another_browser_or_with_another_state(
    provider: Provider,
) -> None:
    person = make_person()
    victim = Client()
    redirect = provider.authenticate(start(victim), person.identifier)

    attacker = Client()  # never started a sign-in: the state is not in its session
    response = finish(attacker, redirect)
    assert response.status_code == 400
    assert "Det gick inte att logga in" in response.content.decode()
    assert signed_in_identifier(attacker) is None

    response = finish(victim, with_query(redirect, state="a-state-this-session-never-sent"))
    assert response.status_code == 400
    assert signed_in_identifier(victim) is None


def test_a_callback_cannot_be_used_twice(provider: Provider) -> None:
    person = make_person()
    client = Client()
    redirect = provider.authenticate(start(client), person.identifier)
    assert finish(client, redirect).status_code == 302
    client.post(reverse("portal:sign_out"))
    assert finish(client, redirect).status_code == 400
    assert signed_in_identifier(client) is None


def test_an_id_token_with_another_nonce_is_refused(provider: Provider) -> None:
    """The provider echoes the nonce it was sent; a token minted for another request
    (here: the authorize request's nonce replaced on the way) must not sign anyone in."""
    person = make_person()
    client = Client()
    authorize = with_query(start(client), nonce="nonce-from-another-sign-in")
    response = finish(client, provider.authenticate(authorize, person.identifier))
    assert response.status_code == 400
    assert signed_in_identifier(client) is None


def test_someone_who_is_no_registered_person_sees_nothing(provider: Provider) -> None:
    make_person(given_name="Ingrid", family_name="Annan")
    stranger = synthetic_identifier(date(1977, 7, 7), 707)
    client = Client()
    response = finish(client, provider.authenticate(start(client), stranger))
    assert response.status_code == 302
    page = client.get(reverse("portal:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Vi hittar ingen plan för dig" in html
    assert "Ingrid" not in html
    assert "Annan" not in html
    entry = AccessLogEntry.objects.filter(action=AccessAction.LOOKUP).get()
    assert entry.person is None
    assert "ingen träff" in entry.detail


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _other_claims(id_token: str, personnummer: str) -> tuple[dict, dict]:
    header_b64, payload_b64, _signature = id_token.split(".")
    claims = json.loads(_unb64(payload_b64))
    claims["personal_identity_number"] = personnummer
    return json.loads(_unb64(header_b64)), claims


def _tamper(mode: str, id_token: str, personnummer: str) -> str:
    header, claims = _other_claims(id_token, personnummer)
    header_b64, _payload, signature = id_token.split(".")
    payload_b64 = _b64(json.dumps(claims).encode())
    if mode == "changed claim":
        return f"{header_b64}.{payload_b64}.{signature}"
    if mode == "unsigned":
        none_header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
        return f"{none_header}.{payload_b64}."
    # "another key": well-formed, same key id, signed by a key the provider never published.
    key = RSAKey.import_key(generate_rsa_pem())
    return jwt.encode(header, claims, key)


@pytest.mark.parametrize("mode", ["changed claim", "unsigned", "another key"])
def test_a_tampered_id_token_is_refused(provider: Provider, monkeypatch, mode: str) -> None:
    """Someone between the provider and Min plan rewrites the ID token to another person."""
    person = make_person()
    victim = make_person(given_name="Vera", family_name="Offer")
    original = OAuth2Session.fetch_token

    def fetch_and_tamper(self, *args, **kwargs):
        token = original(self, *args, **kwargs)
        token["id_token"] = _tamper(mode, token["id_token"], victim.identifier)
        return token

    monkeypatch.setattr(OAuth2Session, "fetch_token", fetch_and_tamper)
    client = Client()
    response = finish(client, provider.authenticate(start(client), person.identifier))
    assert response.status_code == 400
    assert signed_in_identifier(client) is None


def test_an_expired_id_token_is_refused(provider: Provider, settings) -> None:
    settings.OAUTH2_PROVIDER = {**settings.OAUTH2_PROVIDER, "ID_TOKEN_EXPIRE_SECONDS": -600}
    person = make_person()
    client = Client()
    response = finish(client, provider.authenticate(start(client), person.identifier))
    assert response.status_code == 400
    assert signed_in_identifier(client) is None


def test_a_provider_that_names_another_issuer_is_not_used(provider: Provider, settings) -> None:
    settings.PORTAL_OIDC = {**settings.PORTAL_OIDC, "ISSUER": provider.issuer + "/"}
    response = Client().get(reverse("portal:start"))
    assert response.status_code == 400
    assert "Det gick inte att logga in" in response.content.decode()


def test_signing_in_ends_a_staff_sign_in_in_the_same_browser(provider: Provider, county) -> None:
    from samplan.testing.factories import sign_in

    person = county.person()
    client = sign_in(Client(), county.ward_nurse)
    assert client.get(reverse("core:home")).status_code == 200
    finish(client, provider.authenticate(start(client), person.identifier))
    assert signed_in_identifier(client) == person.identifier
    assert client.get(reverse("core:home")).status_code == 302


# --- Reading the personnummer claim (no provider needed) --------------------------------------


def test_the_personnummer_claim_is_the_configured_one_and_must_be_valid() -> None:
    from samplan.portal.oidc import SignInFailed, identity_from_claims

    number = synthetic_identifier(date(1990, 2, 3), 12)
    identity = identity_from_claims({"pnr": number, "name": "Ada Andersson"}, "pnr")
    assert identity.identifier.value == number
    assert identity.name == "Ada Andersson"
    dashed = f"{number[:8]}-{number[8:]}"
    named = identity_from_claims({"pnr": dashed, "given_name": "Ada", "family_name": "A"}, "pnr")
    assert named.identifier.value == number
    assert named.name == "Ada A"
    coordination = synthetic_identifier(date(1990, 2, 3), 13, coordination=True)
    assert identity_from_claims({"pnr": coordination}, "pnr").identifier.kind == "samordningsnummer"
    wrong_check_digit = number[:-1] + str((int(number[-1]) + 1) % 10)
    for claims in (
        {"personal_identity_number": number},  # another claim than the configured one
        {"pnr": wrong_check_digit},
        {"pnr": "19450312R007"},  # a reservnummer never comes from e-ID
        {"pnr": 199002031234},
        {},
    ):
        with pytest.raises(SignInFailed):
            identity_from_claims(claims, "pnr")


def test_sign_in_needs_issuer_client_and_the_openid_scope(settings) -> None:
    from samplan.portal.oidc import OidcConfig

    base = {"ISSUER": "https://idp.example", "CLIENT_ID": "min-plan", "SCOPES": ["openid"]}
    settings.PORTAL_OIDC = base
    assert OidcConfig.from_settings().is_configured
    for change in ({"ISSUER": ""}, {"CLIENT_ID": ""}, {"SCOPES": ["profile"]}):
        settings.PORTAL_OIDC = {**base, **change}
        assert not OidcConfig.from_settings().is_configured


# --- A shared device: fresh e-ID every time, and signing out ends the provider's session too ----


def without_prompt(url: str) -> str:
    """The same authorization request as a client that does not ask for a fresh sign-in."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k not in ("prompt", "max_age")}
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_every_sign_in_asks_the_provider_for_a_fresh_e_id(provider: Provider) -> None:
    import requests

    first, second = make_person(), make_person()
    shared_device = requests.Session()  # the provider remembers this browser
    client = Client()
    finish(client, provider.authenticate(start(client), first.identifier, shared_device))
    assert signed_in_identifier(client) == first.identifier

    authorize = start(Client())
    query = parse_qs(urlsplit(authorize).query)
    assert query["prompt"] == ["login"]
    assert query["max_age"] == ["300"]
    assert provider.asks_for_e_id(authorize, shared_device)
    # Without prompt=login the provider would have signed the next person in as the first:
    assert not provider.asks_for_e_id(without_prompt(start(Client())), shared_device)

    next_person = Client()
    redirect = provider.authenticate(start(next_person), second.identifier, shared_device)
    finish(next_person, redirect)
    assert signed_in_identifier(next_person) == second.identifier


def test_an_old_e_id_authentication_is_refused(provider: Provider) -> None:
    """A provider that ignored prompt=login and max_age and reports an authentication an hour
    old (its auth_time) does not sign anyone in."""
    from datetime import timedelta

    from django.utils import timezone

    from samplan.testing.oidc_provider import provider_user

    person = make_person()
    client = Client()
    redirect = provider.authenticate(start(client), person.identifier)
    user = provider_user(person.identifier)
    user.last_login = timezone.now() - timedelta(hours=1)  # the provider's auth_time
    user.save(update_fields=["last_login"])
    response = finish(client, redirect)
    assert response.status_code == 400
    assert signed_in_identifier(client) is None


def test_the_auth_time_must_be_fresh() -> None:
    from samplan.portal.oidc import CLOCK_LEEWAY_SECONDS, SignInFailed, check_auth_time

    now = 1_800_000_000.0
    check_auth_time({"auth_time": int(now) - 300}, 300, now)
    check_auth_time({"auth_time": int(now) - 300 - CLOCK_LEEWAY_SECONDS}, 300, now)
    for claims in (
        {},
        {"auth_time": "1800000000"},
        {"auth_time": True},
        {"auth_time": int(now) - 301 - CLOCK_LEEWAY_SECONDS},
        {"auth_time": int(now) + CLOCK_LEEWAY_SECONDS + 1},
    ):
        with pytest.raises(SignInFailed):
            check_auth_time(claims, 300, now)


def test_signing_out_ends_the_providers_session_too(provider: Provider) -> None:
    import requests

    person = make_person()
    browser = requests.Session()
    client = Client()
    finish(client, provider.authenticate(start(client), person.identifier, browser))
    id_token = client.session[CITIZEN_KEY]["id_token"]
    assert id_token.count(".") == 2

    response = client.post(reverse("portal:sign_out"))
    assert response.status_code == 302
    logout = response["Location"]
    assert logout.startswith(f"{provider.issuer}/logout/?")
    query = parse_qs(urlsplit(logout).query)
    assert query["id_token_hint"] == [id_token]
    assert query["client_id"] == ["min-plan"]
    assert query["post_logout_redirect_uri"] == ["http://testserver/min-plan/logga-in/"]
    assert signed_in_identifier(client) is None  # Min plan's session ended first

    back = browser.get(logout, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    assert back.headers["Location"] == "http://testserver/min-plan/logga-in/"
    # The provider's session is over: the next sign-in on this device asks for e-ID again,
    # even for a client that would not ask for it.
    assert provider.asks_for_e_id(without_prompt(start(Client())), browser)
    assert "Du är utloggad" in client.get(reverse("portal:sign_in")).content.decode()


def test_pages_with_the_sign_out_button_allow_its_redirect_to_the_provider(
    provider: Provider,
) -> None:
    person = make_person()
    client = Client()
    finish(client, provider.authenticate(start(client), person.identifier))
    page = client.get(reverse("portal:home"), follow=True)
    csp = page["Content-Security-Policy"]
    assert f"form-action 'self' {provider.base_url};" in csp
    assert "default-src 'self'" in csp


@pytest.mark.django_db
def test_a_sign_in_without_an_id_token_signs_out_here_only(settings) -> None:
    """A demo sign-in has no ID token, nor has a provider without end_session_endpoint any
    logout to send to: sign-out ends Min plan's session and shows the sign-in page."""
    from samplan.portal.tests.conftest import citizen_client

    settings.PORTAL_OIDC = {**settings.PORTAL_OIDC, "ISSUER": "https://idp.example"}
    client = citizen_client(make_person().identifier)  # no ID token in the session
    response = client.post(reverse("portal:sign_out"))
    assert response["Location"] == reverse("portal:sign_in")


# --- End to end: who reaches what after a real e-ID sign-in ------------------------------------


def test_a_guardian_signs_in_with_e_id_and_reaches_the_childs_plan(
    provider: Provider, county
) -> None:
    from samplan.portal.tests.scenes import full_case
    from samplan.portal.tests.test_pages import GUARDIAN_NUMBER, represent

    child = county.person(given_name="Kim", family_name="Barnsson", birth_date=date(2015, 3, 3))
    full_case(county, child)
    authority = represent(child, name="Greta Förälder")
    stranger = county.person(given_name="Olle", family_name="Annansson")
    full_case(county, stranger)

    client = Client()
    finish(client, provider.authenticate(start(client), GUARDIAN_NUMBER))
    assert signed_in_identifier(client) == GUARDIAN_NUMBER
    page = client.get(reverse("portal:home"), follow=True).content.decode()
    assert "Kim Barnsson" in page
    assert "Du ser planen för att du är vårdnadshavare." in page
    assert county.ward.name in page
    entry = AccessLogEntry.objects.filter(action=AccessAction.READ, person_id=child.pk).latest("pk")
    assert entry.purpose == AccessPurpose.REPRESENTATIVE
    assert f"företrädare #{authority.pk}" in entry.detail
    # Only within the authority: the stranger's plan is not there.
    other = client.get(reverse("portal:overview", kwargs={"person_id": stranger.public_id}))
    assert other.status_code == 404
    assert "Olle" not in other.content.decode()


def test_a_person_with_an_established_sip_signs_in_and_sees_the_plan(
    provider: Provider, county, time_machine
) -> None:
    from samplan.portal.tests.test_sip import established_sip

    process, _meeting = established_sip(county, time_machine)
    person = process.person
    client = Client()
    finish(client, provider.authenticate(start(client), person.identifier))
    page = client.get(reverse("portal:home"), follow=True).content.decode()
    assert f"Hej {person.given_name}!" in page
    assert "Din plan (SIP)" in page
    assert "Jag vill kunna bo kvar hemma och gå till affären själv." in page
    assert "Laga frukost själv" in page
    assert "https://video.example/sip-uppfoljning" in page
    pdf = client.get(
        reverse(
            "portal:sip_plan_pdf",
            kwargs={"person_id": person.public_id, "sip_id": process.public_id, "number": 2},
        )
    )
    assert pdf["Content-Type"] == "application/pdf"
