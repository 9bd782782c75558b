"""Template helpers for the SIP pages: Swedish labels of plan values, and the SIP parts shown on
the person page and the discharge case page (so those pages' views need not know about SIP)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samplan.core.acting import Acting
from samplan.discharge import access as discharge_access
from samplan.discharge.models import InpatientStay
from samplan.discharge.rules import MEETING_PLACES
from samplan.discharge.rules.places import Audience
from samplan.people.models import Person
from samplan.sip import selectors
from samplan.sip.documents import meeting_place_for
from samplan.sip.forms import ACTION_STATUS_CHOICES
from samplan.sip.models import GoalOutcome, SipMeeting
from samplan.sip.plan import OrganisationKind, PlanAction

register = template.Library()

_STATUS = dict(ACTION_STATUS_CHOICES)
_ORGANISATION_KINDS = {
    OrganisationKind.REGION.value: _("Region"),
    OrganisationKind.MUNICIPALITY.value: _("Kommun"),
    OrganisationKind.OTHER.value: _("Annan aktör"),
}
_OUTCOMES = dict(GoalOutcome.choices)


@register.filter
def action_status(value: str) -> str:
    return str(_STATUS.get(str(value), value))


@register.filter
def organisation_kind(value: str) -> str:
    return str(_ORGANISATION_KINDS.get(str(value), value))


@register.filter
def place(value: str) -> str:
    return str(MEETING_PLACES.get(value, value))


@register.filter
def staff_meeting_place(meeting: SipMeeting) -> str:
    """Where a meeting is, for staff: a protected identity's home address is never shown."""
    return meeting_place_for(meeting, Audience.STAFF).text


@register.filter
def goal_outcome(value: str) -> str:
    return str(_OUTCOMES.get(value, value))


@register.filter
def lookup(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, "")


@register.filter
def overdue(action: PlanAction) -> bool:
    return action.is_overdue(timezone.localdate())


def _acting(context: template.Context) -> Acting | None:
    request = context.get("request")
    if request is None or getattr(request, "membership", None) is None:
        return None
    return Acting.from_request(request)


@register.inclusion_tag("sip/includes/person_section.html", takes_context=True)
def person_sips(context: template.Context, person: Person) -> dict[str, Any]:
    """The person's SIPs that the acting unit may see, and whether it can start one."""
    from samplan.sip.access import may_start_outside_hospital

    acting = _acting(context)
    if acting is None:
        return {"person": person, "processes": [], "can_start": False}
    processes = selectors.processes_of_person(acting=acting, person=person)
    return {
        "person": person,
        "processes": processes,
        "can_start": may_start_outside_hospital(acting) and not any(p.is_open for p in processes),
    }


@register.inclusion_tag("sip/includes/stay_section.html", takes_context=True)
def stay_sip(context: template.Context, stay: InpatientStay) -> dict[str, Any]:
    """The SIP continuing the discharge case, or the way to continue the case as a SIP."""
    acting = _acting(context)
    if acting is None:
        return {"stay": stay, "process": None, "can_continue": False, "min_plan_events": []}
    process = selectors.process_of_stay(acting=acting, stay=stay)
    can_continue = process is None and acting.role in discharge_access.CARE_ROLES
    return {
        "stay": stay,
        "process": process,
        "can_continue": can_continue,
        "min_plan_events": selectors.min_plan_events(process) if process else [],
    }
