"""Directory writes by a local administrator; each one is recorded in the access log."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from samplan.accounts.models import User
from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import Actor, log_access
from samplan.directory.models import Membership, Organisation, Unit


def _record(actor: Actor, action: AccessAction, obj: Unit | Membership | User, detail: str) -> None:
    log_access(
        actor=actor,
        person=None,
        action=action,
        purpose=AccessPurpose.ADMINISTRATION,
        obj=obj,
        detail=detail,
    )


@transaction.atomic
def unit_save(*, actor: Actor, organisation: Organisation, unit: Unit) -> Unit:
    creating = unit.pk is None
    unit.organisation = organisation
    unit.full_clean()
    unit.save()
    _record(actor, AccessAction.CREATE if creating else AccessAction.UPDATE, unit, unit.hsa_id)
    return unit


@transaction.atomic
def staff_create(
    *, actor: Actor, unit: Unit, role: str, password: str, **user_fields: Any
) -> Membership:
    user = User(**user_fields)
    user.set_password(password)
    user.save()
    membership = Membership.objects.create(user=user, unit=unit, role=role)
    _record(actor, AccessAction.CREATE, membership, f"{user.username} {role} {unit.hsa_id}")
    return membership


@transaction.atomic
def membership_add(*, actor: Actor, user: User, unit: Unit, role: str) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"is_active": True}
    )
    _record(actor, AccessAction.CREATE, membership, f"{user.username} {role} {unit.hsa_id}")
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Actor, membership: Membership) -> Membership:
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    _record(actor, AccessAction.UPDATE, membership, "avslutat uppdrag")
    return membership
