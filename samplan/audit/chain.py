"""The hash chain over access-log entries: pure functions, no database."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainFields:
    at: datetime
    user_id: int | None
    username: str
    unit_id: int | None
    unit_hsa_id: str
    person_id: int | None
    action: str
    object_type: str
    object_id: str
    purpose: str
    protected_identity: bool
    emergency: bool
    detail: str
    remote_addr: str | None


def entry_hash(key: str, previous_hash: str, fields: ChainFields) -> str:
    payload = json.dumps(
        {
            "previous": previous_hash,
            "at": fields.at.isoformat(timespec="microseconds"),
            "user": fields.user_id,
            "username": fields.username,
            "unit": fields.unit_id,
            "unit_hsa_id": fields.unit_hsa_id,
            "person": fields.person_id,
            "action": fields.action,
            "object_type": fields.object_type,
            "object_id": fields.object_id,
            "purpose": fields.purpose,
            "protected_identity": fields.protected_identity,
            "emergency": fields.emergency,
            "detail": fields.detail,
            "remote_addr": fields.remote_addr,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()
