"""The gate every Min plan page passes through (the citizen's counterpart of ``staff_view``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

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
            return view(cast(CitizenRequest, request), *args, **kwargs)
        except Http404:
            return not_found(request)

    return cast(View, wrapper)


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/404.html", {"citizen": citizen_of(request)}, status=404)
