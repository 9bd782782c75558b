"""Who may see a case and who may take which step. One module serves the UI and the API.

A unit sees a case only while it is an active party to it. Everyone else gets 404, exactly as for
a case that does not exist, and the attempt is written to the access log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting, NotAllowed
from samplan.directory.models import Role, UnitKind
from samplan.discharge.models import CaseParty, InpatientStay, PartyStatus

if TYPE_CHECKING:
    from samplan.directory.models import Unit

WARD_ROLES = frozenset({Role.NURSE_COORDINATOR, Role.PHYSICIAN, Role.HEAD_OF_UNIT})
OUTPATIENT_KINDS = frozenset({UnitKind.PRIMARY_CARE, UnitKind.SPECIALIST_OUTPATIENT})
MUNICIPAL_KINDS = frozenset({UnitKind.SOCIAL_SERVICES, UnitKind.MUNICIPAL_HEALTH_CARE})
CARE_ROLES = frozenset(
    {
        Role.NURSE_COORDINATOR,
        Role.PHYSICIAN,
        Role.HEAD_OF_UNIT,
        Role.NEEDS_ASSESSOR,
        Role.MUNICIPAL_NURSE,
    }
)


def stays_for_unit(unit: Unit) -> QuerySet[InpatientStay]:
    """The cases ``unit`` is an active party to."""
    parties = CaseParty.objects.filter(unit=unit, status=PartyStatus.ACTIVE)
    return InpatientStay.objects.filter(pk__in=parties.values("stay"))


def stay_get(acting: Acting, public_id: UUID | str) -> InpatientStay:
    """The case, if the acting unit is a party and the role is a care role; else 404 (logged)."""
    stay = (
        InpatientStay.objects.select_related(
            "person", "ward__organisation", "agreement", "care_contact__unit"
        )
        .filter(public_id=public_id)
        .first()
    )
    visible = (
        stay is not None
        and acting.role in CARE_ROLES
        and stay.parties.filter(unit=acting.unit, status=PartyStatus.ACTIVE).exists()
    )
    if not visible:
        log_access(
            actor=acting.actor,
            person=stay.person if stay else None,
            action=AccessAction.DENIED,
            purpose=AccessPurpose.CARE_COORDINATION,
            obj=stay,
            object_type="discharge.InpatientStay",
            detail=str(public_id),
        )
        raise Http404
    assert stay is not None
    return stay


def is_ward(acting: Acting, stay: InpatientStay) -> bool:
    return acting.unit.pk == stay.ward_id and acting.role in WARD_ROLES


def require_ward(acting: Acting, stay: InpatientStay) -> None:
    if not is_ward(acting, stay):
        raise NotAllowed(_("Bara den vårdande avdelningen kan göra detta."))


def is_care_contact_unit(acting: Acting, stay: InpatientStay) -> bool:
    contact = stay.care_contact
    return contact is not None and contact.unit_id == acting.unit.pk


def can_appoint_care_contact(acting: Acting) -> bool:
    return acting.role == Role.HEAD_OF_UNIT and acting.unit.kind in OUTPATIENT_KINDS


def require_open(stay: InpatientStay) -> None:
    if not stay.is_open:
        raise NotAllowed(_("Ärendet är avslutat och kan inte ändras."))


def require_follow_up(stay: InpatientStay) -> None:
    """For the steps that may fall after discharge; an interrupted process takes none."""
    if not stay.takes_follow_up:
        raise NotAllowed(_("Processen är avbruten och kan inte ändras."))
