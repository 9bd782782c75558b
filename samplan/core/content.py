"""Building blocks of the plan documents staff write together: the SIP's plan
(:mod:`samplan.sip.plan`) and the psychiatric SVPL (:mod:`samplan.psychiatry.plan`). Pure: no
ORM, no HTTP.

Both are validated pydantic documents made of frozen parts that refuse unknown fields, with the
same limits on text and on the stable ids their items carry across drafts and versions, and
both describe the difference between two versions as a list of readable :class:`Change`.
What a plan states, and how its difference reads, stays with each plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["Change", "FrozenModel", "ItemId", "LongText", "ShortText", "date_text", "quoted"]

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
ItemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]*$", max_length=40)]


class FrozenModel(BaseModel):
    """A plan document or one of its parts: unknown fields are refused, and once validated it
    does not change (a new draft is a new document)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Change:
    """One readable difference. ``kind`` is stable for code (e.g. ``action_status``); ``text``
    is the Swedish sentence shown to staff. ``subject`` (the goal, need or action it is about),
    ``old`` and ``new`` (the values, as text; a SIP action's status as its
    :class:`~samplan.sip.plan.ActionStatus` value; for an added action ``new`` is who does it)
    let another reader phrase it in their own words (Min plan)."""

    kind: str
    text: str
    subject: str = ""
    old: str = ""
    new: str = ""
    due: str = ""
    """For an added action: its last day (ISO date), if any."""


def quoted(text: str) -> str:
    """A value inside a change's sentence: in Swedish quotation marks, or "(tomt)" for none."""
    return f"”{text}”" if text else _("(tomt)")


def date_text(value: date | None) -> str:
    """A date inside a change's sentence: ``YYYY-MM-DD``, or "inget datum" for none."""
    return value.isoformat() if value else _("inget datum")
