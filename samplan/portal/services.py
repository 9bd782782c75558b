"""What a person (or their representative) does in Min plan: each act one transaction, one
timeline event the staff see (in the SIP, or in the discharge case for what is written during a
hospital stay), one access-log entry with the citizen as actor.

The citizen is not staff: the entries carry no user and no unit, and ``author_kind`` says who
wrote (the person, or a representative as "närstående") with their name from the e-ID.
"""

from __future__ import annotations

from django.db import transaction
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
from samplan.portal.access import Subject
from samplan.portal.citizen import Citizen
from samplan.sip.models import (
    AuthorKind,
    ConsentEvent,
    ConsentForm,
    ConsentGiver,
    PreparationEntry,
    PreparationKind,
    SipEvent,
    SipEventKind,
    SipProcess,
)

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


def _with_authority(what: str, subject: Subject) -> str:
    return f"{what}; {subject.log_detail}" if subject.log_detail else what


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
    text = text.strip()
    if not text:
        raise DomainError(_("Skriv en text."))
    if len(text) > TEXT_MAX_LENGTH:
        raise DomainError(
            _("Texten är för lång. Skriv högst %(limit)d tecken.") % {"limit": TEXT_MAX_LENGTH}
        )
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
    CaseEvent.objects.create(
        stay=stay,
        kind=STATEMENT_EVENTS[StatementKind(kind)],
        at=now,
        actor=None,
        unit=None,
        summary=author_name[:500],
        data={"statement": statement.pk, "author_kind": author_kind, "via": "min_plan"},
    )
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.CREATE,
        purpose=subject.purpose,
        obj=statement,
        detail=_with_authority(f"Min plan: {statement.get_kind_display()}", subject),
    )
    return statement


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
    if process.person_id != subject.person.pk:
        raise DomainError(_("Planen hör inte till personen."))
    if not process.is_open:
        raise DomainError(_("Planen är avslutad."))
    if kind not in CITIZEN_KINDS:
        raise DomainError(_("Okänd typ av text."))
    if not text.strip():
        raise DomainError(_("Skriv en text."))
    if place_kind and place_kind not in MEETING_PLACES:
        raise DomainError(_("Okänd plats."))
    author_kind = AuthorKind.PERSON if subject.is_own else AuthorKind.RELATIVE
    author_name = citizen.name or subject.person.full_name
    if not subject.is_own:
        author_name = f"{author_name} ({subject.role})"
    now = timezone.now()
    entry = PreparationEntry.objects.create(
        process=process,
        kind=kind,
        text=text.strip(),
        place_kind=place_kind,
        author_kind=author_kind,
        author_name=author_name[:200],
        written_at=now,
    )
    SipEvent.objects.create(
        process=process,
        kind=SipEventKind.PREPARATION_ADDED,
        at=now,
        summary=f"{entry.get_kind_display()} – {author_name} (Min plan)"[:500],
        data={"preparation_kind": kind, "author_kind": author_kind, "via": "min_plan"},
    )
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.CREATE,
        purpose=subject.purpose,
        obj=entry,
        detail=f"Min plan: {entry.get_kind_display()}"
        + (f"; {subject.log_detail}" if subject.log_detail else ""),
    )
    return entry


@transaction.atomic
def consent_set(
    *, citizen: Citizen, actor: Actor, subject: Subject, process: SipProcess, given: bool
) -> ConsentEvent:
    """The person (or a representative allowed to) gives or withdraws consent themselves.
    Takes effect at once: SIP access checks consent on every request."""
    if process.person_id != subject.person.pk:
        raise DomainError(_("Planen hör inte till personen."))
    if not process.is_open:
        raise DomainError(_("Planen är avslutad."))
    if subject.is_own:
        giver, name = ConsentGiver.PERSON, ""
    elif subject.representative and subject.representative.authority == "guardian":
        giver, name = ConsentGiver.GUARDIAN, citizen.name
    else:
        giver, name = ConsentGiver.REPRESENTATIVE, citizen.name
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
    SipEvent.objects.create(
        process=process,
        kind=SipEventKind.CONSENT_GIVEN if given else SipEventKind.CONSENT_WITHDRAWN,
        at=now,
        summary=f"{event.get_giver_display()} {name} (Min plan)".replace("  ", " ")[:500],
        data={"via": "min_plan"},
    )
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.CREATE,
        purpose=subject.purpose,
        obj=event,
        detail=("Min plan: samtycke lämnat" if given else "Min plan: samtycke återkallat")
        + (f"; {subject.log_detail}" if subject.log_detail else ""),
    )
    return event


@transaction.atomic
def plan_respond(
    *,
    citizen: Citizen,
    actor: Actor,
    subject: Subject,
    process: SipProcess,
    comment: str = "",
) -> SipEvent:
    """A comment on the latest established version, or (no comment) a confirmation that the
    person has read it: an event in the SIP timeline for the staff."""
    if process.person_id != subject.person.pk:
        raise DomainError(_("Planen hör inte till personen."))
    version = process.versions.order_by("-number").first()
    if version is None:
        raise DomainError(_("Det finns ingen plan än."))
    name = citizen.name or subject.person.full_name
    if not subject.is_own:
        name = f"{name} ({subject.role})"
    comment = comment.strip()[:2000]
    kind = SipEventKind.PLAN_COMMENTED if comment else SipEventKind.PLAN_READ_CONFIRMED
    summary = (
        f"{name} om version {version.number}: {comment}"
        if comment
        else f"{name} har läst version {version.number}"
    )
    event = SipEvent.objects.create(
        process=process,
        kind=kind,
        at=timezone.now(),
        summary=summary[:500],
        data={"version": version.number, "text": comment, "via": "min_plan"},
    )
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.CREATE,
        purpose=subject.purpose,
        obj=version,
        detail=f"Min plan: {kind.label}"
        + (f"; {subject.log_detail}" if subject.log_detail else ""),
    )
    return event
