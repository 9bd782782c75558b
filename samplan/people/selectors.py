"""Reads of the person registry. Each one that returns personal data writes an access-log entry."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import Actor, log_access
from samplan.people.identifiers import PersonIdentifier, parse_identifier
from samplan.people.models import CareContact, Person


def identifier_parse(raw: str) -> PersonIdentifier:
    return parse_identifier(
        raw, today=timezone.localdate(), reserve_pattern=settings.RESERVE_NUMBER_PATTERN
    )


def person_find(*, actor: Actor, identifier: PersonIdentifier) -> Person | None:
    """Exact-identifier lookup: the only way staff reach a person. No browsing, no partial match."""
    person = Person.objects.filter(identifier=identifier.value).first()
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.LOOKUP,
        purpose=AccessPurpose.CARE,
        obj=person,
        object_type="people.Person",
        detail="" if person else "ingen träff",
    )
    return person


def person_get(*, actor: Actor, public_id: UUID | str, purpose: AccessPurpose) -> Person:
    person = Person.objects.filter(public_id=public_id).first()
    if person is None:
        raise Http404
    log_access(actor=actor, person=person, action=AccessAction.READ, purpose=purpose, obj=person)
    return person


def person_get_with_contacts(*, actor: Actor, public_id: UUID | str) -> Person:
    """The person page: identity, relatives, representatives, current fixed contacts."""
    queryset = Person.objects.select_related("listed_unit").prefetch_related(
        "relatives",
        "representatives",
        Prefetch(
            "care_contacts",
            queryset=CareContact.objects.filter(ended_on__isnull=True).select_related(
                "unit__organisation"
            ),
        ),
    )
    person = queryset.filter(public_id=public_id).first()
    if person is None:
        raise Http404
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.READ,
        purpose=AccessPurpose.CARE,
        obj=person,
    )
    return person
