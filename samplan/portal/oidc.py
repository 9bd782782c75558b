"""Min plan's OpenID Connect relying party: citizens sign in with Swedish e-ID through the region's
identity provider.

Authorization code flow with PKCE (S256), built on Authlib's Django client:

* :func:`begin` stores ``state``, ``nonce`` and the PKCE ``code_verifier`` in the session and
  redirects to the provider's authorization endpoint (found by discovery), asking for a fresh
  e-ID authentication (``prompt=login`` and ``max_age``): on a shared device the provider's own
  session never signs the next person in as the previous one.
* :func:`finish` accepts the callback only with the ``state`` this session started, exchanges the
  code (with the verifier) at the token endpoint, and verifies the ID token: signature against
  the provider's JWKS (refetched when a new key id appears), only with the algorithms allowed by
  ``PORTAL_OIDC["ALGORITHMS"]``, issuer = the configured issuer (also checked against the
  discovery document), audience = our client id, not expired, ``nonce`` = the one this
  session sent, and ``auth_time`` no older than ``max_age``. The personnummer is then read from
  the configured claim and validated (Luhn).
* :func:`end_session_url` is where sign-out sends the browser when the provider offers
  RP-initiated logout (``end_session_endpoint``), with the ID token as ``id_token_hint``, so the
  provider's session ends too.

Anything that fails raises :class:`SignInFailed`; the reason goes to the server log, never to
the page.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

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
    max_auth_age: int = 300

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
            max_auth_age=int(raw.get("MAX_AUTH_AGE", 300)),
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
    id_token: str = ""
    """The raw ID token, kept for the provider's logout (``id_token_hint``)."""


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
        response: HttpResponse = _client(config).authorize_redirect(
            request, redirect_uri, prompt="login", max_age=config.max_auth_age
        )
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
    check_auth_time(claims, config.max_auth_age, time.time())
    identity = identity_from_claims(claims, config.personnummer_claim)
    return VerifiedIdentity(identity.identifier, identity.name, str(token.get("id_token", "")))


def check_auth_time(claims: dict[str, Any], max_age: int, now: float) -> None:
    """The e-ID authentication must be fresh: ``auth_time`` present (we sent ``max_age``) and
    at most ``max_age`` seconds old (with the clock leeway), and not in the future."""
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        raise SignInFailed("the ID token has no auth_time, though max_age was sent")
    if now - auth_time > max_age + CLOCK_LEEWAY_SECONDS:
        raise SignInFailed(f"the e-ID authentication is {now - auth_time:.0f} s old")
    if auth_time - now > CLOCK_LEEWAY_SECONDS:
        raise SignInFailed("the e-ID authentication lies in the future")


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str:
    """The provider's logout address for this sign-in, or "" when there is none to use (no
    provider configured, no ``end_session_endpoint``, a demo sign-in without an ID token)."""
    config = OidcConfig.from_settings()
    if not (config.is_configured and id_token):
        return ""
    try:
        client = _client(config)
    except (SignInFailed, AuthlibBaseError, RequestException, ValueError, KeyError) as error:
        logger.warning("Min plan sign-out: provider metadata unavailable: %s", error)
        return ""
    endpoint = client.server_metadata.get("end_session_endpoint")
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": config.client_id,
            "post_logout_redirect_uri": post_logout_redirect_uri,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def provider_origin() -> str:
    """The provider's origin (scheme://host[:port]), for the portal's CSP form-action: the
    sign-out form's answer redirects there. "" without a configured provider."""
    config = OidcConfig.from_settings()
    if not config.is_configured:
        return ""
    parts = urlsplit(config.issuer)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


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
