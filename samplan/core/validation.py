"""Pydantic's validation errors in Swedish, specific enough for the user or integrator to fix.

Used by the API's 422 answer (:func:`samplan.api.validation_errors`) and by services that
validate a submitted document themselves (the SIP plan, :mod:`samplan.sip.validation`), so no
English text from pydantic reaches a page or a response. A message raised by our own
validators (pydantic's ``value_error``) is already Swedish and is passed on as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["error_message"]

_DATE = gettext_lazy("Ange ett datum som ÅÅÅÅ-MM-DD.")
_DATETIME = gettext_lazy("Ange datum och tid i ISO 8601, t.ex. 2026-03-01T14:30:00+01:00.")
_BOOL = gettext_lazy("Ska vara true eller false.")
_INT = gettext_lazy("Ska vara ett heltal.")
_UUID = gettext_lazy("Ska vara ett UUID.")
_OBJECT = gettext_lazy("Ska vara ett JSON-objekt.")
_LIST = gettext_lazy("Ska vara en lista.")
_CHOICE = gettext_lazy("Otillåtet värde.")

MESSAGES = {
    "missing": gettext_lazy("Uppgiften saknas."),
    "json_invalid": gettext_lazy("Innehållet är inte giltig JSON."),
    "model_attributes_type": _OBJECT,
    "model_type": _OBJECT,
    "dict_type": _OBJECT,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "string_type": gettext_lazy("Ska vara text."),
    "string_pattern_mismatch": gettext_lazy("Innehåller tecken som inte är tillåtna här."),
    "extra_forbidden": gettext_lazy("Okänt fält: det ska inte finnas med."),
    "bool_type": _BOOL,
    "bool_parsing": _BOOL,
    "int_type": _INT,
    "int_parsing": _INT,
    "int_from_float": _INT,
    "uuid_parsing": _UUID,
    "uuid_type": _UUID,
    "enum": _CHOICE,
    "literal_error": _CHOICE,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
}


def _choices(expected: str) -> str:
    """Pydantic's "'a', 'b' or 'c'" in Swedish."""
    return re.sub(r"\s+or\s+", " " + _("eller") + " ", expected)


def error_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) as a Swedish sentence."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        text = str(ctx.get("error", "")).strip()
        return text or str(error.get("msg", "")).removeprefix("Value error, ")
    if kind == "string_too_short":
        least = int(ctx.get("min_length", 1))
        if least <= 1:
            return _("Får inte vara tomt.")
        return _("Ska ha minst %(n)s tecken.") % {"n": least}
    if kind == "string_too_long":
        return _("Får ha högst %(n)s tecken.") % {"n": ctx.get("max_length", "?")}
    if kind == "too_long":
        return _("Får ha högst %(n)s rader.") % {"n": ctx.get("max_length", "?")}
    if kind in ("enum", "literal_error") and ctx.get("expected"):
        return _("Otillåtet värde. Tillåtna värden: %(values)s.") % {
            "values": _choices(str(ctx["expected"]))
        }
    return str(MESSAGES.get(kind, _("Ogiltigt värde.")))
