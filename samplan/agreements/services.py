"""The agreement a case is judged by: chosen when the case starts, frozen in the database."""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime

from django.conf import settings

from samplan.agreements.loader import load_agreements, version_in_force
from samplan.agreements.models import AgreementVersionRecord
from samplan.agreements.schema import AgreementVersion


def active_county() -> str:
    return str(settings.SAMPLAN_AGREEMENT)


def agreement_record_for(at: datetime) -> AgreementVersionRecord:
    """The version of the active county's agreement in force at ``at``, stored once by hash."""
    version = version_in_force(load_agreements()[active_county()], at)
    content = version.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    record, _created = AgreementVersionRecord.objects.get_or_create(
        content_hash=digest,
        defaults={"version_id": version.version_id, "county": active_county(), "content": content},
    )
    return record


def agreement_of(record: AgreementVersionRecord) -> AgreementVersion:
    return _parse(record.content_hash, json.dumps(record.content, sort_keys=True))


@functools.lru_cache(maxsize=64)
def _parse(content_hash: str, content: str) -> AgreementVersion:
    return AgreementVersion.model_validate_json(content)
