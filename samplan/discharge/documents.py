"""Documents the case produces: the SIP invitation as iCalendar, the patient's letter as PDF."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.discharge.models import InpatientStay, Message, MessageKind
from samplan.discharge.rules import MEETING_PLACES

if TYPE_CHECKING:
    from samplan.core.acting import Acting

MEETING_LENGTH = timedelta(hours=1)


def invitation_ics(message: Message, *, description: str | None = None) -> bytes:
    """An RFC 5545 invitation. It names the units, never the patient's identity or address.

    ``description`` replaces the message text (the person's own copy carries no staff text).
    """
    payload = message.payload
    start = datetime.fromisoformat(payload["meeting_at"])
    calendar = Calendar()
    calendar.add("prodid", "-//Samplan//Kallelse till SIP//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"sip-invitation-{message.pk}@samplan")
    event.add("dtstamp", message.sent_at)
    event.add("dtstart", timezone.localtime(start))
    event.add("dtend", timezone.localtime(start + MEETING_LENGTH))
    event.add("summary", "Samordnad individuell plan (SIP) – möte")
    location = payload.get("location", "")
    event.add(
        "location", vText(f"{MEETING_PLACES.get(payload.get('place_kind', ''), '')}: {location}")
    )
    if payload.get("place_kind") == "video":
        event.add("url", location)
    if description is None:
        description = message.body or "Kallelse till samordnad individuell planering."
    event.add("description", description)
    organizer = vCalAddress(f"mailto:{message.sender_unit.email or 'noreply@samplan.invalid'}")
    organizer.params["cn"] = vText(message.sender_unit.name)
    event["organizer"] = organizer
    for recipient in message.recipients.select_related("unit"):
        attendee = vCalAddress(f"mailto:{recipient.unit.email or 'noreply@samplan.invalid'}")
        attendee.params["cn"] = vText(recipient.unit.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()


def letter_context(stay: InpatientStay) -> dict[str, object]:
    invitation = (
        stay.messages.filter(kind=MessageKind.SIP_INVITATION, withdrawn_at__isnull=True)
        .order_by("-sent_at")
        .first()
    )
    meeting = None
    if invitation is not None:
        meeting = {
            "at": datetime.fromisoformat(invitation.payload["meeting_at"]),
            "place": MEETING_PLACES.get(invitation.payload.get("place_kind", ""), ""),
            "location": invitation.payload.get("location", ""),
        }
    contacts = stay.person.care_contacts.filter(ended_on__isnull=True).select_related("unit")
    return {
        "stay": stay,
        "person": stay.person,
        "care_contact": stay.care_contact,
        "contacts": contacts,
        "meeting": meeting,
        "today": timezone.localdate(),
    }


def patient_letter_pdf(*, acting: Acting, stay: InpatientStay) -> bytes:
    log_access(
        actor=acting.actor,
        person=stay.person,
        action=AccessAction.EXPORT,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=stay,
        detail="brev vid utskrivning (PDF)",
    )
    return render_patient_letter(stay)


def render_patient_letter(stay: InpatientStay) -> bytes:
    """The letter as PDF, unlogged: callers write their own access-log entry."""
    from weasyprint import HTML  # imported lazily: it loads native libraries

    html = render_to_string("discharge/letter.html", letter_context(stay))
    return bytes(HTML(string=html).write_pdf())
