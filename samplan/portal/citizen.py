"""The signed-in citizen: who they are, kept in the session apart from any staff sign-in.

A citizen is not a Django user. Their verified identity lives under its own session key, which no
staff view reads, and a session is never both: signing in as a citizen ends any staff sign-in
in that browser (the session is flushed and a new key issued), and a session that holds a staff
sign-in is not accepted as a citizen session.

A citizen session ends after 30 idle minutes like every session (``SESSION_COOKIE_AGE``), and in
any case ``PORTAL_SESSION_MAX_AGE`` (8 hours) after signing in, with a message saying so.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils.translation import ngettext

from samplan.audit.services import Actor
from samplan.portal.oidc import VerifiedIdentity

CITIZEN_KEY = "samplan_citizen"


class CitizenSignInMethod(enum.StrEnum):
    OIDC = "oidc"
    DEMO = "demo"


@dataclass(frozen=True)
class Citizen:
    """A signed-in person: themselves, or a representative about to act for someone."""

    identifier: str  # normalised twelve-digit personnummer or samordningsnummer
    identifier_kind: str
    name: str
    method: CitizenSignInMethod
    signed_in_at: float

    @property
    def display_identifier(self) -> str:
        return f"{self.identifier[:8]}-{self.identifier[8:]}"

    def actor(self, request: HttpRequest) -> Actor:
        """The access log's "who": the citizen's own identity, no staff user, no unit."""
        return Actor(
            user_id=None,
            username=f"invånare {self.display_identifier}",
            unit_id=None,
            unit_hsa_id="",
            remote_addr=request.META.get("REMOTE_ADDR"),
        )


def max_age_seconds() -> int:
    return int(getattr(settings, "PORTAL_SESSION_MAX_AGE", 8 * 60 * 60))


def sign_in(
    request: HttpRequest, identity: VerifiedIdentity, *, method: CitizenSignInMethod
) -> Citizen:
    """Start a fresh citizen session (any earlier sign-in in this browser ends)."""
    logout(request)  # flushes the session and issues a new key: no fixation, no staff left over
    citizen = Citizen(
        identifier=identity.identifier.value,
        identifier_kind=identity.identifier.kind.value,
        name=identity.name,
        method=method,
        signed_in_at=time.time(),
    )
    request.session[CITIZEN_KEY] = {
        "identifier": citizen.identifier,
        "kind": citizen.identifier_kind,
        "name": citizen.name,
        "method": citizen.method.value,
        "at": citizen.signed_in_at,
        "id_token": identity.id_token,
    }
    return citizen


def citizen_of(request: HttpRequest) -> Citizen | None:
    if request.user.is_authenticated:
        return None  # a staff session is never a citizen session
    data = request.session.get(CITIZEN_KEY)
    if not isinstance(data, dict):
        return None
    try:
        citizen = Citizen(
            identifier=str(data["identifier"]),
            identifier_kind=str(data["kind"]),
            name=str(data.get("name", "")),
            method=CitizenSignInMethod(data["method"]),
            signed_in_at=float(data["at"]),
        )
    except (KeyError, ValueError):
        return None
    if time.time() - citizen.signed_in_at > max_age_seconds():
        _sign_out_after_max_age(request)
        return None
    return citizen


def _sign_out_after_max_age(request: HttpRequest) -> None:
    request.session.flush()
    hours = max_age_seconds() // 3600
    messages.info(
        request,
        ngettext(
            "Du har varit inloggad i %(hours)d timme. Därför har vi loggat ut dig. "
            "Logga in igen om du vill fortsätta.",
            "Du har varit inloggad i %(hours)d timmar. Därför har vi loggat ut dig. "
            "Logga in igen om du vill fortsätta.",
            hours,
        )
        % {"hours": hours},
        fail_silently=True,
    )


def id_token_of(request: HttpRequest) -> str:
    """The ID token of this session's e-ID sign-in ("" for a demo sign-in), for the provider's
    logout."""
    data = request.session.get(CITIZEN_KEY)
    return str(data.get("id_token", "")) if isinstance(data, dict) else ""


def sign_out(request: HttpRequest) -> None:
    request.session.flush()
