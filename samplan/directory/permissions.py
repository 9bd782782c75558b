"""The permission catalogue: which role may do what. One predicate serves views, API and tests.

Deny by default: a role not listed for a permission does not have it.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from samplan.directory.models import Role

if TYPE_CHECKING:
    from samplan.directory.models import Membership


class Permission(enum.Enum):
    PERSON_LOOKUP = "person_lookup"
    PERSON_EDIT = "person_edit"
    DIRECTORY_MANAGE = "directory_manage"
    ACCESS_LOG_REVIEW = "access_log_review"
    STATISTICS_VIEW = "statistics_view"
    APPOINT_CARE_CONTACT = "appoint_care_contact"
    SVPL_WRITE = "svpl_write"
    """Start and write a samordnad vårdplan (LPT 7 a § / LRV 12 a §) at a psychiatric ward: the
    chefsöverläkare (a physician) or the head of the unit."""


CARE_ROLES = frozenset(
    {
        Role.NURSE_COORDINATOR,
        Role.PHYSICIAN,
        Role.HEAD_OF_UNIT,
        Role.NEEDS_ASSESSOR,
        Role.MUNICIPAL_NURSE,
    }
)

ROLE_PERMISSIONS: dict[Permission, frozenset[str]] = {
    Permission.PERSON_LOOKUP: CARE_ROLES,
    Permission.PERSON_EDIT: CARE_ROLES,
    Permission.APPOINT_CARE_CONTACT: frozenset({Role.HEAD_OF_UNIT}),
    Permission.SVPL_WRITE: frozenset({Role.PHYSICIAN, Role.HEAD_OF_UNIT}),
    Permission.DIRECTORY_MANAGE: frozenset({Role.LOCAL_ADMIN}),
    Permission.ACCESS_LOG_REVIEW: frozenset({Role.LOG_REVIEWER}),
    Permission.STATISTICS_VIEW: frozenset({Role.ANALYST}),
}


def has_permission(membership: Membership | None, permission: Permission) -> bool:
    return membership is not None and membership.role in ROLE_PERMISSIONS[permission]
