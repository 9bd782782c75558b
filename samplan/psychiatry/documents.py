"""The established SVPL as a PDF for the patient, in plain Swedish (WeasyPrint, as the SIP plan).

The document names the patient, the plan's own fields and the units with their phone numbers.
It holds no address of the patient at all, so a protected identity's address cannot leak into
it. Every export is access-logged (EXPORT), by staff here or by Min plan through
:func:`render_svpl` with its own entry.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from samplan.audit.models import AccessAction, AccessPurpose
from samplan.audit.services import log_access
from samplan.core.acting import Acting
from samplan.psychiatry import rules
from samplan.psychiatry.models import CoordinatedCarePlanLpt, SvplApproval, SvplVersion
from samplan.psychiatry.plan import SvplContent


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported lazily: it loads native libraries

    return bytes(HTML(string=render_to_string(template, context)).write_pdf())


def svpl_context(plan: CoordinatedCarePlanLpt, version: SvplVersion) -> dict[str, Any]:
    content = SvplContent.model_validate(version.content)
    basis = rules.LegalBasis(plan.legal_basis)
    approvals = SvplApproval.objects.filter(
        plan=plan, revision=version.draft_revision
    ).select_related("unit")
    stay = plan.stay
    units = {p.unit.name: p.unit for p in stay.parties.select_related("unit")}
    return {
        "person": stay.person,
        "ward": stay.ward,
        "version": version,
        "is_latest": version.number == plan.established_number,
        "content": content,
        "care_form": rules.CARE_FORM_LABELS[basis],
        "law": rules.LAW_REFERENCES[basis],
        "insatser": [
            {"insats": i, "phone": getattr(units.get(i.responsible_unit), "phone", "")}
            for i in content.insatser
        ],
        "approved_by": [a.unit.name for a in approvals.order_by("approved_at", "pk")],
        "today": timezone.localdate(),
    }


def render_svpl(plan: CoordinatedCarePlanLpt, version: SvplVersion) -> bytes:
    """The established version as PDF, unlogged: callers write their own access-log entry."""
    return _pdf("psychiatry/documents/svpl.html", svpl_context(plan, version))


def svpl_pdf(*, acting: Acting, plan: CoordinatedCarePlanLpt, number: int) -> bytes:
    """Version ``number`` of the plan for the patient; 404 for a version that does not exist.
    EXPORT logged."""
    version = SvplVersion.objects.filter(plan=plan, number=number).first()
    if version is None:
        raise Http404
    log_access(
        actor=acting.actor,
        person=plan.stay.person,
        action=AccessAction.EXPORT,
        purpose=AccessPurpose.CARE_COORDINATION,
        obj=version,
        detail=f"fastställd samordnad vårdplan version {number} (PDF)",
    )
    return render_svpl(plan, version)
