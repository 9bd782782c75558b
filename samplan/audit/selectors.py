from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class ReviewRow:
    """One row of the log review: an entry, or the entries of one list view (a work list shown
    once, one entry per person on it), so a reviewer sees a list view as one event."""

    entries: list[AccessLogEntry]

    @property
    def first(self) -> AccessLogEntry:
        return self.entries[0]

    @property
    def is_list(self) -> bool:
        return self.first.is_list_read

    @property
    def list_title(self) -> str:
        """The list's name as logged ("Att göra"), without the sections the person was in."""
        return self.first.detail.split(": ", 1)[0]

    @property
    def flagged(self) -> bool:
        return any(e.protected_identity or e.emergency for e in self.entries)

    @property
    def protected_count(self) -> int:
        return sum(1 for e in self.entries if e.protected_identity)


def _list_view_key(entry: AccessLogEntry) -> tuple[Any, ...] | None:
    """Entries of one list view were written in one batch: same moment, user, unit, list."""
    if not entry.is_list_read:
        return None
    return (entry.at, entry.user_id, entry.unit_id, entry.object_type, entry.purpose)


def review_rows(entries: Iterable[AccessLogEntry]) -> list[ReviewRow]:
    """``entries`` in order, with consecutive entries of the same list view grouped."""
    rows: list[ReviewRow] = []
    previous: tuple[Any, ...] | None = None
    for entry in entries:
        key = _list_view_key(entry)
        if key is not None and key == previous:
            rows[-1].entries.append(entry)
        else:
            rows.append(ReviewRow([entry]))
        previous = key
    return rows


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
