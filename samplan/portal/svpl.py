"""The person's samordnad vårdplan (SVPL, LPT 7 a § / LRV 12 a §) in Min plan.

What the page shows comes from :func:`samplan.psychiatry.selectors.established_svpls_for_person`
alone: the latest established version's own fields (no draft, no staff names, no timeline, no
message text), with its own access-log entry. Here: that read for a subject, and the look-ups for
the PDF and for the person's response, each scoped to the subject's own plans (anyone else's is
404, exactly as one that does not exist).
"""

from __future__ import annotations

from django.http import Http404

from samplan.audit.models import AccessAction
from samplan.audit.services import Actor, log_access
from samplan.portal import rules
from samplan.portal.access import Subject
from samplan.psychiatry.models import CoordinatedCarePlanLpt, SvplVersion
from samplan.psychiatry.selectors import CitizenSvpl, established_svpls_for_person

__all__ = ["CitizenSvpl", "plan_for", "svpls", "version_for"]


def svpls(*, actor: Actor, subject: Subject) -> list[CitizenSvpl]:
    """The subject's established SVPLs (latest version of each), newest first; none for a
    viewer whose authority does not let them see the plan. Nothing is read, and so nothing
    logged, for a person who has none: their page logs its own read, not one of a psychiatric
    plan that does not exist."""
    if not subject.allows(rules.PortalAction.VIEW):
        return []
    established = CoordinatedCarePlanLpt.objects.filter(
        stay__person=subject.person, established_number__gt=0
    )
    if not established.exists():
        return []
    return established_svpls_for_person(
        actor=actor,
        person=subject.person,
        purpose=subject.purpose,
        detail=subject.log_text("Min plan: samordnad vårdplan (fastställd)"),
    )


def plan_for(subject: Subject, plan_id: str) -> CoordinatedCarePlanLpt:
    """One of the subject's established SVPLs by id; a draft-only plan, or anyone else's, 404."""
    plan = (
        CoordinatedCarePlanLpt.objects.filter(
            public_id=plan_id, stay__person=subject.person, established_number__gt=0
        )
        .select_related("stay__person", "stay__ward")
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def version_for(
    *, actor: Actor, subject: Subject, plan_id: str, number: int
) -> tuple[CoordinatedCarePlanLpt, SvplVersion]:
    """An established version of the subject's own SVPL, for the PDF (logged as an export)."""
    version = (
        SvplVersion.objects.filter(
            plan__public_id=plan_id, plan__stay__person=subject.person, number=number
        )
        .select_related("plan__stay__person", "plan__stay__ward")
        .first()
    )
    if version is None:
        raise Http404
    log_access(
        actor=actor,
        person=subject.person,
        action=AccessAction.EXPORT,
        purpose=subject.purpose,
        obj=version,
        detail=subject.log_text(f"Min plan: samordnad vårdplan version {version.number} (PDF)"),
    )
    return version.plan, version
