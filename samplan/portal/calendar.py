"""The person's own calendar file of a meeting: when, where (as the person may read it), what it
is. No staff names, no message text, no home address. Both the discharge case's kallelse and the
SIP's meetings are written by :func:`person_ics`, each event under the UID the staff's calendar
files use, so the same meeting is one event wherever it was saved from."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from icalendar import Calendar, Event, vText

from samplan.discharge.rules.places import MeetingPlace

MEETING_LENGTH = timedelta(hours=1)


def person_ics(
    *,
    uid: str,
    start: datetime,
    stamp: datetime,
    place: MeetingPlace,
    summary: str,
    description: str,
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Samplan//Min plan//SV")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", timezone.localtime(start))
    event.add("dtend", timezone.localtime(start + MEETING_LENGTH))
    event.add("summary", summary)
    event.add("location", vText(place.text))
    if place.video_url:
        event.add("url", place.video_url)
    event.add("description", description)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
