"""What Min plan shows a person (or their representative), read for the portal only.

The portal never renders the staff's case overview. It builds its own small views from named
fields, so nothing staff-internal can leak into a page by accident: no planning notes, no message
texts (general messages, notice bodies, withdrawn messages), no planning assessments or colours,
no event timeline. What it shows: the current hospital stay, its estimated discharge date, which
units were told (recipients of the inskrivningsmeddelande that are still parties), the fixed
contacts, the SIP meeting of the case and whether the discharge letter is ready.

Every read writes an access-log entry for the person: their own access, or the representative's
access on their behalf (which authority is in the entry's detail).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Model, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from samplan.audit.models import AccessAction
from samplan.audit.services import Actor, log_access
from samplan.discharge.documents import invitation_place
from samplan.discharge.models import (
    CaseParty,
    InpatientStay,
    Message,
    MessageKind,
    MessageRecipient,
    PartyStatus,
    StayStatus,
)
from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import Audience
from samplan.people.models import CareContact, PortalScope, Representative
from samplan.portal import rules
from samplan.portal.access import Subject, authority_in_force, role_of
from samplan.sip.models import SipProcess

# A discharged stay stays on the person's page this long (the letter, the follow-up meeting).
RECENT_DISCHARGE = timedelta(days=90)


@dataclass(frozen=True)
class NotifiedUnit:
    name: str
    notified_at: datetime


@dataclass(frozen=True)
class Meeting:
    message_id: int
    at: datetime
    place: str
    location: str
    video_url: str
    is_past: bool


@dataclass(frozen=True)
class StayView:
    public_id: str
    ward_name: str
    ward_phone: str
    admitted_at: datetime
    estimated_discharge: datetime | None
    discharged_at: datetime | None
    is_open: bool
    notified: list[NotifiedUnit]
    meeting: Meeting | None
    letter_ready: bool
    continued_as_sip: bool = False
    """A SIP continues the stay: wishes are written there."""
    meeting_in_sip: bool = False
    """The SIP continuing the stay is on the page: its meetings (the kallelse among them) are
    shown there, so the meeting is shown once."""

    @property
    def takes_statements(self) -> bool:
        """Whether the person can write what matters to them on the stay itself."""
        return not self.continued_as_sip


@dataclass(frozen=True)
class Statement:
    """Something the person (or a representative) wrote in Min plan, shown back to them."""

    kind: str
    text: str
    place: str
    author_name: str
    written_at: datetime


@dataclass(frozen=True)
class Contact:
    role: str
    name: str
    title: str
    unit_name: str
    phone: str
    email: str


@dataclass(frozen=True)
class Viewer:
    """Someone who may see the person's plan: a representative with authority in force."""

    name: str
    role: str
    scope: str
    until: str


@dataclass
class Overview:
    subject: Subject
    stay: StayView | None
    contacts: list[Contact]
    viewers: list[Viewer] = field(default_factory=list)


def _stays(subject: Subject, now: datetime) -> list[InpatientStay]:
    """The open stay, or one discharged recently; never an interrupted process."""
    recent = Q(status=StayStatus.OPEN) | Q(
        status=StayStatus.DISCHARGED, discharged_at__gte=now - RECENT_DISCHARGE
    )
    notices = Message.objects.filter(
        kind__in=[MessageKind.ADMISSION_NOTICE, MessageKind.SIP_INVITATION],
        withdrawn_at__isnull=True,
    ).prefetch_related(
        Prefetch("recipients", queryset=MessageRecipient.objects.select_related("unit"))
    )
    queryset = (
        InpatientStay.objects.filter(person=subject.person)
        .filter(recent)
        .select_related("ward", "person")
        .prefetch_related(
            Prefetch("messages", queryset=notices, to_attr="portal_notices"),
            Prefetch(
                "parties",
                queryset=CaseParty.objects.filter(status=PartyStatus.ACTIVE),
                to_attr="active_parties",
            ),
            Prefetch("sips", queryset=SipProcess.objects.only("pk", "origin_stay_id")),
        )
        .order_by("-admitted_at")
    )
    return list(queryset[:1])


def _stay_view(stay: InpatientStay, now: datetime, stays_with_sip: Set[str]) -> StayView:
    notices: list[Message] = stay.portal_notices  # type: ignore[attr-defined]
    parties = {p.unit_id for p in stay.active_parties}  # type: ignore[attr-defined]
    notified: dict[int, NotifiedUnit] = {}
    for message in notices:
        if message.kind != MessageKind.ADMISSION_NOTICE:
            continue
        for recipient in message.recipients.all():
            if recipient.unit_id in parties and recipient.unit_id not in notified:
                notified[recipient.unit_id] = NotifiedUnit(recipient.unit.name, message.sent_at)
    invitations = [m for m in notices if m.kind == MessageKind.SIP_INVITATION]
    return StayView(
        public_id=str(stay.public_id),
        ward_name=stay.ward.name,
        ward_phone=stay.ward.phone,
        admitted_at=stay.admitted_at,
        estimated_discharge=stay.estimated_discharge,
        discharged_at=stay.discharged_at,
        is_open=stay.is_open,
        notified=sorted(notified.values(), key=lambda n: (n.notified_at, n.name)),
        meeting=_meeting(invitations[-1], now) if invitations else None,
        letter_ready=stay.status == StayStatus.DISCHARGED,
        continued_as_sip=any(True for _sip in stay.sips.all()),
        meeting_in_sip=str(stay.public_id) in stays_with_sip,
    )


def _meeting(message: Message, now: datetime) -> Meeting:
    at = datetime.fromisoformat(message.payload["meeting_at"])
    # As the person may read it: a home meeting never names an address (SPEC §9).
    place = invitation_place(message, Audience.PERSON)
    return Meeting(
        message_id=message.pk,
        at=at,
        place=place.label,
        location=place.location,
        video_url=place.video_url,
        is_past=at < now,
    )


def _contacts(subject: Subject) -> list[Contact]:
    contacts = (
        CareContact.objects.filter(person=subject.person, ended_on__isnull=True)
        .select_related("unit")
        .order_by("role", "name")
    )
    return [
        Contact(
            role=c.get_role_display(),
            name=c.name,
            title=c.title,
            unit_name=c.unit.name,
            phone=c.phone or c.unit.phone,
            email=c.email or c.unit.email,
        )
        for c in contacts
    ]


def _viewers(subject: Subject, now: datetime) -> list[Viewer]:
    """Who else may see the person's plan in Min plan today."""
    today = timezone.localdate(now)
    representatives = (
        Representative.objects.filter(person=subject.person, withdrawn_at__isnull=True)
        .exclude(portal_scope=PortalScope.NONE)
        .exclude(identifier="")
        .select_related("person")
        .order_by("name", "pk")
    )
    viewers = []
    for rep in representatives:
        if not authority_in_force(rep, today):
            continue
        until = rules.last_day(
            kind=rep.authority,
            valid_until=rep.valid_until,
            person_birth_date=subject.person.birth_date,
        )
        viewers.append(
            Viewer(
                name=rep.name,
                role=role_of(rep),
                scope=rep.get_portal_scope_display(),
                until=until.isoformat() if until else "",
            )
        )
    return viewers


def overview(
    *, actor: Actor, subject: Subject, now: datetime, stays_with_sip: Set[str] = frozenset()
) -> Overview:
    """The person's page: stay, contacts, meeting, letter; who else can see it (own page only).
    ``stays_with_sip`` are the stays (public ids) whose SIP the page shows too."""
    stays = _stays(subject, now)
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.READ,
        purpose=subject.purpose,
        obj=stays[0] if stays else subject.person,
        detail=subject.log_text("Min plan: översikt"),
    )
    return Overview(
        subject=subject,
        stay=_stay_view(stays[0], now, stays_with_sip) if stays else None,
        contacts=_contacts(subject),
        viewers=_viewers(subject, now) if subject.is_own else [],
    )


def shown_stay(subject: Subject, public_id: str, now: datetime) -> InpatientStay:
    """The stay the person's page shows, by id; any other stay of anyone is 404."""
    stays = _stays(subject, now)
    if not stays or str(stays[0].public_id) != str(public_id):
        raise Http404
    return stays[0]


def invitation_for_portal(
    *, actor: Actor, subject: Subject, stay_id: str, message_id: int, now: datetime
) -> Message:
    """The SIP invitation the page shows, for the calendar file (logged as an export)."""
    stay = shown_stay(subject, stay_id, now)
    invitations = [
        m
        for m in stay.portal_notices  # type: ignore[attr-defined]
        if m.kind == MessageKind.SIP_INVITATION
    ]
    if not invitations or invitations[-1].pk != message_id:
        raise Http404
    message = invitations[-1]
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.EXPORT,
        purpose=subject.purpose,
        obj=message,
        detail=subject.log_text("Min plan: kallelse till SIP (kalenderfil)"),
    )
    return message


def letter_stay(*, actor: Actor, subject: Subject, stay_id: str, now: datetime) -> InpatientStay:
    """The discharged stay whose letter the person downloads (logged as an export)."""
    stay = shown_stay(subject, stay_id, now)
    if stay.status != StayStatus.DISCHARGED:
        raise Http404
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.EXPORT,
        purpose=subject.purpose,
        obj=stay,
        detail=subject.log_text("Min plan: brev vid utskrivning (PDF)"),
    )
    return stay


def statement_stay(subject: Subject, stay_id: str, now: datetime) -> InpatientStay:
    """The stay the person writes what matters to them on: the one their page shows, while no
    SIP continues it (then they write in the SIP)."""
    stay = shown_stay(subject, stay_id, now)
    if any(True for _sip in stay.sips.all()):
        raise Http404
    return stay


def wishes_read(*, actor: Actor, subject: Subject, obj: Model, what: str) -> None:
    """Showing the page where the person writes what matters to them (with what they wrote
    before) is a read like any other: logged."""
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.READ,
        purpose=subject.purpose,
        obj=obj,
        detail=subject.log_text(f"Min plan: vad är viktigt för mig ({what})"),
    )


def stay_statements(stay: InpatientStay) -> list[Statement]:
    """What was written in Min plan on the stay, oldest first."""
    return [
        Statement(
            kind=s.get_kind_display(),
            text=s.text,
            place=str(MEETING_PLACES.get(s.place_kind, "")),
            author_name=s.author_name,
            written_at=s.written_at,
        )
        for s in stay.person_statements.order_by("written_at", "pk")
    ]
