"""The JSON API for record systems and integrations: /api/v1/, OpenAPI at /api/v1/openapi.json.

Authentication is a bearer token per membership (unit + role). Every endpoint calls the same
selectors and services as the web pages, so the same rules and the same access log apply.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from samplan.accounts.tokens import api_token_resolve
from samplan.core.acting import Acting, DomainError, NotAllowed


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


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> Any:
    status = 403 if isinstance(exc, NotAllowed) else 409
    return api.create_response(request, {"detail": exc.message}, status=status)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> Any:
    return api.create_response(request, {"detail": "Finns inte."}, status=404)


api.add_router("/stays", "samplan.discharge.api.router")
