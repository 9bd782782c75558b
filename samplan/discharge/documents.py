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
from samplan.discharge.rules.places import Audience, MeetingPlace, meeting_place

if TYPE_CHECKING:
    from samplan.core.acting import Acting

MEETING_LENGTH = timedelta(hours=1)


def invitation_uid(message_id: int) -> str:
    """The calendar UID of a kallelse: the same event in every calendar file made of it (the
    staff's, the person's, and the SIP meeting that continues it)."""
    return f"sip-invitation-{message_id}@samplan"


def invitation_place(message: Message, audience: Audience) -> MeetingPlace:
    """Where the kallelse's meeting is, as ``audience`` may read it (never a protected
    identity's address; see :mod:`samplan.discharge.rules.places`)."""
    return meeting_place(
        place_kind=message.payload.get("place_kind", ""),
        location=message.payload.get("location", ""),
        protected_identity=message.stay.person.protected_identity,
        audience=audience,
    )


def invitation_ics(message: Message) -> bytes:
    """An RFC 5545 invitation for the units. It names the units, never the patient's identity
    or a home address (the place says the address is in Samplan)."""
    payload = message.payload
    start = datetime.fromisoformat(payload["meeting_at"])
    calendar = Calendar()
    calendar.add("prodid", "-//Samplan//Kallelse till SIP//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", invitation_uid(message.pk))
    event.add("dtstamp", message.sent_at)
    event.add("dtstart", timezone.localtime(start))
    event.add("dtend", timezone.localtime(start + MEETING_LENGTH))
    event.add("summary", "Samordnad individuell plan (SIP) – möte")
    place = invitation_place(message, Audience.SENT)
    event.add("location", vText(place.text))
    if place.video_url:
        event.add("url", place.video_url)
    event.add("description", message.body or "Kallelse till samordnad individuell planering.")
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
            "place": invitation_place(invitation, Audience.PERSON),
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
