"""Documents a SIP process produces: the kallelse as iCalendar, the e-mail to staff, the letter
to the person and the established plan, both as PDF.

What goes where (documented choices):

* **iCalendar file and e-mail to staff** carry the least that lets a participant come to the
  meeting: the kind of meeting ("SIP-möte", "Uppföljningsmöte", …), time, place, the invited
  units and who called the meeting, and a link to the SIP page in Samplan, where everything else
  is read after strong sign-in and the participant check (which also writes the access log).
  Never the person's name, personnummer, address, the reason for the SIP, the message text of
  the kallelse (free text may hold anything) nor the names of relatives or external actors. For
  a meeting in the person's home the place says "I hemmet" and that the address is in Samplan:
  an address ties the e-mail to a person, and for a protected identity must never be sent.
  E-mail is sent only to unit and staff participants (they can follow the link); relatives and
  external actors (school, Försäkringskassan) are told by the inviting unit, e.g. with the letter.
* **The letter to the person** (kallelse in plain Swedish) names the person and, unless the
  identity is protected, their postal address; it says when, where (or the video link), who is
  invited, what the meeting is for and whom to contact. No personnummer: the person knows it.
* **The plan for the person** puts their own goals first, then needs, the actions (who does
  what, by when, status today), the overall responsibility and the follow-up.

Every export (download, e-mail) writes an EXPORT access-log entry. E-mail is sent after the
transaction that recorded the kallelse commits (``transaction.on_commit`` in the services), so
a refused or rolled-back kallelse never sends mail, and a failing mail server never undoes it.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, vCalAddress, vText

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.discharge.documents import invitation_uid
from samplan.discharge.rules.places import Audience, MeetingPlace, meeting_place
from samplan.sip import rules
from samplan.sip.models import (
    ActionProgress,
    MeetingKind,
    ParticipantKind,
    PlanVersion,
    SipMeeting,
    SipParticipant,
    SipProcess,
)
from samplan.sip.plan import (
    PERSON_ACTION_STATUS_LABELS,
    OrganisationKind,
    PlanContent,
    apply_progress,
)

if TYPE_CHECKING:
    from samplan.core.acting import Acting
    from samplan.directory.models import Unit

__all__ = [
    "MEETING_LENGTH",
    "cancellation_email_send",
    "emails_suppressed",
    "invitation_email_send",
    "invitation_letter_pdf",
    "meeting_ics",
    "meeting_ics_export",
    "meeting_place_for",
    "meeting_uid",
    "plan_pdf",
    "process_url",
    "render_invitation_letter",
    "render_plan",
]

logger = logging.getLogger(__name__)

MEETING_LENGTH = timedelta(hours=1)
NO_REPLY = "noreply@samplan.invalid"
EMAIL_KINDS = (ParticipantKind.UNIT, ParticipantKind.STAFF)
"""Participants who get the e-mail: they can sign in and follow its link."""

_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sip_emails_suppressed", default=False
)


@contextlib.contextmanager
def emails_suppressed() -> Iterator[None]:
    """Send no kallelse e-mail inside this block (the demo generator: its staff are fictional).

    Mail is sent when the outermost transaction commits, so enclose that transaction."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def process_url(process: SipProcess) -> str:
    """The absolute address of the process's page in Samplan, for e-mail and calendar."""
    try:
        path = reverse("sip:process", kwargs={"public_id": process.public_id})
    except NoReverseMatch:  # the pages are mounted at sip/ (samplan/urls.py)
        path = f"/sip/{process.public_id}/"
    base = str(getattr(settings, "SAMPLAN_BASE_URL", "http://localhost:8000")).rstrip("/")
    return f"{base}{path}"


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def meeting_place_for(meeting: SipMeeting, audience: Audience) -> MeetingPlace:
    """Where the meeting is, as ``audience`` may read it (never a protected identity's address;
    see :mod:`samplan.discharge.rules.places`)."""
    person = meeting.process.person
    return meeting_place(
        place_kind=meeting.place_kind,
        location=meeting.location,
        protected_identity=person.protected_identity,
        audience=audience,
        home_address=", ".join(person.visible_address()),
    )


def meeting_uid(meeting: SipMeeting) -> str:
    """The calendar UID: a meeting that continues a discharge case's kallelse keeps that
    kallelse's UID, so every calendar holds it once."""
    if meeting.from_stay_message_id is not None:
        return invitation_uid(meeting.from_stay_message_id)
    return f"sip-meeting-{meeting.pk}@samplan"


def _place_for_staff(meeting: SipMeeting) -> str:
    """Where, as the e-mail and calendar say it: never a home address."""
    return meeting_place_for(meeting, Audience.SENT).text


def _staff_invitees(meeting: SipMeeting) -> list[SipParticipant]:
    return [
        p
        for p in meeting.invitees.select_related("unit").order_by("added_at", "pk")
        if p.kind in EMAIL_KINDS and p.is_active
    ]


def _address_of(participant: SipParticipant) -> str:
    if participant.email:
        return participant.email
    return participant.unit.email if participant.unit is not None else ""


def _invitee_label(participant: SipParticipant) -> str:
    """A staff invitee for staff eyes: the unit, and the named member of staff if any."""
    unit = participant.unit.name if participant.unit is not None else ""
    if participant.kind == ParticipantKind.STAFF and participant.name:
        return f"{participant.name}, {unit}" if unit else participant.name
    return participant.name or unit


# --- iCalendar ----------------------------------------------------------------------------------


def meeting_ics(meeting: SipMeeting) -> bytes:
    """An RFC 5545 invitation (or, for a cancelled meeting, its cancellation) for staff.

    Names the meeting kind, units and staff, and links to the SIP page; never the person."""
    process = meeting.process
    cancelled = meeting.is_cancelled
    calendar = Calendar()
    calendar.add("prodid", "-//Samplan//Kallelse till SIP//SV")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("dtstamp", meeting.cancelled_at if cancelled else meeting.invitation_sent_at)
    event.add("dtstart", timezone.localtime(meeting.meeting_at))
    event.add("dtend", timezone.localtime(meeting.meeting_at + MEETING_LENGTH))
    event.add("summary", str(MeetingKind(meeting.kind).label))
    event.add("location", vText(_place_for_staff(meeting)))
    video_url = meeting_place_for(meeting, Audience.SENT).video_url
    if video_url:
        event.add("url", video_url)
    event.add(
        "description",
        _(
            "Kallelse till möte om en samordnad individuell plan (SIP). Vem mötet gäller och "
            "underlaget finns i Samplan: %(url)s"
        )
        % {"url": process_url(process)},
    )
    sender = meeting.invited_by_unit
    organizer = vCalAddress(f"mailto:{sender.email or NO_REPLY}")
    organizer.params["cn"] = vText(sender.name)
    event["organizer"] = organizer
    for participant in _staff_invitees(meeting):
        attendee = vCalAddress(f"mailto:{_address_of(participant) or NO_REPLY}")
        attendee.params["cn"] = vText(_invitee_label(participant))
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def meeting_ics_export(*, acting: Acting, process: SipProcess, meeting: SipMeeting) -> bytes:
    """The iCalendar file for download; writes an EXPORT access-log entry."""
    log_access(
        actor=acting.actor,
        person=process.person,
        action=AccessAction.EXPORT,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=meeting,
        detail="kallelse till SIP-möte (iCalendar)",
    )
    return meeting_ics(meeting)


# --- E-mail to staff ----------------------------------------------------------------------------


def _meeting_for_mail(meeting_id: int) -> SipMeeting:
    return SipMeeting.objects.select_related(
        "process__person", "invited_by", "invited_by_unit"
    ).get(pk=meeting_id)


_MEETING_PHRASE = {
    MeetingKind.FIRST: gettext_lazy("ett SIP-möte (samordnad individuell plan)"),
    MeetingKind.FOLLOW_UP: gettext_lazy(
        "ett uppföljningsmöte för en samordnad individuell plan (SIP)"
    ),
    MeetingKind.EVALUATION: gettext_lazy(
        "ett utvärderingsmöte för en samordnad individuell plan (SIP)"
    ),
}


def _email_body(meeting: SipMeeting, *, cancelled_by: Unit | None = None) -> str:
    """The e-mail text; ``cancelled_by`` is the unit that cancelled the meeting (it may be
    another than the one that called it: closing a SIP cancels its meetings ahead)."""
    cancelled = cancelled_by is not None
    sender = meeting.invited_by_unit
    start = timezone.localtime(meeting.meeting_at)
    end = timezone.localtime(meeting.meeting_at + MEETING_LENGTH)
    invited = ", ".join(dict.fromkeys(_invitee_label(p) for p in _staff_invitees(meeting)))
    what = str(_MEETING_PHRASE[MeetingKind(meeting.kind)])
    lines = [_("Hej!"), ""]
    if cancelled_by is not None:
        lines += [
            _("%(unit)s har ställt in %(what)s.") % {"unit": cancelled_by.name, "what": what},
            _("Skälet står i SIP:en i Samplan."),
        ]
    else:
        lines.append(_("%(unit)s kallar dig till %(what)s.") % {"unit": sender.name, "what": what})
    lines += [
        "",
        _("Tid: %(start)s–%(end)s") % {"start": f"{start:%Y-%m-%d %H:%M}", "end": f"{end:%H:%M}"},
        _("Plats: %(place)s") % {"place": _place_for_staff(meeting)},
        _("Kallade: %(invited)s") % {"invited": invited},
        _("Kallad av: %(who)s, %(unit)s%(phone)s")
        % {
            "who": meeting.invited_by.get_full_name(),
            "unit": sender.name,
            "phone": f", {sender.phone}" if sender.phone else "",
        },
        "",
        _("Vem mötet gäller, förberedelser och övriga deltagare ser du i Samplan:"),
        process_url(meeting.process),
        "",
        _(
            "Av sekretesskäl står inga uppgifter om personen i det här meddelandet. Svara inte "
            "med personuppgifter per e-post."
        ),
    ]
    if not cancelled:
        lines.append(_("Bifogad kalenderfil (.ics) lägger in mötet i din kalender."))
    return "\n".join(lines) + "\n"


def _send(acting: Acting, meeting_id: int, *, cancelled: bool) -> int:
    if _suppressed.get():
        return 0
    meeting = _meeting_for_mail(meeting_id)
    addresses = list(
        dict.fromkeys(a for a in (_address_of(p) for p in _staff_invitees(meeting)) if a)
    )
    if not addresses:
        return 0
    kind = str(MeetingKind(meeting.kind).label)
    when = _local(meeting.meeting_at)
    subject = (
        _("Inställt: %(kind)s %(when)s") if cancelled else _("Kallelse: %(kind)s %(when)s")
    ) % {"kind": kind, "when": when}
    body = _email_body(meeting, cancelled_by=acting.unit if cancelled else None)
    ics = meeting_ics(meeting)
    reply_to = [meeting.invited_by_unit.email] if meeting.invited_by_unit.email else []
    messages = []
    for address in addresses:
        message = EmailMessage(subject=subject, body=body, to=[address], reply_to=reply_to)
        message.attach("kallelse-sip.ics", ics.decode(), "text/calendar")
        messages.append(message)
    sent = get_connection().send_messages(messages) or 0
    log_access(
        actor=acting.actor,
        person=meeting.process.person,
        action=AccessAction.EXPORT,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=meeting,
        detail=(
            f"{'inställt möte' if cancelled else 'kallelse'} per e-post till "
            f"{len(addresses)} mottagare: {', '.join(addresses)}"
        ),
    )
    return sent


def invitation_email_send(*, acting: Acting, meeting_id: int) -> int:
    """E-mail the kallelse with its iCalendar file to every invited unit and member of staff with
    an e-mail address (one message each). Returns how many were sent.

    Called by :func:`samplan.sip.services.meeting_invite` on commit; logs one EXPORT entry."""
    return _send(acting, meeting_id, cancelled=False)


def cancellation_email_send(*, acting: Acting, meeting_id: int) -> int:
    """E-mail the cancellation (iCalendar METHOD:CANCEL) to the same recipients."""
    return _send(acting, meeting_id, cancelled=True)


# --- PDF ----------------------------------------------------------------------------------------


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads native libraries

    return bytes(HTML(string=render_to_string(template, context)).write_pdf())


def _is_child(process: SipProcess) -> bool:
    return rules.is_child(process.person.birth_date, timezone.localdate())


_PURPOSE = {
    MeetingKind.FIRST: gettext_lazy(
        "På mötet gör vi en plan tillsammans med dig. Du berättar vad som är viktigt för dig och "
        "vad du vill uppnå. Vi kommer överens om vem som gör vad och när, så att du slipper "
        "samordna själv."
    ),
    MeetingKind.FOLLOW_UP: gettext_lazy(
        "På mötet går vi igenom din plan tillsammans: hur det har gått, vad som är gjort och om "
        "något behöver ändras."
    ),
    MeetingKind.EVALUATION: gettext_lazy(
        "På mötet utvärderar vi din plan tillsammans: om du har nått dina mål och om du "
        "fortfarande behöver en samordnad plan."
    ),
}


def letter_context(process: SipProcess, meeting: SipMeeting) -> dict[str, Any]:
    person = process.person
    invitees = list(meeting.invitees.select_related("unit").order_by("added_at", "pk"))
    where = meeting_place_for(meeting, Audience.PERSON)
    sender = meeting.invited_by_unit
    return {
        "person": person,
        "address": person.visible_address(),
        "is_child": _is_child(process),
        "meeting": meeting,
        "kind": str(MeetingKind(meeting.kind).label),
        "start": timezone.localtime(meeting.meeting_at),
        "end": timezone.localtime(meeting.meeting_at + MEETING_LENGTH),
        "place": where.label,
        "location": where.location,
        "is_video": meeting.place_kind == "video",
        "invitees": [
            {"name": p.display_name, "kind": p.get_kind_display()} for p in invitees if p.is_active
        ],
        "purpose": str(_PURPOSE[MeetingKind(meeting.kind)]),
        "sender": sender,
        "contact": meeting.invited_by.get_full_name(),
        "today": timezone.localdate(),
    }


def render_invitation_letter(process: SipProcess, meeting: SipMeeting) -> bytes:
    """The letter as PDF, unlogged: callers write their own access-log entry."""
    return _pdf("sip/documents/letter.html", letter_context(process, meeting))


def invitation_letter_pdf(*, acting: Acting, process: SipProcess, meeting: SipMeeting) -> bytes:
    """The kallelse as a letter to the person, in plain Swedish; EXPORT logged."""
    log_access(
        actor=acting.actor,
        person=process.person,
        action=AccessAction.EXPORT,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=meeting,
        detail="kallelse till SIP-möte, brev till personen (PDF)",
    )
    return render_invitation_letter(process, meeting)


def _content_today(version: PlanVersion) -> PlanContent:
    """The version's content with the progress recorded against it applied."""
    progress = ActionProgress.objects.filter(version=version).order_by("at", "pk")
    return apply_progress(
        PlanContent.model_validate(version.content),
        [(p.action_id, p.status) for p in progress],
    )


def plan_context(process: SipProcess, version: PlanVersion) -> dict[str, Any]:
    content = _content_today(version)
    goal_numbers = {g.id: n for n, g in enumerate(content.goals, start=1)}

    def row(action: Any) -> dict[str, Any]:
        return {
            "what": action.what,
            "organisation": action.organisation,
            "responsible": action.responsible,
            "due": action.due,
            # The plan is the person's: statuses in their words, as in Min plan.
            "status": PERSON_ACTION_STATUS_LABELS[action.status],
            "goals": [goal_numbers[g] for g in action.goal_ids if g in goal_numbers],
        }

    latest = process.versions.order_by("-number").values_list("number", flat=True).first()
    approvals = version.approvals.select_related("participant__unit").order_by("pk")
    lead = process.lead_unit if process.lead_unit_id == content.lead_unit_id else None
    return {
        "person": process.person,
        "is_child": _is_child(process),
        "version": version,
        "is_latest": latest == version.number,
        "content": content,
        "goals": list(enumerate(content.goals, start=1)),
        "care_actions": [
            row(a) for a in content.actions if a.organisation_kind != OrganisationKind.OTHER
        ],
        "other_actions": [
            row(a) for a in content.actions if a.organisation_kind == OrganisationKind.OTHER
        ],
        "approved_by": [a.participant.display_name for a in approvals],
        "lead_unit": lead,
        "today": timezone.localdate(),
    }


def render_plan(process: SipProcess, version: PlanVersion) -> bytes:
    """The established plan as PDF, unlogged: callers write their own access-log entry."""
    return _pdf("sip/documents/plan.html", plan_context(process, version))


def plan_pdf(*, acting: Acting, process: SipProcess, version: PlanVersion) -> bytes:
    """An established plan version for the person, goals first; EXPORT logged."""
    if version.process_id != process.pk:
        raise ValueError("version of another process")
    log_access(
        actor=acting.actor,
        person=process.person,
        action=AccessAction.EXPORT,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=version,
        detail=f"fastställd SIP version {version.number} (PDF)",
    )
    return render_plan(process, version)
