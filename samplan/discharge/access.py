"""Who may see a case and who may take which step. One module serves the UI and the API.

A unit sees a case only while it is an active party to it. Everyone else gets 404, exactly as for
a case that does not exist, and the attempt is written to the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NoReturn
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting, DomainError, NotAllowed
from samplan.directory.models import Role, UnitKind
from samplan.discharge.models import CaseParty, InpatientStay, MessageKind, PartyStatus

if TYPE_CHECKING:
    from django.db.models import Model

    from samplan.directory.models import Unit
    from samplan.people.models import Person

WARD_ROLES = frozenset({Role.NURSE_COORDINATOR, Role.PHYSICIAN, Role.HEAD_OF_UNIT})
OUTPATIENT_KINDS = frozenset({UnitKind.PRIMARY_CARE, UnitKind.SPECIALIST_OUTPATIENT})
MUNICIPAL_KINDS = frozenset({UnitKind.SOCIAL_SERVICES, UnitKind.MUNICIPAL_HEALTH_CARE})
CARE_ROLES = frozenset(
    {
        Role.NURSE_COORDINATOR,
        Role.PHYSICIAN,
        Role.HEAD_OF_UNIT,
        Role.NEEDS_ASSESSOR,
        Role.MUNICIPAL_NURSE,
    }
)


def stays_for_unit(unit: Unit) -> QuerySet[InpatientStay]:
    """The cases ``unit`` is an active party to."""
    parties = CaseParty.objects.filter(unit=unit, status=PartyStatus.ACTIVE)
    return InpatientStay.objects.filter(pk__in=parties.values("stay"))


def sees_case(acting: Acting, stay_id: int) -> bool:
    """Whether the acting unit sees the case now: an active party to it, in a care role. What
    belongs to the case (its SVPL) is seen exactly as the case is."""
    return (
        acting.role in CARE_ROLES
        and CaseParty.objects.filter(
            stay_id=stay_id, unit=acting.unit, status=PartyStatus.ACTIVE
        ).exists()
    )


def not_found(
    acting: Acting,
    public_id: UUID | str,
    *,
    person: Person | None,
    obj: Model | None,
    object_type: str,
) -> NoReturn:
    """404, as for what does not exist, after a DENIED access-log entry for the attempt."""
    log_access(
        actor=acting.actor,
        person=person,
        action=AccessAction.DENIED,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=obj,
        object_type=object_type,
        detail=str(public_id),
    )
    raise Http404


def stay_get(acting: Acting, public_id: UUID | str) -> InpatientStay:
    """The case, if the acting unit is a party and the role is a care role; else 404 (logged)."""
    stay = (
        InpatientStay.objects.select_related(
            "person", "ward__organisation", "agreement", "care_contact__unit"
        )
        .filter(public_id=public_id)
        .first()
    )
    if stay is None or not sees_case(acting, stay.pk):
        not_found(
            acting,
            public_id,
            person=stay.person if stay else None,
            obj=stay,
            object_type="discharge.InpatientStay",
        )
    return stay


def is_ward(acting: Acting, stay: InpatientStay) -> bool:
    return acting.unit.pk == stay.ward_id and acting.role in WARD_ROLES


def require_ward(acting: Acting, stay: InpatientStay) -> None:
    if not is_ward(acting, stay):
        raise NotAllowed(_("Bara den vårdande avdelningen kan göra detta."))


def is_care_contact_unit(acting: Acting, stay: InpatientStay) -> bool:
    contact = stay.care_contact
    return contact is not None and contact.unit_id == acting.unit.pk


def can_appoint_care_contact(acting: Acting) -> bool:
    return acting.role == Role.HEAD_OF_UNIT and acting.unit.kind in OUTPATIENT_KINDS


class CaseClosed(DomainError):
    """The case is discharged or interrupted and the step needs it open: a rule of the process,
    not a matter of who asks, so the API answers 409 (not 403)."""


def require_open(stay: InpatientStay) -> None:
    if not stay.is_open:
        raise CaseClosed(_("Ärendet är avslutat och kan inte ändras."))


def require_follow_up(stay: InpatientStay) -> None:
    """For the steps that may fall after discharge; an interrupted process takes none."""
    if not stay.takes_follow_up:
        raise CaseClosed(_("Processen är avbruten och kan inte ändras."))


def is_party(acting: Acting, stay: InpatientStay) -> bool:
    """A care role at a unit that is an active party. Reads ``stay.parties.all()``, so a stay
    with its parties prefetched (the case page) costs no query."""
    return acting.role in CARE_ROLES and any(
        p.unit_id == acting.unit.pk and p.status == PartyStatus.ACTIVE for p in stay.parties.all()
    )


def require_party(acting: Acting, stay: InpatientStay) -> None:
    if not is_party(acting, stay):
        raise NotAllowed(_("Din enhet är inte berörd av ärendet."))


# --- Who may take which step, in which state: one rule serves the service and the page --------

CaseState = Literal["open", "follow_up", "any"]


@dataclass(frozen=True)
class StepRule:
    """Who may take a step and in which state of the case.

    The service calls :meth:`check` before anything else, and the case page offers the step only
    where :meth:`allows` holds, so the pages and the JSON API cannot differ. Refusals: the unit
    or role is wrong → :class:`NotAllowed` (HTTP 403); the case is closed → :class:`CaseClosed`
    (409); a ``condition`` of the case fails → :class:`DomainError` (409).
    """

    who: Callable[[Acting, InpatientStay], bool]
    refusal: Promise
    state: CaseState = "open"
    conditions: tuple[tuple[Callable[[InpatientStay], bool], Promise], ...] = ()

    def check(self, acting: Acting, stay: InpatientStay) -> None:
        require_party(acting, stay)
        if not self.who(acting, stay):
            raise NotAllowed(str(self.refusal))
        if self.state == "open":
            require_open(stay)
        elif self.state == "follow_up":
            require_follow_up(stay)
        for holds, message in self.conditions:
            if not holds(stay):
                raise DomainError(str(message))

    def allows(self, acting: Acting, stay: InpatientStay) -> bool:
        try:
            self.check(acting, stay)
        except DomainError:
            return False
        return True


def _anyone(acting: Acting, stay: InpatientStay) -> bool:
    return True


def _ward_or_outpatient(acting: Acting, stay: InpatientStay) -> bool:
    return is_ward(acting, stay) or acting.unit.kind in OUTPATIENT_KINDS


def _has_invitation(stay: InpatientStay) -> bool:
    return any(
        m.kind == MessageKind.SIP_INVITATION and not m.is_withdrawn for m in stay.messages.all()
    )


_ONLY_WARD = gettext_lazy("Bara den vårdande avdelningen kan göra detta.")

WARD_STEP = StepRule(is_ward, _ONLY_WARD)
"""Ankomstsamtal, inskrivningsmeddelande, estimated discharge, summary, discharge, avbrott,
lägg till part, Hemgångsklar."""
WARD_FOLLOW_UP = StepRule(is_ward, _ONLY_WARD, state="follow_up")
"""Informationsöverföring: still owed, and recordable, after discharge."""
PARTY_STEP = StepRule(_anyone, gettext_lazy("Din enhet är inte berörd av ärendet."))
"""Planeringsunderlag, löpande planering, generellt meddelande."""
COLOUR_OVERRIDE = StepRule(
    is_care_contact_unit, gettext_lazy("Bara den fasta vårdkontaktens enhet kan ändra färgen.")
)
CARE_CONTACT = StepRule(
    lambda acting, stay: can_appoint_care_contact(acting),
    gettext_lazy("Fast vårdkontakt utses av verksamhetschefen på öppenvårdsenheten."),
)
READY_NOTICE = StepRule(
    is_ward,
    _ONLY_WARD,
    conditions=(
        (
            lambda stay: stay.ready_notice_sent_at is None,
            gettext_lazy("Patienten är redan anmäld som utskrivningsklar."),
        ),
    ),
)
UNAVAILABILITY = StepRule(
    _ward_or_outpatient,
    gettext_lazy("Perioden registreras av avdelningen eller regionens öppna vård."),
)
"""A 5:5 period, recorded and ended."""
SIP_INVITATION = StepRule(
    is_care_contact_unit,
    gettext_lazy("Kallelsen skickas av den fasta vårdkontakten."),
    state="follow_up",
)
WRITTEN_PLAN = StepRule(
    is_care_contact_unit,
    gettext_lazy("Den fasta vårdkontakten registrerar att planen är lämnad."),
    state="follow_up",
    conditions=(
        (_has_invitation, gettext_lazy("Det finns ingen kallelse till SIP-möte i ärendet.")),
        (
            lambda stay: stay.written_plan_given_at is None,
            gettext_lazy("Det är redan registrerat att planen är lämnad."),
        ),
    ),
)
FORWARD = StepRule(
    lambda acting, stay: acting.unit.kind in MUNICIPAL_KINDS,
    gettext_lazy("Ärenden kan bara vidaresändas till en enhet i samma kommun."),
)
WRONGLY_ADDRESSED = StepRule(
    lambda acting, stay: acting.unit.pk != stay.ward_id,
    gettext_lazy("Den vårdande avdelningen kan inte markera ärendet som felsänt."),
)
