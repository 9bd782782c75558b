"""Who may see and work with a samordnad vårdplan (SVPL). One module for pages, API, services.

The SVPL belongs to its discharge case: a unit sees it exactly when it sees the case (an active
party, in a care role, :func:`samplan.discharge.access.sees_case`). Everyone else gets 404, as
for a plan that does not exist, and the attempt is written to the access log.

* Start and write as the ward: the psychiatric ward of the case, in a role with
  :attr:`~samplan.directory.permissions.Permission.SVPL_WRITE` (the chefsöverläkare, a physician,
  or the head of the unit).
* Write as a participating unit: every other active party, in a care role, may change the
  draft (its decisions about its insatser), which voids the approvals given so far.
* Approve (justera): every active party other than the ward, for itself only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.utils.translation import gettext as _

from samplan.core.acting import Acting, NotAllowed
from samplan.directory.permissions import Permission, has_permission
from samplan.discharge import access as discharge_access
from samplan.discharge.access import CARE_ROLES
from samplan.discharge.models import CaseParty, InpatientStay, PartyStatus
from samplan.psychiatry.models import CoordinatedCarePlanLpt

if TYPE_CHECKING:
    from collections.abc import Iterable

    from samplan.directory.models import Unit


def is_ward_writer(acting: Acting, stay: InpatientStay) -> bool:
    return acting.unit.pk == stay.ward_id and has_permission(
        acting.membership, Permission.SVPL_WRITE
    )


def active_party_units(parties: Iterable[CaseParty]) -> list[Unit]:
    return [p.unit for p in parties if p.status == PartyStatus.ACTIVE]


def approver_units(stay: InpatientStay, parties: Iterable[CaseParty]) -> list[Unit]:
    """The units that approve the plan: every active party but the ward that writes it."""
    return [u for u in active_party_units(parties) if u.pk != stay.ward_id]


def is_party(acting: Acting, parties: Iterable[CaseParty]) -> bool:
    return acting.role in CARE_ROLES and any(
        p.unit_id == acting.unit.pk and p.status == PartyStatus.ACTIVE for p in parties
    )


def may_write(acting: Acting, stay: InpatientStay, parties: Iterable[CaseParty]) -> bool:
    parties = list(parties)
    if acting.unit.pk == stay.ward_id:
        return is_ward_writer(acting, stay)
    return is_party(acting, parties)


def may_approve(acting: Acting, stay: InpatientStay, parties: Iterable[CaseParty]) -> bool:
    return acting.unit.pk != stay.ward_id and is_party(acting, parties)


def _parties(stay: InpatientStay) -> list[CaseParty]:
    return list(stay.parties.select_related("unit__organisation"))


def require_write(acting: Acting, stay: InpatientStay) -> None:
    if not may_write(acting, stay, _parties(stay)):
        raise NotAllowed(
            _(
                "Planen skrivs av chefsöverläkaren på avdelningen tillsammans med enheterna i "
                "ärendet. Din enhet eller roll kan inte ändra den."
            )
        )


def require_approver(acting: Acting, stay: InpatientStay) -> None:
    if not may_approve(acting, stay, _parties(stay)):
        raise NotAllowed(
            _("Bara enheterna som deltar i ärendet justerar planen, var och en för sig själv.")
        )


def plan_get(acting: Acting, public_id: UUID | str) -> CoordinatedCarePlanLpt:
    """The SVPL, if the acting unit sees its case; otherwise 404 and a DENIED log entry."""
    plan = (
        CoordinatedCarePlanLpt.objects.select_related(
            "stay__person", "stay__ward__organisation", "stay__agreement", "ready_notice"
        )
        .filter(public_id=public_id)
        .first()
    )
    if plan is None or not discharge_access.sees_case(acting, plan.stay_id):
        discharge_access.not_found(
            acting,
            public_id,
            person=plan.stay.person if plan else None,
            obj=plan,
            object_type="psychiatry.CoordinatedCarePlanLpt",
        )
    return plan
