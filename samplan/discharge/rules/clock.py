"""Deadline arithmetic in Swedish local time: hours, calendar days and working days."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from holidays.countries.sweden import Sweden

from samplan.agreements.schema import STOCKHOLM, Duration, to_local

__all__ = [
    "add_duration",
    "end_of_day",
    "instant",
    "is_working_day",
    "local_date",
    "working_day_on_or_after",
]


def add_duration(start: datetime, duration: Duration, tz: ZoneInfo = STOCKHOLM) -> datetime:
    """The moment ``duration`` after ``start`` (aware), returned in ``tz``.

    * ``hours``: real elapsed time, so 24 h across a DST change is 24 hours, not a wall-clock day.
    * ``calendar_days``: the local date moves ``amount`` days; the wall-clock time is kept.
    * ``working_days``: the ``amount``-th working day after the local start date (Saturdays,
      Sundays and Swedish public and de facto holidays – midsommarafton, julafton, nyårsafton –
      are skipped); 0 means the start date, or the next working day if it is not one.

    With ``at_end_of_day`` the result is 23:59:59.999999 local time of the last day: "within 3
    days" means "by the end of the 3rd calendar day after the start date". A kept wall-clock time
    that does not exist (spring DST gap) moves forward by the gap; an ambiguous one (autumn) is
    the first occurrence.
    """
    to_local(start)  # raises NaiveDatetimeError for a naive start
    if duration.unit == "hours":
        return (start.astimezone(UTC) + timedelta(hours=duration.amount)).astimezone(tz)
    local = start.astimezone(tz)
    if duration.unit == "calendar_days":
        day = local.date() + timedelta(days=duration.amount)
    else:
        day = _working_days_after(local.date(), duration.amount)
    if duration.at_end_of_day:
        return end_of_day(day, tz)
    # fold=0: an ambiguous kept time is its first occurrence, whatever the start's fold was.
    kept = local.time().replace(fold=0)
    return datetime.combine(day, kept, tzinfo=tz).astimezone(UTC).astimezone(tz)


def instant(moment: datetime) -> datetime:
    """``moment`` in UTC, for comparing and ordering moments.

    Two aware datetimes with the same ``tzinfo`` compare (and subtract) by wall clock, ignoring
    ``fold``: in the repeated hour of the autumn DST change 02:10 CET (the second 02:10) would
    count as earlier than 02:30 CEST although it is 40 minutes later. UTC has no such hour.
    Raises :class:`NaiveDatetimeError` for a naive ``moment``."""
    return to_local(moment).astimezone(UTC)


def end_of_day(day: date, tz: ZoneInfo = STOCKHOLM) -> datetime:
    """The last microsecond of ``day`` in ``tz``."""
    return datetime.combine(day, time.max, tzinfo=tz)


def local_date(value: date | datetime, tz: ZoneInfo = STOCKHOLM) -> date:
    """The local date of an aware datetime, or the date itself."""
    if isinstance(value, datetime):
        return to_local(value).astimezone(tz).date()
    return value


def is_working_day(day: date) -> bool:
    """Monday–Friday and not a Swedish public or de facto holiday."""
    return day.weekday() < 5 and day not in _holidays(day.year)


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _working_days_after(day: date, amount: int) -> date:
    if amount == 0:
        return working_day_on_or_after(day)
    for _ in range(amount):
        day = working_day_on_or_after(day + timedelta(days=1))
    return day


@functools.cache
def _holidays(year: int) -> frozenset[date]:
    calendar = Sweden(
        years=year, language="sv", categories=("public", "de_facto"), include_sundays=False
    )
    return frozenset(calendar)
