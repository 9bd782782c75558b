"""Who acts: a user, under one membership (unit + role), from one address."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from samplan.audit.services import Actor

if TYPE_CHECKING:
    from django.http import HttpRequest

    from samplan.accounts.models import User
    from samplan.directory.models import Membership, Unit


class DomainError(Exception):
    """A rule of the process refused the action. The message is Swedish and shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    """The acting unit or role may not do this (the case itself is visible to it)."""


@dataclass(frozen=True)
class Acting:
    user: User
    membership: Membership
    remote_addr: str | None = None

    @property
    def unit(self) -> Unit:
        return self.membership.unit

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def actor(self) -> Actor:
        return Actor(
            user_id=self.user.pk,
            username=self.user.get_username(),
            unit_id=self.membership.unit_id,
            unit_hsa_id=self.membership.unit.hsa_id,
            remote_addr=self.remote_addr,
        )

    @classmethod
    def from_request(cls, request: HttpRequest) -> Acting:
        return cls(
            user=request.user,  # type: ignore[arg-type]
            membership=request.membership,  # type: ignore[attr-defined]
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
