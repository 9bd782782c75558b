"""The gates every Min plan page passes through (the citizen's counterpart of ``staff_view``), and
the portal's own error pages: a citizen never sees a staff page, not even an error."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from samplan.core.middleware import CONTENT_SECURITY_POLICY
from samplan.portal import oidc
from samplan.portal.citizen import Citizen, citizen_of


class CitizenRequest(HttpRequest):
    citizen: Citizen


View = TypeVar("View", bound=Callable[..., HttpResponse])


def citizen_view(view: View) -> View:
    """Require a signed-in citizen; answer 404 with the portal's own page, never the staff one."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = citizen_of(request)
        if citizen is None:
            return redirect("portal:sign_in")
        request.citizen = citizen  # type: ignore[attr-defined]
        try:
            response = view(cast(CitizenRequest, request), *args, **kwargs)
        except Http404:
            return not_found(request)
        return allow_sign_out_redirect(response)

    return cast(View, wrapper)


def allow_sign_out_redirect(response: HttpResponse) -> HttpResponse:
    """A page with the sign-out button: its form's answer redirects to the e-ID provider's
    logout, so the Content-Security-Policy's form-action also allows the provider's origin."""
    origin = oidc.provider_origin()
    if origin:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'", f"form-action 'self' {origin}"
        )
    return response


def portal_methods(*methods: str) -> Callable[[View], View]:
    """Like ``require_http_methods``, answered with the portal's own 405 page."""
    allowed = [method.upper() for method in methods]

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                response = error_page(request, "portal/405.html", 405)
                response["Allow"] = ", ".join(allowed)
                return response
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator


def is_portal_path(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("portal:home"))


def error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """An error page in the portal's layout (the sign-out button when someone is signed in)."""
    if not hasattr(request, "citizen"):
        request.citizen = citizen_of(request)  # type: ignore[attr-defined]
    response = render(request, template, status=status)
    return allow_sign_out_redirect(response) if request.citizen else response  # type: ignore[attr-defined]


def not_found(request: HttpRequest) -> HttpResponse:
    return error_page(request, "portal/404.html", 404)
