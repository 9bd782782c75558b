"""Documents the case produces: the SIP invitation as iCalendar, the patient's letter as PDF."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.discharge.facts import checklist_agreement, latest_conversation, timeline_of
from samplan.discharge.models import ChecklistKind, InpatientStay, Message, MessageKind
from samplan.discharge.rules.places import Audience, MeetingPlace, meeting_place
from samplan.sip.models import PlanVersion, ProcessStatus, SipProcess

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
    person = message.stay.person
    return meeting_place(
        place_kind=message.payload.get("place_kind", ""),
        location=message.payload.get("location", ""),
        protected_identity=person.protected_identity,
        audience=audience,
        home_address=", ".join(person.visible_address()),
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
    event.add("summary", _("Samordnad individuell plan (SIP) – möte"))
    place = invitation_place(message, Audience.SENT)
    event.add("location", vText(place.text))
    if place.video_url:
        event.add("url", place.video_url)
    event.add("description", message.body or _("Kallelse till samordnad individuell planering."))
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
        "plans": _existing_plans(stay),
        "answers": _information_answers(stay),
    }


def _existing_plans(stay: InpatientStay) -> list[str]:
    """The plans the patient has (patientlagen 3 kap.), in plain Swedish: those known from the
    latest ankomstsamtal, and any SIP in the system (established, or being prepared)."""
    plans: list[str] = []
    sips = SipProcess.objects.filter(person=stay.person).exclude(status=ProcessStatus.CLOSED)
    for process in sips.order_by("started_at"):
        latest = PlanVersion.objects.filter(process=process).order_by("-number").first()
        if latest is None:
            plans.append(
                _("Vi gör en SIP tillsammans med dig. Det är en plan för din vård och hjälp.")
            )
        else:
            on = timezone.localtime(latest.established_at).strftime("%Y-%m-%d")
            plans.append(
                _("Du har en SIP, en plan för din vård och hjälp. Den är från %(on)s.") % {"on": on}
            )
    conversation = latest_conversation(stay)
    if conversation is not None:
        if conversation.has_existing_sip and not plans:
            plans.append(_("Du har en SIP, en plan för din vård och hjälp."))
        if conversation.has_care_plan:
            plans.append(_("Du har en vårdplan."))
        if conversation.has_implementation_plan:
            plans.append(_("Du har en plan från kommunen för hur du får hjälp hemma."))
    return plans


def _information_answers(stay: InpatientStay) -> list[dict[str, str]]:
    """What the ward answered when it sent the information (who holds the medical
    responsibility after discharge), in the agreement's order."""
    marks = {
        m.item: m.note
        for m in stay.checklist.filter(checklist=ChecklistKind.INFORMATION_TRANSFER)
        if m.note
    }
    agreement = checklist_agreement(stay, timeline_of(stay))
    return [
        {"question": item.text, "answer": marks[item.id]}
        for item in agreement.information_transfer
        if item.note_label and item.id in marks
    ]


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
