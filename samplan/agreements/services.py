"""The agreement versions cases are judged by: read from the county's file, frozen in the database.

``SAMPLAN_AGREEMENT`` names the county, ``SAMPLAN_AGREEMENT_DIR`` the directory of agreement files
(default: the shipped ``samplan/agreements/data``). The loader rereads a file when it changes on
disk, so publishing a new version (a new ``[[versions]]`` in the file) takes effect for events
recorded from then on, without a restart. Events already recorded keep the version frozen for them.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from django.conf import settings

from samplan.agreements.loader import load_agreements, version_in_force
from samplan.agreements.models import AgreementVersionRecord
from samplan.agreements.schema import AgreementVersion


def active_county() -> str:
    return str(settings.SAMPLAN_AGREEMENT)


def agreement_directory() -> Path | None:
    directory = getattr(settings, "SAMPLAN_AGREEMENT_DIR", None)
    return Path(directory) if directory else None


def agreement_in_force(at: datetime) -> AgreementVersion:
    """The active county's version in force at ``at``, as the file says now (nothing stored):
    what a step taken at ``at`` will be judged by, e.g. for the questions a form asks."""
    return version_in_force(load_agreements(agreement_directory())[active_county()], at)


def agreement_record_for(at: datetime) -> AgreementVersionRecord:
    """The version of the active county's agreement in force at ``at``, stored once by hash."""
    version = agreement_in_force(at)
    content = version.model_dump(mode="json")
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    record, _created = AgreementVersionRecord.objects.get_or_create(
        content_hash=digest,
        defaults={"version_id": version.version_id, "county": active_county(), "content": content},
    )
    return record


_PARSED: dict[str, AgreementVersion] = {}


def agreement_of(record: AgreementVersionRecord) -> AgreementVersion:
    """The stored version as rules read it. A record's content never changes (it is stored by
    its hash), so each is parsed once per process."""
    version = _PARSED.get(record.content_hash)
    if version is None:
        version = AgreementVersion.model_validate_json(json.dumps(record.content, sort_keys=True))
        _PARSED[record.content_hash] = version
    return version
