"""Writes to the person registry: one service per change, in a transaction, access-logged."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import Actor, log_access
from samplan.core.acting import DomainError
from samplan.people.identifiers import PersonIdentifier
from samplan.people.models import CareContact, Person, Relative, Representative

ADDRESS_FIELDS = ("street_address", "postal_code", "city")


@transaction.atomic
def person_create(*, actor: Actor, identifier: PersonIdentifier, **fields: Any) -> Person:
    person = Person.objects.create(
        identifier=identifier.value,
        identifier_kind=identifier.kind.value,
        birth_date=identifier.birth_date,
        **fields,
    )
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.CREATE,
        purpose=AccessPurpose.CARE,
        obj=person,
    )
    return person


@transaction.atomic
def person_update(*, actor: Actor, person: Person, **changes: Any) -> Person:
    """Change registry fields. A protected identity's address cannot be changed here."""
    if person.protected_identity:
        changes = {k: v for k, v in changes.items() if k not in ADDRESS_FIELDS}
    changed = sorted(k for k, v in changes.items() if getattr(person, k) != v)
    for name in changed:
        setattr(person, name, changes[name])
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.UPDATE,
        purpose=AccessPurpose.CARE,
        obj=person,
        detail="ändrade fält: " + ", ".join(changed) if changed else "inga ändringar",
    )
    return person


@transaction.atomic
def relative_add(*, actor: Actor, person: Person, **fields: Any) -> Relative:
    relative = Relative.objects.create(person=person, **fields)
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.CREATE,
        purpose=AccessPurpose.CARE,
        obj=relative,
    )
    return relative


@transaction.atomic
def representative_add(*, actor: Actor, person: Person, **fields: Any) -> Representative:
    representative = Representative.objects.create(
        person=person, recorded_by_id=actor.staff_user_id, **fields
    )
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.CREATE,
        purpose=AccessPurpose.CARE,
        obj=representative,
    )
    return representative


@transaction.atomic
def representative_withdraw(
    *, actor: Actor, representative: Representative, reason: str
) -> Representative:
    """Återkalla: the authority ends now. The record stays, marked withdrawn with the reason."""
    if not reason.strip():
        raise DomainError(_("Ange varför behörigheten återkallas."))
    locked = Representative.objects.select_for_update().get(pk=representative.pk)
    if locked.is_withdrawn:
        raise DomainError(_("Behörigheten är redan återkallad."))
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by_id = actor.staff_user_id
    locked.withdrawn_reason = reason.strip()
    locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    log_access(
        actor=actor,
        person=locked.person,
        action=AccessAction.UPDATE,
        purpose=AccessPurpose.CARE,
        obj=locked,
        detail="företrädarens behörighet återkallad",
    )
    return locked


@transaction.atomic
def care_contact_add(*, actor: Actor, person: Person, **fields: Any) -> CareContact:
    contact = CareContact.objects.create(
        person=person, recorded_by_id=actor.staff_user_id, **fields
    )
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.CREATE,
        purpose=AccessPurpose.CARE,
        obj=contact,
    )
    return contact
