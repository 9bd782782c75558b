"""Fixtures for Min plan: the test OpenID Connect provider, signed-in citizens, a small county."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from samplan.people.models import Person
from samplan.portal import oidc
from samplan.portal.citizen import CITIZEN_KEY, CitizenSignInMethod
from samplan.testing import oidc_provider
from samplan.testing.county import County, make_county

CLIENT_ID = "min-plan"
CLIENT_SECRET = "test-hemlighet-for-min-plan"


def generate_rsa_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def provider_key() -> str:
    """The provider's signing key, generated for this test run and never stored."""
    return generate_rsa_pem()


@dataclass
class Provider:
    """The running test provider: where it is and how to act as a person's browser there."""

    base_url: str  # http://127.0.0.1:PORT (the portal itself is at http://localhost:PORT)
    issuer: str
    application: object

    def authenticate(
        self,
        authorize_url: str,
        personnummer: str,
        browser: requests.Session | None = None,
    ) -> str:
        """Be the person's browser at the provider: open the authorization request, sign in with
        "e-ID" where the provider asks for it, and return the redirect (with code and state)
        that the provider sends back to Min plan. ``browser`` keeps the provider's cookies
        between sign-ins (one shared device)."""
        browser = browser or requests.Session()
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        for _hop in range(6):
            location = response.headers.get("Location", "")
            assert response.status_code == 302, response.text[:2000]
            if "/min-plan/" in location:
                return location
            url = location if location.startswith("http") else self.base_url + location
            if urlsplit(url).path == oidc_provider.LOGIN_PATH:
                response = browser.post(
                    url, data={"personnummer": personnummer}, allow_redirects=False, timeout=10
                )
            else:
                response = browser.get(url, allow_redirects=False, timeout=10)
        raise AssertionError("the provider never redirected back to Min plan")

    def asks_for_e_id(self, authorize_url: str, browser: requests.Session) -> bool:
        """Whether the provider makes this browser sign in again for ``authorize_url`` (rather
        than sending it straight back to Min plan on its own session)."""
        response = browser.get(authorize_url, allow_redirects=False, timeout=10)
        for _hop in range(6):
            location = response.headers.get("Location", "")
            if response.status_code != 302 or "/min-plan/" in location:
                return False
            url = location if location.startswith("http") else self.base_url + location
            if urlsplit(url).path == oidc_provider.LOGIN_PATH:
                return True
            response = browser.get(url, allow_redirects=False, timeout=10)
        raise AssertionError("the provider kept redirecting")


@pytest.fixture
def provider(live_server, settings, provider_key: str) -> Iterator[Provider]:
    from oauth2_provider.models import get_application_model

    base_url = live_server.url.replace("localhost", "127.0.0.1")
    issuer = f"{base_url}/{oidc_provider.IDP_PREFIX.rstrip('/')}"
    settings.ROOT_URLCONF = "samplan.testing.oidc_urls"
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "OIDC_RSA_PRIVATE_KEY": provider_key,
        "OIDC_ISS_ENDPOINT": issuer,
    }
    settings.PORTAL_OIDC = {
        "ISSUER": issuer,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "SCOPES": ["openid", "profile"],
        "PERSONNUMMER_CLAIM": oidc_provider.PERSONNUMMER_CLAIM,
        "ALGORITHMS": ["RS256"],
        "MAX_AUTH_AGE": 300,
    }
    application_model = get_application_model()
    application = application_model.objects.create(
        name="Min plan",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(
            f"{host}{reverse('portal:callback')}" for host in (live_server.url, "http://testserver")
        ),
        post_logout_redirect_uris=" ".join(
            f"{host}{reverse('portal:sign_in')}" for host in (live_server.url, "http://testserver")
        ),
        algorithm=application_model.RS256_ALGORITHM,
        skip_authorization=True,
    )
    oidc.forget_clients()
    yield Provider(base_url=base_url, issuer=issuer, application=application)
    oidc.forget_clients()


@pytest.fixture
def county(db) -> County:
    return make_county()


def citizen_client(identifier: str, name: str = "Test Testsson") -> Client:
    """A client holding the session a finished e-ID sign-in leaves (for page tests)."""
    client = Client()
    session = client.session
    session[CITIZEN_KEY] = {
        "identifier": identifier,
        "kind": "personnummer",
        "name": name,
        "method": CitizenSignInMethod.OIDC.value,
        "at": time.time(),
    }
    session.save()
    return client


@pytest.fixture
def as_citizen() -> Callable[[Person | str], Client]:
    def make(who: Person | str) -> Client:
        if isinstance(who, Person):
            return citizen_client(who.identifier, who.full_name)
        return citizen_client(who)

    return make
