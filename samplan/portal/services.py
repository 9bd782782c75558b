"""What a person (or their representative) does in Min plan: each act one transaction, one
timeline event the staff see (in the SIP, in the SVPL, or in the discharge case for what is
written during a hospital stay), one access-log entry with the citizen as actor.

The citizen is not staff: the entries carry no user and no unit, and ``author_kind`` says who
wrote (the person, or a representative as "närstående") with their name from the e-ID.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.audit.models import AccessAction
from samplan.audit.services import Actor, log_access
from samplan.core.acting import DomainError
from samplan.discharge.models import (
    CaseEvent,
    CaseEventKind,
    InpatientStay,
    PersonStatement,
    StatementAuthor,
    StatementKind,
)
from samplan.discharge.rules import MEETING_PLACES
from samplan.portal import rules
from samplan.portal.access import Subject
from samplan.portal.citizen import Citizen
from samplan.psychiatry.models import (
    CoordinatedCarePlanLpt,
    SvplEvent,
    SvplEventKind,
    SvplVersion,
)
from samplan.sip.models import (
    AuthorKind,
    ConsentEvent,
    ConsentForm,
    ConsentGiver,
    PlanVersion,
    PreparationEntry,
    PreparationKind,
    SipEvent,
    SipEventKind,
    SipProcess,
)
from samplan.sip.rules import is_child

Event = TypeVar("Event", CaseEvent, SipEvent, SvplEvent)

CITIZEN_KINDS = (PreparationKind.QUESTION, PreparationKind.WISH)
TEXT_MAX_LENGTH = 3000
STATEMENT_EVENTS = {
    StatementKind.IMPORTANT: CaseEventKind.PERSON_IMPORTANT,
    StatementKind.MEETING_WISH: CaseEventKind.PERSON_MEETING_WISH,
}


def _author(citizen: Citizen, subject: Subject) -> tuple[str, str]:
    """Who writes, for the staff: (author kind, name from the e-ID, with the role for a
    representative)."""
    name = citizen.name or subject.person.full_name
    if subject.is_own:
        return AuthorKind.PERSON, name
    return AuthorKind.RELATIVE, f"{name} ({subject.role})"


def _recorded(
    events: type[Event],
    *,
    actor: Actor,
    subject: Subject,
    obj: Model,
    what: str,
    at: datetime,
    summary: str,
    data: dict[str, Any],
    **fields: Any,
) -> Event:
    """The timeline event the staff see for what was written in Min plan – without user or
    unit, marked ``via: min_plan`` – and its access-log entry (``what`` was created in
    ``obj``), with the citizen as actor and the authority a representative acts under."""
    event = events._default_manager.create(
        **fields, at=at, summary=summary[:500], data={**data, "via": "min_plan"}
    )
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.CREATE,
        purpose=subject.purpose,
        obj=obj,
        detail=subject.log_text(f"Min plan: {what}"),
    )
    return event


@transaction.atomic
def stay_statement_add(
    *,
    citizen: Citizen,
    actor: Actor,
    subject: Subject,
    stay: InpatientStay,
    kind: str,
    text: str,
    place_kind: str = "",
) -> PersonStatement:
    """During a hospital stay (before any SIP continues it): "vad är viktigt för mig" (kind
    ``important``) or wishes for the SIP meeting (``meeting_wish``), by the person or a
    representative allowed to take part. An event in the discharge case's timeline; a SIP later
    started from the stay takes it into its preparation."""
    if stay.person_id != subject.person.pk:
        raise DomainError(_("Vårdtillfället hör inte till personen."))
    if not stay.takes_follow_up:
        raise DomainError(_("Vården på sjukhuset är avbruten."))
    if stay.sips.exists():
        raise DomainError(_("Det finns en plan nu. Skriv i planen i stället."))
    if kind not in StatementKind.values:
        raise DomainError(_("Okänd typ av text."))
    text = _checked_text(text)
    if place_kind and place_kind not in MEETING_PLACES:
        raise DomainError(_("Okänd plats."))
    author_kind, author_name = _author(citizen, subject)
    now = timezone.now()
    statement = PersonStatement.objects.create(
        stay=stay,
        kind=kind,
        text=text,
        place_kind=place_kind,
        author_kind=StatementAuthor(author_kind),
        author_name=author_name[:200],
        representative=subject.representative,
        written_at=now,
    )
    _recorded(
        CaseEvent,
        actor=actor,
        subject=subject,
        obj=statement,
        what=str(statement.get_kind_display()),
        stay=stay,
        kind=STATEMENT_EVENTS[StatementKind(kind)],
        at=now,
        summary=author_name,
        data={"statement": statement.pk, "author_kind": author_kind},
    )
    return statement


def _open_sip_of(process: SipProcess, subject: Subject) -> None:
    if process.person_id != subject.person.pk:
        raise DomainError(_("Planen hör inte till personen."))
    if not process.is_open:
        raise DomainError(_("Planen är avslutad."))


def _checked_text(text: str, limit: int = TEXT_MAX_LENGTH) -> str:
    text = text.strip()
    if not text:
        raise DomainError(_("Skriv en text."))
    if len(text) > limit:
        raise DomainError(_("Texten är för lång. Skriv högst %(limit)d tecken.") % {"limit": limit})
    return text


def _preparation_entry(
    *,
    citizen: Citizen,
    actor: Actor,
    subject: Subject,
    process: SipProcess,
    kind: PreparationKind,
    text: str,
    place_kind: str = "",
) -> PreparationEntry:
    if place_kind and place_kind not in MEETING_PLACES:
        raise DomainError(_("Okänd plats."))
    author_kind, author_name = _author(citizen, subject)
    now = timezone.now()
    entry = PreparationEntry.objects.create(
        process=process,
        kind=kind,
        text=text,
        place_kind=place_kind,
        author_kind=author_kind,
        author_name=author_name[:200],
        written_at=now,
    )
    _recorded(
        SipEvent,
        actor=actor,
        subject=subject,
        obj=entry,
        what=str(entry.get_kind_display()),
        process=process,
        kind=SipEventKind.PREPARATION_ADDED,
        at=now,
        summary=_("%(kind)s – %(name)s (Min plan)")
        % {"kind": entry.get_kind_display(), "name": author_name},
        data={"preparation_kind": kind, "author_kind": author_kind},
    )
    return entry


@transaction.atomic
def wish_add(
    *,
    citizen: Citizen,
    actor: Actor,
    subject: Subject,
    process: SipProcess,
    kind: str,
    text: str,
    place_kind: str = "",
) -> PreparationEntry:
    """ "Vad är viktigt för mig" (kind ``question``) or meeting preferences (kind ``wish``),
    written by the person or their representative for the next meeting."""
    _open_sip_of(process, subject)
    if kind not in CITIZEN_KINDS:
        raise DomainError(_("Okänd typ av text."))
    return _preparation_entry(
        citizen=citizen,
        actor=actor,
        subject=subject,
        process=process,
        kind=PreparationKind(kind),
        text=_checked_text(text),
        place_kind=place_kind,
    )


def consent_part_of(subject: Subject, process: SipProcess) -> rules.ConsentPart:
    """What the viewer does about the SIP's consent (SPEC §4): for a child the guardians
    consent and the child's own view is heard."""
    representative = subject.representative
    return rules.consent_part(
        is_own=subject.is_own,
        authority=representative.authority if representative else "",
        person_is_child=is_child(subject.person.birth_date, timezone.localdate()),
    )


@transaction.atomic
def child_view_add(
    *, citizen: Citizen, actor: Actor, subject: Subject, process: SipProcess, text: str
) -> PreparationEntry:
    """A child says what they think of their plan and of the sharing their guardians decide
    on: the child's own view (SPEC §4), recorded as written by the child."""
    _open_sip_of(process, subject)
    if consent_part_of(subject, process) != rules.ConsentPart.CHILD_VIEW:
        raise DomainError(_("Bara barnet självt kan skriva vad barnet tycker."))
    return _preparation_entry(
        citizen=citizen,
        actor=actor,
        subject=subject,
        process=process,
        kind=PreparationKind.CHILD_VIEW,
        text=_checked_text(text),
    )


@transaction.atomic
def consent_set(
    *, citizen: Citizen, actor: Actor, subject: Subject, process: SipProcess, given: bool
) -> ConsentEvent:
    """The person (or a representative allowed to) gives or withdraws consent themselves.
    For a child only a guardian does; the child is heard (:func:`child_view_add`). Takes effect
    at once: SIP access checks consent on every request."""
    _open_sip_of(process, subject)
    part = consent_part_of(subject, process)
    if part == rules.ConsentPart.CHILD_VIEW:
        raise DomainError(
            _(
                "Du är under 18 år. Då bestämmer dina vårdnadshavare om samtycket. "
                "Du kan skriva vad du tycker."
            )
        )
    if part != rules.ConsentPart.GIVE:
        raise DomainError(_("För ett barn är det vårdnadshavarna som lämnar samtycke."))
    representative = subject.representative
    giver = ConsentGiver(
        rules.consent_giver(
            is_own=subject.is_own, authority=representative.authority if representative else ""
        )
    )
    name = "" if subject.is_own else citizen.name
    now = timezone.now()
    event = ConsentEvent.objects.create(
        process=process,
        given=given,
        giver=giver,
        giver_name=name[:200],
        form=ConsentForm.WRITTEN,
        scope=_("De som deltar i planen") if given else "",
        on=timezone.localdate(now),
        note=_("Lämnat i Min plan med e-legitimation")
        if given
        else _("Återkallat i Min plan med e-legitimation"),
        recorded_at=now,
    )
    _recorded(
        SipEvent,
        actor=actor,
        subject=subject,
        obj=event,
        what="samtycke lämnat" if given else "samtycke återkallat",
        process=process,
        kind=SipEventKind.CONSENT_GIVEN if given else SipEventKind.CONSENT_WITHDRAWN,
        at=now,
        summary=_("%(giver)s (Min plan)")
        % {"giver": " ".join(f"{event.get_giver_display()} {name}".split())},
        data={},
    )
    return event


COMMENT_MAX_LENGTH = 2000


def _respond(
    events: type[Event],
    version: PlanVersion | SvplVersion | None,
    *,
    citizen: Citizen,
    actor: Actor,
    subject: Subject,
    comment: str | None,
    read: SipEventKind | SvplEventKind,
    commented: SipEventKind | SvplEventKind,
    **owner: Model,
) -> Event:
    """A response to the latest established ``version`` of a plan (SIP or SVPL): with a
    ``comment`` (which must say something) a comment on it, without one a confirmation of having
    read it; recorded in the plan's timeline under ``owner`` with the staff's one-line summary."""
    if version is None:
        raise DomainError(_("Det finns ingen plan än."))
    _kind, name = _author(citizen, subject)
    if comment is None:
        kind, text = read, ""
        summary = _("%(name)s har läst version %(number)d") % {
            "name": name,
            "number": version.number,
        }
    else:
        kind, text = commented, _checked_text(comment, COMMENT_MAX_LENGTH)
        summary = _("%(name)s om version %(number)d: %(text)s") % {
            "name": name,
            "number": version.number,
            "text": text,
        }
    return _recorded(
        events,
        actor=actor,
        subject=subject,
        obj=version,
        what=str(kind.label),
        kind=kind,
        at=timezone.now(),
        summary=summary,
        data={"version": version.number, "text": text},
        **owner,
    )


@transaction.atomic
def plan_respond(
    *,
    citizen: Citizen,
    actor: Actor,
    subject: Subject,
    process: SipProcess,
    comment: str | None = None,
) -> SipEvent:
    """A comment on the latest established version (``comment``, which must say something), or
    without one a confirmation that the person has read it: an event in the SIP timeline for
    the staff. Not for a closed SIP."""
    _open_sip_of(process, subject)
    return _respond(
        SipEvent,
        process.versions.order_by("-number").first(),
        citizen=citizen,
        actor=actor,
        subject=subject,
        comment=comment,
        read=SipEventKind.PLAN_READ_CONFIRMED,
        commented=SipEventKind.PLAN_COMMENTED,
        process=process,
    )


@transaction.atomic
def svpl_respond(
    *,
    citizen: Citizen,
    actor: Actor,
    subject: Subject,
    plan: CoordinatedCarePlanLpt,
    comment: str | None = None,
) -> SvplEvent:
    """As :func:`plan_respond`, for the samordnad vårdplan: a comment on its latest established
    version, or without one a confirmation of having read it. An event in the plan's timeline,
    which the staff see on the SVPL page."""
    if plan.stay.person_id != subject.person.pk:
        raise DomainError(_("Planen hör inte till personen."))
    return _respond(
        SvplEvent,
        SvplVersion.objects.filter(plan=plan).order_by("-number").first(),
        citizen=citizen,
        actor=actor,
        subject=subject,
        comment=comment,
        read=SvplEventKind.PLAN_READ_CONFIRMED,
        commented=SvplEventKind.PLAN_COMMENTED,
        plan=plan,
    )
