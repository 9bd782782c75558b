from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from samplan.audit.models import AccessLogEntry


def access_log_search(
    *,
    person_identifier: str | None = None,
    username: str = "",
    unit_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    flagged_only: bool = False,
) -> QuerySet[AccessLogEntry]:
    """Entries newest first. Uses the (person|user|unit, at) indexes."""
    filters: dict[str, Any] = {}
    if person_identifier:
        filters["person__identifier"] = person_identifier
    if username:
        filters["username"] = username
    if unit_id:
        filters["unit_id"] = unit_id
    if date_from:
        filters["at__gte"] = _local_midnight(date_from)
    if date_to:
        filters["at__lt"] = _local_midnight(date_to + timedelta(days=1))
    queryset = AccessLogEntry.objects.filter(**filters)
    if flagged_only:
        queryset = queryset.filter(Q(protected_identity=True) | Q(emergency=True))
    return queryset.select_related("person", "unit").order_by("-at", "-id")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
