"""Every state change of a samordnad vårdplan (SVPL): one service each, one transaction, one
timeline event and one access-log entry. Pages and API call these, so both obey the same rules.

``svpl_start(acting, stay, legal_basis, physician, body="")``
    The psychiatric ward starts the plan. In the same transaction it sends the units the notice
    under LPT 7 a § / LRV 12 a §, through the discharge process's own
    :func:`samplan.discharge.services.ready_notice_send`: the notice counts as the underrättelse
    om utskrivningsklar (3:1), so its exact send time starts the kallelse deadline and the
    payment liability as any ready notice does, and it is marked (``compulsory_care``) and named
    as the LPT/LRV notice on the case timeline.
``svpl_draft_save(acting, plan, content, base_revision)``
    Optimistic versioning, as the SIP's plan draft: a save based on a revision someone else has
    saved over is refused with :class:`SvplConflict` (who, what they changed, your content back).
    Every saved revision is kept. Saving voids the approvals given so far (they approved another
    revision).
``svpl_approve(acting, plan, base_revision)``
    The acting unit approves (justerar) the revision it read, for itself. When every approving
    unit has approved the current revision, that revision is established as the next immutable
    version in the same transaction.

Refusals raise :class:`~samplan.core.acting.DomainError` (Swedish, for the user) or
:class:`~samplan.core.acting.NotAllowed`; nothing is written then.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import ValidationError

from samplan.core.acting import Acting, DomainError, NotAllowed
from samplan.core.drafts import DraftConflict, DraftStore
from samplan.core.timeline import TimelineWriter
from samplan.discharge import access as discharge_access
from samplan.discharge import services as discharge_services
from samplan.discharge.models import InpatientStay, PartyStatus
from samplan.psychiatry import access, rules
from samplan.psychiatry.models import (
    CoordinatedCarePlanLpt,
    LegalBasis,
    SvplApproval,
    SvplDraftRevision,
    SvplEvent,
    SvplEventKind,
    SvplVersion,
)
from samplan.psychiatry.plan import SvplContent, svpl_diff, svpl_problems, with_ids

__all__ = ["SvplConflict", "svpl_approve", "svpl_draft_save", "svpl_start"]


class SvplConflict(DraftConflict[CoordinatedCarePlanLpt, SvplContent]):
    """The draft was saved by someone else since ``base_revision``: nothing was written
    (:class:`~samplan.core.drafts.DraftConflict`). ``current`` is the plan with its draft as it
    is now (``current.draft_revision`` is the revision to base a retry on). An approval of a
    stale revision raises it too, with ``attempted`` ``None``."""

    @classmethod
    def text(cls, *, saving: bool) -> str:
        if saving:
            return super().text(saving=saving)
        return _(
            "Planen har ändrats av %(who)s (%(unit)s) sedan du läste den. Din justering är "
            "inte sparad: läs den nya versionen och justera den."
        )


def _now() -> datetime:
    return timezone.now()


def _new_id() -> str:
    return uuid.uuid4().hex[:10]


_event: TimelineWriter[CoordinatedCarePlanLpt, SvplEvent] = TimelineWriter(
    events=SvplEvent,
    owner_field="plan",
    person_of=lambda plan: plan.stay.person,
    now=lambda: _now(),  # looked up per call: the demo county sets the clock by patching _now
)


# --- Start ------------------------------------------------------------------------------------


@transaction.atomic
def svpl_start(
    *, acting: Acting, stay: InpatientStay, legal_basis: str, physician: str, body: str = ""
) -> CoordinatedCarePlanLpt:
    """Start the SVPL and send the LPT/LRV notice, which counts as the ready notice (3:1)."""
    stay = (
        InpatientStay.objects.select_for_update().select_related("ward", "person").get(pk=stay.pk)
    )
    refusal = rules.start_refusal(
        rules.StartFacts(
            ward_is_psychiatric=stay.ward.is_psychiatric,
            case_open=stay.is_open,
            acting_is_ward=acting.unit.pk == stay.ward_id,
            role_may_write=access.is_ward_writer(acting, stay),
            has_svpl=CoordinatedCarePlanLpt.objects.filter(stay=stay).exists(),
            ready_notice_sent=stay.ready_notice_sent_at is not None,
        )
    )
    if refusal is not None:
        raise (NotAllowed if refusal.forbidden else DomainError)(refusal.text)
    if legal_basis not in LegalBasis.values:
        raise DomainError(_("Välj rättslig grund: LPT 7 a § eller LRV 12 a §."))
    basis = LegalBasis(legal_basis)
    if not physician.strip():
        raise DomainError(_("Ange chefsöverläkaren som skriver planen."))
    notice = discharge_services.ready_notice_send(
        acting=acting,
        stay=stay,
        physician=physician.strip(),
        body=body,
        compulsory_care=basis.value,
        compulsory_care_label=_("Underrättelse enligt %(law)s (räknas som utskrivningsklar)")
        % {"law": _("7 a § LPT") if basis == LegalBasis.LPT_7A else _("12 a § LRV")},
    )
    content = SvplContent(chief_physician=physician.strip())
    plan = CoordinatedCarePlanLpt.objects.create(
        stay=stay,
        legal_basis=basis.value,
        ready_notice=notice,
        started_at=notice.sent_at,
        started_by=acting.user,
        started_unit=acting.unit,
        draft_content=content.as_json(),
    )
    SvplDraftRevision.objects.create(
        plan=plan,
        revision=0,
        content=content.as_json(),
        saved_at=notice.sent_at,
        saved_by=acting.user,
        saved_unit=acting.unit,
    )
    _event(
        plan,
        SvplEventKind.STARTED,
        acting,
        str(basis.label),
        obj=plan,
        legal_basis=basis.value,
        notice=notice.pk,
    )
    return plan


# --- Draft ------------------------------------------------------------------------------------


def _normalised(stay: InpatientStay, content: SvplContent | Mapping[str, Any]) -> SvplContent:
    """Validated content with ids given, and each insats's responsible unit named from the case
    party it points at."""
    # Apart from the SIP's on purpose: an SVPL insats names a unit that is a party to the case,
    # a SIP action the organisation and huvudman of a participant, and a SIP names its overall
    # responsibility too.
    try:
        plan = (
            content
            if isinstance(content, SvplContent)
            else SvplContent.model_validate(dict(content))
        )
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise DomainError(_("Planen kan inte sparas: %(details)s") % {"details": details}) from None
    plan = with_ids(plan, _new_id)
    units = {
        p.unit_id: p.unit
        for p in stay.parties.filter(status=PartyStatus.ACTIVE).select_related("unit")
    }
    insatser = []
    for insats in plan.insatser:
        if insats.unit_id is None:
            insatser.append(insats)
            continue
        unit = units.get(insats.unit_id)
        if unit is None:
            raise DomainError(
                _("Insatsen ”%(what)s” pekar på en enhet som inte deltar i ärendet.")
                % {"what": insats.what}
            )
        insatser.append(insats.model_copy(update={"responsible_unit": unit.name}))
    return plan.model_copy(update={"insatser": tuple(insatser)})


_DRAFTS = DraftStore(
    holder=CoordinatedCarePlanLpt,
    holder_key="pk",
    prefix="draft_",
    revisions=SvplDraftRevision,
    revision_owner="plan",
    content=SvplContent,
    diff=svpl_diff,
    conflict=SvplConflict,
    stores_revision_zero=True,
)
"""The SVPL's draft: on the plan's own row (which an approval locks), revision 0 the draft as
started."""


@transaction.atomic
def svpl_draft_save(
    *,
    acting: Acting,
    plan: CoordinatedCarePlanLpt,
    content: SvplContent | Mapping[str, Any],
    base_revision: int,
) -> CoordinatedCarePlanLpt:
    """Save the draft, based on the revision the writer opened (see the module docstring)."""
    stay = plan.stay
    access.require_write(acting, stay)
    discharge_access.require_follow_up(stay)
    new = _normalised(stay, content)
    _DRAFTS.write(plan, new, base_revision=base_revision, acting=acting, at=_now())
    changes = svpl_diff(_DRAFTS.revision_content(plan, base_revision), new)
    plan.refresh_from_db()
    _event(
        plan,
        SvplEventKind.DRAFT_SAVED,
        acting,
        " ".join(c.text for c in changes) or _("Inga ändringar."),
        created=False,
        revision=plan.draft_revision,
    )
    return plan


# --- Approval and establishment ---------------------------------------------------------------


def approval_state_of(plan: CoordinatedCarePlanLpt) -> rules.ApprovalState:
    stay = plan.stay
    approvers = access.approver_units(stay, stay.parties.select_related("unit"))
    return rules.approval_state(
        [u.pk for u in approvers],
        [rules.Approval(a.unit_id, a.revision) for a in plan.approvals.all()],
        plan.draft_revision,
    )


@transaction.atomic
def svpl_approve(
    *, acting: Acting, plan: CoordinatedCarePlanLpt, base_revision: int
) -> SvplApproval:
    """The acting unit justerar the draft revision it read. Establishes the next version when
    it was the last approval missing."""
    stay = plan.stay
    access.require_approver(acting, stay)
    discharge_access.require_follow_up(stay)
    # One approval at a time per plan: the last two units approving at once establish once.
    locked = _DRAFTS.locked(plan)
    if locked.draft_revision != base_revision:
        raise _DRAFTS.conflict_with(locked, base_revision, None)
    if (
        locked.established_number
        and SvplVersion.objects.filter(
            plan=locked, number=locked.established_number, draft_revision=base_revision
        ).exists()
    ):
        raise DomainError(_("Den här versionen av planen är redan fastställd."))
    content = SvplContent.model_validate(locked.draft_content)
    problems = svpl_problems(content)
    if problems:
        raise DomainError(_("Planen kan inte justeras än.") + " " + " ".join(problems))
    if SvplApproval.objects.filter(plan=locked, unit=acting.unit, revision=base_revision).exists():
        raise DomainError(_("Din enhet har redan justerat den här versionen av planen."))
    now = _now()
    approval = SvplApproval.objects.create(
        plan=locked,
        unit=acting.unit,
        revision=base_revision,
        approved_at=now,
        approved_by=acting.user,
    )
    locked.stay = stay
    _event(
        locked,
        SvplEventKind.APPROVED,
        acting,
        acting.unit.name,
        obj=approval,
        revision=base_revision,
    )
    if approval_state_of(locked).complete:
        _establish(acting, locked, content, base_revision)
    plan.refresh_from_db()
    return approval


def _establish(
    acting: Acting, plan: CoordinatedCarePlanLpt, content: SvplContent, revision: int
) -> SvplVersion:
    previous = SvplVersion.objects.filter(plan=plan).order_by("-number").first()
    version = SvplVersion.objects.create(
        plan=plan,
        number=(previous.number + 1) if previous else 1,
        content=content.as_json(),
        draft_revision=revision,
        established_at=_now(),
    )
    CoordinatedCarePlanLpt.objects.filter(pk=plan.pk).update(
        established_number=version.number, established_revision=revision
    )
    changes = svpl_diff(SvplContent.model_validate(previous.content) if previous else None, content)
    _event(
        plan,
        SvplEventKind.ESTABLISHED,
        acting,
        _("Version %(n)s") % {"n": version.number},
        obj=version,
        version=version.number,
        changes=[c.text for c in changes],
    )
    return version
