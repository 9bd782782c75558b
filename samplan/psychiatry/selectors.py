"""Reads for the SVPL pages, the API, the case page, the work lists and Min plan, each in a
constant number of queries whatever the number of plans, approvals, versions or parties.

* :func:`svpl_overview` – everything the plan page shows (logged as a read).
* :func:`svpl_of_stay` – the case page's SVPL section: the overview, or ``None``.
* :func:`version_view` – one established version with what changed from the one before.
* :func:`worklist` – the acting unit's "SVPL att justera" and "SVPL ej fastställd" items.
* :func:`established_svpls_for_person` – the person's own established plans, plain fields only,
  for the citizen portal (Min plan).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from samplan.agreements.services import agreement_of
from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import Actor, log_access
from samplan.core.acting import Acting
from samplan.core.drafts import successive_changes
from samplan.directory.models import Unit
from samplan.discharge import access as discharge_access
from samplan.discharge.models import CaseParty, InpatientStay, StayStatus
from samplan.people.models import Person
from samplan.psychiatry import access, rules
from samplan.psychiatry.models import (
    CoordinatedCarePlanLpt,
    LegalBasis,
    SvplApproval,
    SvplEvent,
    SvplVersion,
)
from samplan.psychiatry.plan import Change, SvplContent, svpl_diff, svpl_problems

__all__ = [
    "ApproverView",
    "CitizenSvpl",
    "SvplOverview",
    "SvplWorkItem",
    "VersionView",
    "established_svpls_for_person",
    "svpl_of_stay",
    "svpl_overview",
    "version_view",
    "worklist",
]


@dataclass(frozen=True)
class ApproverView:
    unit: Unit
    approval: SvplApproval | None
    """The unit's approval of the current draft revision, if it has given one."""
    void: SvplApproval | None
    """Its latest approval of an earlier revision, void since the draft changed."""


@dataclass(frozen=True)
class VersionView:
    version: SvplVersion
    content: SvplContent
    approvals: list[SvplApproval]
    changes: list[Change]
    """What changed from the previous established version (everything, for version 1)."""
    is_latest: bool


@dataclass
class SvplOverview:
    plan: CoordinatedCarePlanLpt
    stay: InpatientStay
    content: SvplContent
    problems: list[str]
    status: rules.SvplStatus
    state: rules.ApprovalState
    approvers: list[ApproverView]
    versions: list[VersionView]
    """Newest first."""
    changes_since_established: list[Change]
    can_write: bool
    can_approve: bool
    my_approval: SvplApproval | None
    is_approver: bool
    due: datetime
    overdue: bool
    events: list[SvplEvent] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(rules.STATUS_LABELS[self.status])

    @property
    def missing(self) -> list[Unit]:
        return [a.unit for a in self.approvers if a.approval is None]

    @property
    def legal_basis_label(self) -> str:
        return str(LegalBasis(self.plan.legal_basis).label)

    @property
    def care_form(self) -> str:
        return str(rules.CARE_FORM_LABELS[rules.LegalBasis(self.plan.legal_basis)])

    @property
    def latest_version(self) -> VersionView | None:
        return self.versions[0] if self.versions else None


def _plans(queryset: QuerySet[CoordinatedCarePlanLpt]) -> QuerySet[CoordinatedCarePlanLpt]:
    return queryset.select_related(
        "stay__person",
        "stay__ward__organisation",
        "ready_notice__sender",
        "draft_saved_by",
        "draft_saved_unit",
    ).prefetch_related(
        "stay__agreement",
        Prefetch(
            "stay__parties",
            queryset=CaseParty.objects.select_related("unit__organisation").order_by("pk"),
        ),
        Prefetch(
            "approvals",
            queryset=SvplApproval.objects.select_related("unit", "approved_by").order_by(
                "approved_at", "pk"
            ),
        ),
        Prefetch("versions", queryset=SvplVersion.objects.order_by("number")),
    )


def _due(plan: CoordinatedCarePlanLpt, agreements: dict[int, Any] | None = None) -> datetime:
    stay = plan.stay
    if agreements is None:
        agreement = agreement_of(stay.agreement)
    else:
        if stay.agreement_id not in agreements:
            agreements[stay.agreement_id] = agreement_of(stay.agreement)
        agreement = agreements[stay.agreement_id]
    return rules.establishment_due(plan.started_at, agreement.psychiatry.svpl_established)


def _state(plan: CoordinatedCarePlanLpt) -> tuple[list[Unit], rules.ApprovalState]:
    approvers = access.approver_units(plan.stay, plan.stay.parties.all())
    state = rules.approval_state(
        [u.pk for u in approvers],
        [rules.Approval(a.unit_id, a.revision) for a in plan.approvals.all()],
        plan.draft_revision,
    )
    return approvers, state


def _version_views(plan: CoordinatedCarePlanLpt) -> list[VersionView]:
    versions = list(plan.versions.all())
    approvals = list(plan.approvals.all())
    return [
        VersionView(
            version=version,
            content=content,
            approvals=[a for a in approvals if a.revision == version.draft_revision],
            changes=changes,
            is_latest=version is versions[-1],
        )
        for version, content, changes in successive_changes(versions, _content, svpl_diff)
    ]


def _content(record: SvplVersion) -> SvplContent:
    return SvplContent.model_validate(record.content)


def _overview(acting: Acting, plan: CoordinatedCarePlanLpt, now: datetime) -> SvplOverview:
    stay = plan.stay
    parties = list(stay.parties.all())
    approvers, state = _state(plan)
    approvals = list(plan.approvals.all())
    content = SvplContent.model_validate(plan.draft_content)
    problems = svpl_problems(content)
    versions = _version_views(plan)
    status = rules.svpl_status(plan.established_revision, plan.draft_revision)
    rows = []
    for unit in approvers:
        mine = [a for a in approvals if a.unit_id == unit.pk]
        current = next((a for a in mine if a.revision == plan.draft_revision), None)
        rows.append(ApproverView(unit, current, mine[-1] if mine and current is None else None))
    is_approver = access.may_approve(acting, stay, parties)
    my_approval = next((r.approval for r in rows if r.unit.pk == acting.unit.pk), None)
    due = _due(plan)
    return SvplOverview(
        plan=plan,
        stay=stay,
        content=content,
        problems=problems,
        status=status,
        state=state,
        approvers=rows,
        versions=list(reversed(versions)),
        changes_since_established=(
            svpl_diff(versions[-1].content, content)
            if versions and status == rules.SvplStatus.CHANGED
            else []
        ),
        can_write=stay.takes_follow_up and access.may_write(acting, stay, parties),
        can_approve=stay.takes_follow_up
        and is_approver
        and my_approval is None
        and not problems
        and status != rules.SvplStatus.ESTABLISHED,
        my_approval=my_approval,
        is_approver=is_approver,
        due=due,
        overdue=not versions and now > due,
    )


def _log_read(acting: Acting, plan: CoordinatedCarePlanLpt, detail: str, obj: Any = None) -> None:
    log_access(
        actor=acting.actor,
        person=plan.stay.person,
        action=AccessAction.READ,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=obj or plan,
        detail=detail,
    )


def svpl_overview(*, acting: Acting, plan: CoordinatedCarePlanLpt, now: datetime) -> SvplOverview:
    """The plan as the acting unit sees it; ``plan`` from :func:`access.plan_get`."""
    plan = _plans(CoordinatedCarePlanLpt.objects.filter(pk=plan.pk)).get()
    _log_read(acting, plan, "samordnad vårdplan")
    overview = _overview(acting, plan, now)
    overview.events = list(
        SvplEvent.objects.filter(plan=plan).select_related("actor", "unit").order_by("at", "pk")
    )
    return overview


def svpl_of_stay(*, acting: Acting, stay: InpatientStay, now: datetime) -> SvplOverview | None:
    """The case page's SVPL section (the case page itself logged the read of the case)."""
    plan = _plans(CoordinatedCarePlanLpt.objects.filter(stay=stay)).first()
    if plan is None:
        return None
    return _overview(acting, plan, now)


def may_start(acting: Acting, stay: InpatientStay) -> bool:
    """Whether the case page offers to start an SVPL (the service decides again)."""
    return (
        stay.ward.is_psychiatric
        and stay.is_open
        and stay.ready_notice_sent_at is None
        and access.is_ward_writer(acting, stay)
    )


def version_view(
    *, acting: Acting, plan: CoordinatedCarePlanLpt, number: int
) -> VersionView | None:
    plan = _plans(CoordinatedCarePlanLpt.objects.filter(pk=plan.pk)).get()
    view = next((v for v in _version_views(plan) if v.version.number == number), None)
    if view is not None:
        _log_read(acting, plan, f"fastställd samordnad vårdplan version {number}", view.version)
    return view


# --- Work list --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SvplWorkItem:
    plan: CoordinatedCarePlanLpt
    flags: list[rules.Flag]

    @property
    def stay(self) -> InpatientStay:
        return self.plan.stay

    @property
    def overdue(self) -> bool:
        return any(f.overdue for f in self.flags)


def worklist(*, acting: Acting, now: datetime) -> list[SvplWorkItem]:
    """The acting unit's SVPL items, overdue first, then by deadline. Plans of interrupted
    cases, and established plans of closed cases with nothing changed since, are not read."""
    if acting.role not in discharge_access.CARE_ROLES:
        return []
    stays = discharge_access.stays_for_unit(acting.unit).exclude(status=StayStatus.INTERRUPTED)
    plans = _plans(
        CoordinatedCarePlanLpt.objects.filter(stay__in=stays).filter(
            Q(stay__status=StayStatus.OPEN)
            | Q(established_revision__isnull=True)
            | ~Q(established_revision=F("draft_revision"))
        )
    )
    agreements: dict[int, Any] = {}
    items = []
    for plan in plans:
        _approvers, state = _state(plan)
        flags = rules.worklist_flags(
            unit_id=acting.unit.pk,
            ward_id=plan.stay.ward_id,
            state=state,
            ready_to_approve=not svpl_problems(SvplContent.model_validate(plan.draft_content)),
            has_version=plan.established_revision is not None,
            due=_due(plan, agreements),
            now=now,
        )
        if flags:
            items.append(SvplWorkItem(plan, flags))
    items.sort(
        key=lambda i: (
            not i.overdue,
            min((f.due.timestamp() for f in i.flags if f.due), default=float("inf")),
            i.stay.person.family_name,
        )
    )
    return items


# --- Min plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitizenInsats:
    what: str
    decision: str
    responsible_unit: str
    responsible_person: str
    your_view: str


@dataclass(frozen=True)
class CitizenOtherAction:
    who: str
    what: str


@dataclass(frozen=True)
class CitizenSvpl:
    """An established SVPL as the person may read it: the plan's own fields, nothing else (no
    drafts, no approvals' authors, no timeline, no message texts)."""

    plan_id: str
    version: int
    established_on: date
    care_form: str
    law: str
    applies_from: date | None
    chief_physician: str
    needs: list[str]
    insatser: list[CitizenInsats]
    your_view: str
    other_actions: list[CitizenOtherAction]
    approved_by_units: list[str]
    ward: str
    ward_phone: str
    newer_changes_pending: bool
    """A change is being approved; this version applies until a new one is established."""


def established_svpls_for_person(
    *, actor: Actor, person: Person, purpose: AccessPurpose, detail: str = ""
) -> list[CitizenSvpl]:
    """The person's established SVPLs (latest version of each), newest first, for Min plan.

    Logged as one read by ``actor`` (the citizen, or a representative: pass the portal's
    purpose and detail). Three queries whatever the number of plans and versions."""
    plans = list(
        CoordinatedCarePlanLpt.objects.filter(stay__person=person, established_number__gt=0)
        .select_related("stay__ward")
        .prefetch_related(
            Prefetch("versions", queryset=SvplVersion.objects.order_by("number")),
            Prefetch("approvals", queryset=SvplApproval.objects.select_related("unit")),
        )
        .order_by("-started_at", "-pk")
    )
    log_access(
        actor=actor,
        person=person,
        action=AccessAction.READ,
        purpose=purpose,
        obj=plans[0] if plans else person,
        detail=detail or "Min plan: samordnad vårdplan",
    )
    return [_citizen(plan) for plan in plans]


def _citizen(plan: CoordinatedCarePlanLpt) -> CitizenSvpl:
    version = list(plan.versions.all())[-1]
    content = SvplContent.model_validate(version.content)
    basis = rules.LegalBasis(plan.legal_basis)
    units = [a.unit.name for a in _approvals_of(plan.approvals.all(), version.draft_revision)]
    return CitizenSvpl(
        plan_id=str(plan.public_id),
        version=version.number,
        established_on=timezone.localdate(version.established_at),
        care_form=str(rules.CARE_FORM_LABELS[basis]),
        law=str(rules.LAW_REFERENCES[basis]),
        applies_from=content.applies_from,
        chief_physician=content.chief_physician,
        needs=[n.text for n in content.needs],
        insatser=[
            CitizenInsats(
                what=i.what,
                decision=i.decision,
                responsible_unit=i.responsible_unit,
                responsible_person=i.responsible_person,
                your_view=i.patient_view,
            )
            for i in content.insatser
        ],
        your_view=content.patient_view,
        other_actions=[CitizenOtherAction(a.who, a.what) for a in content.other_actions],
        approved_by_units=units,
        ward=plan.stay.ward.name,
        ward_phone=plan.stay.ward.phone,
        newer_changes_pending=plan.draft_revision != version.draft_revision,
    )


def _approvals_of(approvals: Iterable[SvplApproval], revision: int) -> list[SvplApproval]:
    return [a for a in approvals if a.revision == revision]
