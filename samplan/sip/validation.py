"""A submitted plan's validation errors in Swedish, named by where they are in the plan
("Delmål 2, texten: Får inte vara tomt."), for the pages: the plan editor's forms check what a
user can type, so these reach a page only from tampered or hand-made input. The API answers the
same errors field by field (422, :func:`samplan.api.validation_errors`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from samplan.core.validation import error_message

__all__ = ["plan_error_texts"]

_PLAN_FIELDS = {
    "long_term_goal": gettext_lazy("Personens långsiktiga mål"),
    "lead_unit_id": gettext_lazy("Övergripande ansvar"),
    "lead_organisation": gettext_lazy("Övergripande ansvar"),
    "follow_up_on": gettext_lazy("Datum för uppföljning"),
    "follow_up_by": gettext_lazy("Vem följer upp"),
}
_ROWS = {
    "goals": gettext_lazy("Delmål %(n)s"),
    "actions": gettext_lazy("Insats %(n)s"),
    "needs": gettext_lazy("Behov %(n)s"),
}
_ROW_FIELDS = {
    "id": gettext_lazy("id"),
    "text": gettext_lazy("texten"),
    "measure": gettext_lazy("hur delmålet mäts"),
    "what": gettext_lazy("vad som görs"),
    "organisation_kind": gettext_lazy("huvudman"),
    "organisation": gettext_lazy("organisation"),
    "unit_id": gettext_lazy("ansvarig enhet"),
    "responsible": gettext_lazy("ansvarig person"),
    "due": gettext_lazy("klart senast"),
    "status": gettext_lazy("status"),
    "goal_ids": gettext_lazy("hör till delmål"),
}


def _where(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return ""
    head, rest = str(loc[0]), loc[1:]
    if head in _PLAN_FIELDS:
        return str(_PLAN_FIELDS[head])
    if head in _ROWS and rest and isinstance(rest[0], int):
        row = str(_ROWS[head]) % {"n": rest[0] + 1}
        if len(rest) > 1:
            field = str(rest[1])
            return f"{row}, {_ROW_FIELDS.get(field, field)}"
        return row
    if head in _ROWS:
        return str(_ROWS[head]).replace(" %(n)s", "")
    return head


def plan_error_texts(error: ValidationError) -> list[str]:
    """Each problem of ``error`` (from validating :class:`samplan.sip.plan.PlanContent`) as
    "where: what is wrong", in Swedish."""
    texts = []
    for item in error.errors():
        where = _where(tuple(item.get("loc", ())))
        message = error_message(item)
        texts.append(
            _("%(where)s: %(message)s") % {"where": where, "message": message} if where else message
        )
    return list(dict.fromkeys(texts))
