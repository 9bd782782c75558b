"""Template helpers for the discharge pages."""

from __future__ import annotations

from django import template

from samplan.discharge.documents import invitation_place
from samplan.discharge.models import Message
from samplan.discharge.rules.places import Audience

register = template.Library()


@register.filter
def staff_meeting_place(message: Message) -> str:
    """Where a kallelse's meeting is, for staff: a protected identity's home address is never
    shown (:mod:`samplan.discharge.rules.places`)."""
    return invitation_place(message, Audience.STAFF).text
