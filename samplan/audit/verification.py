"""Verify the access log's hash chain and name the first entry that does not fit."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from samplan.audit.chain import GENESIS_HASH, ChainFields, entry_hash
from samplan.audit.models import AccessLogChainHead, AccessLogEntry

CHAIN_FIELD_NAMES = list(ChainFields.__dataclass_fields__)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None and not self.reason


def verify_chain() -> ChainReport:
    key = settings.ACCESS_LOG_HMAC_KEY
    expected_previous = GENESIS_HASH
    checked = 0
    rows = AccessLogEntry.objects.order_by("id").values(
        "id", "previous_hash", "entry_hash", *CHAIN_FIELD_NAMES
    )
    for row in rows.iterator(chunk_size=2000):
        fields = ChainFields(**{name: row[name] for name in CHAIN_FIELD_NAMES})
        if row["previous_hash"] != expected_previous:
            return ChainReport(checked, row["id"], "previous_hash")
        if entry_hash(key, row["previous_hash"], fields) != row["entry_hash"]:
            return ChainReport(checked, row["id"], "content")
        expected_previous = row["entry_hash"]
        checked += 1
    head = AccessLogChainHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head else GENESIS_HASH
    head_count = head.entry_count if head else 0
    if head_hash != expected_previous or head_count != checked:
        return ChainReport(checked, None, "tail")
    return ChainReport(checked)
