"""Reads of the directory, scoped to the organisation of the acting local administrator."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from samplan.directory.models import Membership, Unit


def units_of_organisation(*, membership: Membership) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(organisation_id=membership.unit.organisation_id)
        .select_related("parent")
        .order_by("name")
    )


def unit_get_for_admin(*, membership: Membership, unit_id: int) -> Unit:
    """Another organisation's unit answers 404, exactly like a unit that does not exist."""
    return get_object_or_404(units_of_organisation(membership=membership), pk=unit_id)


def memberships_of_organisation(*, membership: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(unit__organisation_id=membership.unit.organisation_id)
        .select_related("user", "unit")
        .order_by("user__last_name", "user__first_name", "unit__name")
    )


def membership_get_for_admin(*, membership: Membership, membership_id: int) -> Membership:
    return get_object_or_404(memberships_of_organisation(membership=membership), pk=membership_id)
