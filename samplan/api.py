"""The JSON API for record systems and integrations: /api/v1/, OpenAPI at /api/v1/openapi.json.

Authentication is a bearer token per membership (unit + role). Every endpoint calls the same
selectors and services as the web pages, so the same rules and the same access log apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from samplan.accounts.tokens import api_token_resolve
from samplan.core.acting import Acting, DomainError, NotAllowed
from samplan.core.validation import error_message


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Acting | None:
        record = api_token_resolve(token)
        if record is None:
            return None
        return Acting(
            user=record.membership.user,
            membership=record.membership,
            remote_addr=request.META.get("REMOTE_ADDR"),
        )


api = NinjaAPI(
    title="Samplan API",
    version="1",
    description="Samverkan vid utskrivning och SIP. Varje nyckel agerar som en enhet.",
    auth=TokenAuth(),
    urls_namespace="api",
)


def validation_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One entry per problem: the field's path in the request, a Swedish message
    (:func:`samplan.core.validation.error_message`), pydantic's type.

    The path drops ninja's own prefixes (``body``, ``data``) so it reads as the JSON the caller
    sent, e.g. ``recipient_hsa_ids.0``."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        while loc and loc[0] in {"body", "data", "query", "path"}:
            loc.pop(0)
        kind = str(error.get("type", ""))
        out.append({"field": ".".join(loc), "message": error_message(error), "type": kind})
    return out


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> Any:
    return api.create_response(
        request,
        {"detail": _("Anropet innehåller fel."), "errors": validation_errors(exc.errors)},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> Any:
    response = api.create_response(
        request,
        {"detail": _("API-nyckel saknas, är ogiltig eller återkallad.")},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> Any:
    status = 403 if isinstance(exc, NotAllowed) else 409
    return api.create_response(request, {"detail": exc.message}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> Any:
    return api.create_response(request, {"detail": _("Finns inte.")}, status=404)


api.add_router("/stays", "samplan.discharge.api.router")
api.add_router("/sip", "samplan.sip.api.router")
api.add_router("/svpl", "samplan.psychiatry.api.router")
