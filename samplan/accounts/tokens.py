"""API tokens: created once, stored hashed, resolved to the membership they act as."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from samplan.accounts.models import ApiToken
from samplan.directory.models import Membership

TOKEN_PREFIX = "spl_"  # noqa: S105 - a public prefix, not a secret


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, membership: Membership, name: str) -> tuple[ApiToken, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(membership=membership, name=name, token_hash=_digest(token))
    return record, token


def api_token_resolve(token: str) -> ApiToken | None:
    record = (
        ApiToken.objects.select_related("membership__user", "membership__unit__organisation")
        .filter(token_hash=_digest(token), revoked_at__isnull=True)
        .first()
    )
    if record is None or not record.membership.is_active or not record.membership.user.is_active:
        return None
    if not record.membership.unit.is_active:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record
