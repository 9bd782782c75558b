"""Min plan's OpenID Connect relying party: citizens sign in with Swedish e-ID through the region's
identity provider.

Authorization code flow with PKCE (S256), built on Authlib's Django client:

* :func:`begin` stores ``state``, ``nonce`` and the PKCE ``code_verifier`` in the session and
  redirects to the provider's authorization endpoint (found by discovery).
* :func:`finish` accepts the callback only with the ``state`` this session started, exchanges the
  code (with the verifier) at the token endpoint, and verifies the ID token: signature against
  the provider's JWKS (refetched when a new key id appears), only with the algorithms allowed by
  ``PORTAL_OIDC["ALGORITHMS"]``, issuer = the configured issuer (also checked against the
  discovery document), audience = our client id, not expired, and ``nonce`` = the one this
  session sent. The personnummer is then read from the configured claim and validated (Luhn).

Anything that fails raises :class:`SignInFailed`; the reason goes to the server log, never to
the page.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from joserfc.errors import JoseError
from requests import RequestException

from samplan.people.identifiers import (
    IdentifierKind,
    InvalidIdentifier,
    PersonIdentifier,
    parse_identifier,
)

logger = logging.getLogger(__name__)

CLIENT_NAME = "samplan_portal"
DISCOVERY_PATH = "/.well-known/openid-configuration"
HTTP_TIMEOUT_SECONDS = 10
# The discovery document is fetched again after this long (the JWKS on an unknown key id).
METADATA_TTL_SECONDS = 6 * 60 * 60
# Tolerated clock difference when checking the ID token's exp and iat.
CLOCK_LEEWAY_SECONDS = 60


class SignInFailed(Exception):
    """The provider's answer could not be trusted or used. The message is for the server log."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]
    personnummer_claim: str
    algorithms: tuple[str, ...]

    @classmethod
    def from_settings(cls) -> OidcConfig:
        raw: dict[str, Any] = getattr(settings, "PORTAL_OIDC", {})
        return cls(
            issuer=raw.get("ISSUER", ""),
            client_id=raw.get("CLIENT_ID", ""),
            client_secret=raw.get("CLIENT_SECRET", ""),
            scopes=tuple(raw.get("SCOPES", ("openid",))),
            personnummer_claim=raw.get("PERSONNUMMER_CLAIM", "personal_identity_number"),
            algorithms=tuple(raw.get("ALGORITHMS", ("RS256",))),
        )

    @property
    def is_configured(self) -> bool:
        return bool(self.issuer and self.client_id and "openid" in self.scopes)

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + DISCOVERY_PATH


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who the provider says signed in: a valid personnummer and, if given, a name."""

    identifier: PersonIdentifier
    name: str


_clients: dict[OidcConfig, DjangoOAuth2App] = {}
_clients_lock = threading.Lock()


def _client(config: OidcConfig) -> DjangoOAuth2App:
    """One Authlib client per configuration, holding the provider's metadata and keys."""
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            client = DjangoOAuth2App(
                DjangoIntegration(CLIENT_NAME),
                CLIENT_NAME,
                client_id=config.client_id,
                client_secret=config.client_secret,
                server_metadata_url=config.discovery_url,
                client_kwargs={
                    "scope": " ".join(config.scopes),
                    "code_challenge_method": "S256",
                    "default_timeout": HTTP_TIMEOUT_SECONDS,
                },
            )
            _clients[config] = client
        loaded_at = client.server_metadata.get("_loaded_at")
        if loaded_at is not None and time.time() - loaded_at > METADATA_TTL_SECONDS:
            client.server_metadata.clear()
    _load_metadata(client, config)
    return client


def _load_metadata(client: DjangoOAuth2App, config: OidcConfig) -> None:
    """Discovery, with the checks Authlib leaves to us: the document must be the configured
    issuer's, and only our allowed signing algorithms are ever accepted."""
    metadata = client.load_server_metadata()
    issuer = metadata.get("issuer")
    if issuer != config.issuer:
        client.server_metadata.clear()  # fetched again next time: the provider may be fixed
        raise SignInFailed(f"discovery names issuer {issuer!r}, configured is {config.issuer!r}")
    offered = metadata.get("id_token_signing_alg_values_supported") or list(config.algorithms)
    allowed = [alg for alg in offered if alg in config.algorithms]
    if not allowed:
        raise SignInFailed(f"provider offers no allowed ID token algorithm: {offered!r}")
    metadata["id_token_signing_alg_values_supported"] = allowed


def begin(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """Redirect to the provider; state, nonce and PKCE verifier are kept in the session."""
    config = OidcConfig.from_settings()
    if not config.is_configured:
        raise SignInFailed("PORTAL_OIDC is not configured")
    try:
        response: HttpResponse = _client(config).authorize_redirect(request, redirect_uri)
    except (AuthlibBaseError, RequestException, ValueError, KeyError) as error:
        raise SignInFailed(f"could not start sign-in: {error!r}") from error
    return response


def finish(request: HttpRequest) -> VerifiedIdentity:
    """Complete the callback: check state, fetch tokens, verify the ID token, read the claim."""
    config = OidcConfig.from_settings()
    if not config.is_configured:
        raise SignInFailed("PORTAL_OIDC is not configured")
    try:
        token = _client(config).authorize_access_token(request, leeway=CLOCK_LEEWAY_SECONDS)
    except (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError) as error:
        raise SignInFailed(f"{type(error).__name__}: {error}") from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailed("the token response holds no verified ID token")
    return identity_from_claims(claims, config.personnummer_claim)


def identity_from_claims(claims: dict[str, Any], claim_name: str) -> VerifiedIdentity:
    raw = claims.get(claim_name)
    if not isinstance(raw, str) or not raw:
        raise SignInFailed(f"the ID token has no {claim_name!r} claim")
    try:
        identifier = parse_identifier(raw, today=timezone.localdate())
    except InvalidIdentifier as error:
        raise SignInFailed(f"the {claim_name!r} claim is not a valid personnummer") from error
    if identifier.kind == IdentifierKind.RESERVNUMMER:
        raise SignInFailed("e-ID never carries a reservnummer")
    name = claims.get("name") or " ".join(
        str(part) for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return VerifiedIdentity(identifier=identifier, name=str(name))


def forget_clients() -> None:
    """Drop cached provider metadata and keys (tests, or after a configuration change)."""
    with _clients_lock:
        _clients.clear()
