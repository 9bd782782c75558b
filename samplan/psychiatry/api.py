"""/api/v1/svpl: the samordnad vårdplan (LPT 7 a § / LRV 12 a §) for record systems.

Thin, like :mod:`samplan.sip.api`: resolve the case or plan through the same access checks as
the pages (a unit that is not a party gets 404 and the attempt is logged), call the same
service, return a schema. Refusals are Swedish: a unit or role that may not 403, a broken rule
409, a stale draft 409 with the current revision, who saved it and what they changed (nothing
the caller sent is lost: it comes back in ``attempted``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status

from samplan.audit.services import ListRead
from samplan.core.acting import Acting
from samplan.core.drafts import changes_out, conflict_out
from samplan.discharge import access as discharge_access
from samplan.psychiatry import access, documents, selectors, services
from samplan.psychiatry.models import CoordinatedCarePlanLpt, SvplApproval
from samplan.psychiatry.plan import SvplContent

router = Router(tags=["SVPL – samordnad vårdplan enligt LPT/LRV"])


def _acting(request: HttpRequest) -> Acting:
    acting: Acting = request.auth  # type: ignore[attr-defined]
    return acting


def _plan(request: HttpRequest, svpl_id: UUID) -> tuple[Acting, CoordinatedCarePlanLpt]:
    acting = _acting(request)
    return acting, access.plan_get(acting, svpl_id)


# --- Schemas ----------------------------------------------------------------------------------


class ChangeOut(Schema):
    kind: str
    text: str


class ApprovalOut(Schema):
    unit_hsa_id: str
    unit_name: str
    revision: int
    approved_at: datetime
    approved_by: str


class ApproverOut(Schema):
    unit_hsa_id: str
    unit_name: str
    approved: bool
    approval: ApprovalOut | None
    void_approval: ApprovalOut | None
    """Its approval of an earlier revision, void since the draft changed."""


class VersionSummaryOut(Schema):
    number: int
    established_at: datetime
    draft_revision: int
    approvals: list[ApprovalOut]


class VersionOut(VersionSummaryOut):
    content: SvplContent
    changes: list[ChangeOut]
    """What changed from the previous established version (everything, for version 1)."""
    is_latest: bool


class SvplOut(Schema):
    id: UUID
    stay_id: UUID
    person_identifier: str
    person_name: str
    legal_basis: str
    legal_basis_label: str
    status: str
    status_label: str
    ready_notice_sent_at: datetime
    ready_notice_message_id: int
    establish_by: datetime
    overdue: bool
    draft_revision: int
    draft_saved_at: datetime | None
    draft_saved_by: str
    draft_saved_unit_hsa_id: str | None
    content: SvplContent
    problems: list[str]
    """What the draft lacks before the units can approve it; empty when nothing."""
    approvers: list[ApproverOut]
    missing_unit_hsa_ids: list[str]
    changes_since_established: list[ChangeOut]
    versions: list[VersionSummaryOut]
    can_write: bool
    can_approve: bool


class ConflictOut(Schema):
    detail: str
    current_revision: int
    saved_by: str
    saved_unit_hsa_id: str | None
    saved_at: datetime | None
    current: SvplContent
    their_changes: list[ChangeOut]
    """What the other writer changed since your base revision."""
    your_changes: list[ChangeOut]
    attempted: SvplContent | None
    """What you sent, untouched: redo it on ``current_revision``."""


class WorkItemOut(Schema):
    svpl_id: UUID
    stay_id: UUID
    person_identifier: str
    person_name: str
    code: str
    label: str
    due: datetime | None
    overdue: bool


def _approval(a: SvplApproval | None) -> dict[str, Any] | None:
    if a is None:
        return None
    return {
        "unit_hsa_id": a.unit.hsa_id,
        "unit_name": a.unit.name,
        "revision": a.revision,
        "approved_at": a.approved_at,
        "approved_by": a.approved_by.get_full_name(),
    }


def _version_summary(view: selectors.VersionView) -> dict[str, Any]:
    return {
        "number": view.version.number,
        "established_at": view.version.established_at,
        "draft_revision": view.version.draft_revision,
        "approvals": [_approval(a) for a in view.approvals],
    }


def _detail(acting: Acting, plan: CoordinatedCarePlanLpt) -> dict[str, Any]:
    o = selectors.svpl_overview(acting=acting, plan=plan, now=timezone.now())
    p = o.plan
    return {
        "id": p.public_id,
        "stay_id": o.stay.public_id,
        "person_identifier": o.stay.person.display_identifier,
        "person_name": o.stay.person.full_name,
        "legal_basis": p.legal_basis,
        "legal_basis_label": o.legal_basis_label,
        "status": o.status.value,
        "status_label": o.status_label,
        "ready_notice_sent_at": p.ready_notice.sent_at,
        "ready_notice_message_id": p.ready_notice_id,
        "establish_by": o.due,
        "overdue": o.overdue,
        "draft_revision": p.draft_revision,
        "draft_saved_at": p.draft_saved_at,
        "draft_saved_by": p.draft_saved_by.get_full_name() if p.draft_saved_by else "",
        "draft_saved_unit_hsa_id": p.draft_saved_unit.hsa_id if p.draft_saved_unit else None,
        "content": o.content,
        "problems": o.problems,
        "approvers": [
            {
                "unit_hsa_id": a.unit.hsa_id,
                "unit_name": a.unit.name,
                "approved": a.approval is not None,
                "approval": _approval(a.approval),
                "void_approval": _approval(a.void),
            }
            for a in o.approvers
        ],
        "missing_unit_hsa_ids": [u.hsa_id for u in o.missing],
        "changes_since_established": changes_out(o.changes_since_established),
        "versions": [_version_summary(v) for v in o.versions],
        "can_write": o.can_write,
        "can_approve": o.can_approve,
    }


# --- Reads ------------------------------------------------------------------------------------


@router.get("/worklist", response=list[WorkItemOut], summary="SVPL att justera och ej fastställda")
def worklist(request: HttpRequest) -> list[dict[str, Any]]:
    """The acting unit's "SVPL att justera" and "SVPL ej fastställd" items, overdue first."""
    acting = _acting(request)
    items = selectors.worklist(acting=acting, now=timezone.now())
    shown = ListRead(
        actor=acting.actor,
        list_id="psychiatry.worklist",
        title="SVPL att justera och ej fastställda (API)",
    )
    shown.add(item.stay.person for item in items)
    shown.write()
    return [
        {
            "svpl_id": item.plan.public_id,
            "stay_id": item.stay.public_id,
            "person_identifier": item.stay.person.display_identifier,
            "person_name": item.stay.person.full_name,
            "code": flag.code.value,
            "label": flag.label,
            "due": flag.due,
            "overdue": flag.overdue,
        }
        for item in items
        for flag in item.flags
    ]


@router.get("/{svpl_id}", response=SvplOut, summary="En samordnad vårdplan")
def svpl_detail(request: HttpRequest, svpl_id: UUID) -> dict[str, Any]:
    acting, plan = _plan(request, svpl_id)
    return _detail(acting, plan)


@router.get(
    "/{svpl_id}/versions", response=list[VersionSummaryOut], summary="Fastställda versioner"
)
def versions(request: HttpRequest, svpl_id: UUID) -> list[dict[str, Any]]:
    acting, plan = _plan(request, svpl_id)
    overview = selectors.svpl_overview(acting=acting, plan=plan, now=timezone.now())
    return [_version_summary(v) for v in reversed(overview.versions)]


@router.get(
    "/{svpl_id}/versions/{number}",
    response=VersionOut,
    summary="En fastställd version, med vad som ändrats sedan den förra",
)
def version_detail(request: HttpRequest, svpl_id: UUID, number: int) -> dict[str, Any]:
    acting, plan = _plan(request, svpl_id)
    view = selectors.version_view(acting=acting, plan=plan, number=number)
    if view is None:
        raise Http404
    return {
        **_version_summary(view),
        "content": view.content,
        "changes": changes_out(view.changes),
        "is_latest": view.is_latest,
    }


@router.get(
    "/{svpl_id}/versions/{number}/pdf",
    summary="En fastställd version som PDF till patienten",
    response={200: None},
)
def version_pdf(request: HttpRequest, svpl_id: UUID, number: int) -> HttpResponse:
    acting, plan = _plan(request, svpl_id)
    pdf = documents.svpl_pdf(acting=acting, plan=plan, number=number)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="samordnad-vardplan-version-{number}.pdf"'
    return response


# --- Writes -----------------------------------------------------------------------------------


class StartIn(Schema):
    legal_basis: str
    """``lpt_7a`` (öppen psykiatrisk tvångsvård) or ``lrv_12a`` (öppen rättspsykiatrisk vård)."""
    physician: str
    body: str = ""


@router.post(
    "/stays/{stay_id}",
    response={201: SvplOut},
    summary="Påbörja samordnad vårdplan och skicka underrättelsen enligt LPT/LRV",
)
def start(request: HttpRequest, stay_id: UUID, data: StartIn) -> Status[dict[str, Any]]:
    """The psychiatric ward starts the plan. The notice it sends counts as the underrättelse om
    utskrivningsklar (3:1): it appears among the case's messages as that notice, marked
    ``compulsory_care``."""
    acting = _acting(request)
    stay = discharge_access.stay_get(acting, stay_id)
    plan = services.svpl_start(
        acting=acting,
        stay=stay,
        legal_basis=data.legal_basis,
        physician=data.physician,
        body=data.body,
    )
    return Status(201, _detail(acting, plan))


class DraftIn(Schema):
    base_revision: int
    content: SvplContent


@router.put(
    "/{svpl_id}/draft",
    response={200: SvplOut, 409: ConflictOut},
    summary="Spara utkastet",
)
def draft_save(
    request: HttpRequest, svpl_id: UUID, data: DraftIn
) -> Status[dict[str, Any]] | dict[str, Any]:
    """Optimistic versioning: send the revision you read as ``base_revision``. If someone saved
    since, nothing is written and 409 tells who, what they changed, and gives your content back.
    Saving voids the approvals given so far."""
    acting, plan = _plan(request, svpl_id)
    try:
        services.svpl_draft_save(
            acting=acting, plan=plan, content=data.content, base_revision=data.base_revision
        )
    except services.SvplConflict as conflict:
        return Status(409, conflict_out(conflict))
    return _detail(acting, plan)


class ApproveIn(Schema):
    base_revision: int
    """The draft revision you read and approve."""


@router.post(
    "/{svpl_id}/approve",
    response={200: SvplOut, 409: ConflictOut},
    summary="Justera planen för din enhet",
)
def approve(
    request: HttpRequest, svpl_id: UUID, data: ApproveIn
) -> Status[dict[str, Any]] | dict[str, Any]:
    """The acting unit approves ``base_revision`` for itself. When every unit has approved, that
    revision is established as the next version (``status`` ``established``)."""
    acting, plan = _plan(request, svpl_id)
    try:
        services.svpl_approve(acting=acting, plan=plan, base_revision=data.base_revision)
    except services.SvplConflict as conflict:
        return Status(409, conflict_out(conflict))
    return _detail(acting, plan)
