"""Who may see a SIP process. One module serves the pages, the API and the services.

A unit sees a process only while it is an active participant (a ``unit`` participant, or the
unit of a named ``staff`` participant) and the person's consent allows it: without valid consent
nothing is shared with other organisations, so only units of the organisation that started the
process (its "home" organisation) see it. Consent is evaluated on every request, so a withdrawal
takes effect at once. Everyone else gets 404, exactly as for a process that does not exist, and
the attempt is written to the access log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting, DomainError, NotAllowed
from samplan.directory.models import UnitKind
from samplan.discharge.access import CARE_ROLES
from samplan.sip import rules
from samplan.sip.models import (
    ConsentEvent,
    ParticipantKind,
    PreparationEntry,
    PreparationKind,
    SipParticipant,
    SipProcess,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from samplan.directory.models import Unit

SEEING_KINDS = (ParticipantKind.UNIT, ParticipantKind.STAFF)


def consent_facts(events: Iterable[ConsentEvent]) -> list[rules.ConsentFact]:
    return [
        rules.ConsentFact(
            given=e.given,
            giver=rules.ConsentGiver(e.giver),
            on=e.on,
            name=e.giver_name,
            order=e.pk,
        )
        for e in events
    ]


def consent_state_of(
    process: SipProcess,
    on: date | None = None,
    *,
    events: Iterable[ConsentEvent] | None = None,
    preparation: Iterable[PreparationEntry] | None = None,
) -> rules.ConsentState:
    """The consent in force for ``process`` today (or ``on``). Pass prefetched ``events`` and
    ``preparation`` to avoid queries."""
    if events is None:
        events = ConsentEvent.objects.filter(process=process)
    if preparation is None:
        child_view = PreparationEntry.objects.filter(
            process=process, kind=PreparationKind.CHILD_VIEW
        ).exists()
    else:
        child_view = any(p.kind == PreparationKind.CHILD_VIEW for p in preparation)
    return rules.consent_state(
        consent_facts(events),
        process.person.birth_date,
        on or timezone.localdate(),
        child_view_recorded=child_view,
    )


def home_organisation_id(process: SipProcess) -> int:
    """The organisation that started the process: its units need no consent to see it."""
    return process.started_by_unit.organisation_id


def is_home_unit(process: SipProcess, unit: Unit) -> bool:
    return unit.organisation_id == home_organisation_id(process)


def visible_unit_ids(
    participants: Iterable[SipParticipant],
) -> set[int]:
    return {
        p.unit_id
        for p in participants
        if p.removed_at is None and p.kind in SEEING_KINDS and p.unit_id is not None
    }


def can_see(
    unit: Unit,
    process: SipProcess,
    consent: rules.ConsentState,
    participants: Iterable[SipParticipant],
) -> bool:
    """Pure given its inputs: the unit is an active participant, and either consent is valid or
    the unit belongs to the home organisation."""
    if unit.pk not in visible_unit_ids(participants):
        return False
    return consent.is_valid or is_home_unit(process, unit)


def processes_for_unit(unit: Unit) -> QuerySet[SipProcess]:
    """Processes ``unit`` participates in, before the consent check (which needs each process's
    consent events: :func:`can_see`)."""
    participants = SipParticipant.objects.filter(
        unit=unit, removed_at__isnull=True, kind__in=SEEING_KINDS
    )
    return SipProcess.objects.filter(pk__in=participants.values("process"))


def _deny(acting: Acting, process: SipProcess | None, detail: str) -> None:
    log_access(
        actor=acting.actor,
        person=process.person if process else None,
        action=AccessAction.DENIED,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=process,
        object_type="sip.SipProcess",
        detail=detail,
    )


def is_visible(acting: Acting, process: SipProcess) -> bool:
    if acting.role not in CARE_ROLES:
        return False
    participants = list(process.participants.all())
    if acting.unit.pk not in visible_unit_ids(participants):
        return False
    return can_see(acting.unit, process, consent_state_of(process), participants)


def process_get(acting: Acting, public_id: UUID | str) -> SipProcess:
    """The process, if the acting unit may see it now; otherwise 404 and a DENIED log entry."""
    process = (
        SipProcess.objects.select_related(
            "person", "started_by_unit__organisation", "lead_unit__organisation", "agreement"
        )
        .filter(public_id=public_id)
        .first()
    )
    if process is None or not is_visible(acting, process):
        _deny(acting, process, str(public_id))
        raise Http404
    return process


def require_visible(acting: Acting, process: SipProcess) -> None:
    """For services: the acting unit must see the process now (consent is checked again).

    Raises :class:`NotAllowed` without logging: services run in a transaction that the refusal
    rolls back. The DENIED access-log entry is written by :func:`process_get`, the way in."""
    if not is_visible(acting, process):
        raise NotAllowed(_("Din enhet deltar inte i den här SIP:en."))


def may_start_outside_hospital(acting: Acting) -> bool:
    """Any unit outside hospital can start a SIP; a ward continues its discharge case."""
    return acting.role in CARE_ROLES and acting.unit.kind not in (
        UnitKind.INPATIENT_WARD,
        UnitKind.HOSPITAL,
    )


class ProcessClosed(DomainError):
    """The SIP is closed and the step needs it open: a rule of the process, not a matter of who
    asks, so the API answers 409 (not 403), as for a closed discharge case
    (:class:`samplan.discharge.access.CaseClosed`)."""


def require_open(process: SipProcess) -> None:
    if not process.is_open:
        raise ProcessClosed(_("SIP:en är avslutad och kan inte ändras."))


def require_consent(process: SipProcess, what: str) -> rules.ConsentState:
    """Raise unless consent is valid; ``what`` names the refused action in Swedish."""
    state = consent_state_of(process)
    if not state.is_valid:
        raise DomainError(
            _("%(what)s kräver personens samtycke. %(missing)s")
            % {"what": what, "missing": " ".join(state.missing)}
        )
    return state


def may_lead_or_start(acting: Acting, process: SipProcess) -> bool:
    """The lead unit, or while none is named the starting unit, steers the process (closing)."""
    steering = process.lead_unit_id or process.started_by_unit_id
    return acting.unit.pk == steering
