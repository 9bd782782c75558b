"""The signed-in citizen: who they are, kept in the session apart from any staff sign-in.

A citizen is not a Django user. Their verified identity lives under its own session key, which no
staff view reads, and a session is never both: signing in as a citizen ends any staff sign-in
in that browser (the session is flushed and a new key issued), and a session that holds a staff
sign-in is not accepted as a citizen session.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from django.contrib.auth import logout
from django.http import HttpRequest

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
    }
    return citizen


def citizen_of(request: HttpRequest) -> Citizen | None:
    if request.user.is_authenticated:
        return None  # a staff session is never a citizen session
    data = request.session.get(CITIZEN_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return Citizen(
            identifier=str(data["identifier"]),
            identifier_kind=str(data["kind"]),
            name=str(data.get("name", "")),
            method=CitizenSignInMethod(data["method"]),
            signed_in_at=float(data["at"]),
        )
    except (KeyError, ValueError):
        return None


def sign_out(request: HttpRequest) -> None:
    request.session.flush()
