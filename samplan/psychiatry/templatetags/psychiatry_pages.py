"""The SVPL parts of the discharge case page and the work list, so their views need not know
about psychiatry: ``{% stay_svpl stay %}`` and ``{% svpl_worklist %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from samplan.audit.services import ListRead
from samplan.core.acting import Acting
from samplan.discharge.models import InpatientStay
from samplan.psychiatry import selectors

register = template.Library()


def _acting(context: template.Context) -> Acting | None:
    request = context.get("request")
    if request is None or getattr(request, "membership", None) is None:
        return None
    return Acting.from_request(request)


@register.inclusion_tag("psychiatry/includes/case_section.html", takes_context=True)
def stay_svpl(context: template.Context, stay: InpatientStay) -> dict[str, Any]:
    """The case's SVPL (status, approvals, what is missing), or the way to start one."""
    acting = _acting(context)
    if acting is None or not stay.ward.is_psychiatric:
        return {"stay": stay, "svpl": None, "can_start": False}
    overview = selectors.svpl_of_stay(acting=acting, stay=stay, now=timezone.now())
    return {
        "stay": stay,
        "svpl": overview,
        "can_start": overview is None and selectors.may_start(acting, stay),
    }


@register.inclusion_tag("psychiatry/includes/worklist_section.html", takes_context=True)
def svpl_worklist(context: template.Context) -> dict[str, Any]:
    """The SVPL items of the work list. The persons shown are added to the page's ``list_read``
    (:class:`~samplan.audit.services.ListRead`), which the view writes after rendering: the
    whole page is one access-log batch."""
    acting = _acting(context)
    items = [] if acting is None else selectors.worklist(acting=acting, now=timezone.now())
    if items:
        shown = context.get("list_read")
        if not isinstance(shown, ListRead):
            raise ImproperlyConfigured(
                "{% svpl_worklist %} shows persons: the view must pass a ListRead as list_read "
                "and write it after rendering."
            )
        shown.add((item.stay.person for item in items), "SVPL")
    return {"items": items}
