"""Request types and the one gate every staff view passes through."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from samplan.accounts.authentication import is_strongly_authenticated
from samplan.directory.permissions import Permission, has_permission

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from samplan.accounts.models import User
    from samplan.directory.models import Membership


class StaffRequest(HttpRequest):
    """A request from signed-in staff acting for a chosen unit."""

    user: User
    membership: Membership
    htmx: HtmxDetails


View = TypeVar("View", bound=Callable[..., HttpResponse])


def staff_view(permission: Permission | None = None) -> Callable[[View], View]:
    """Require strong sign-in, a chosen unit and (optionally) a permission of the acting role.

    Not signed in → sign-in page; no unit chosen → unit choice; role lacks the permission → 403.
    Object-level checks (is this unit a party?) belong to the selectors and answer 404.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not is_strongly_authenticated(request):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:sign_in')}?{query}")
            membership = getattr(request, "membership", None)
            if membership is None:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('accounts:choose_unit')}?{query}")
            if permission is not None and not has_permission(membership, permission):
                raise PermissionDenied
            return view(cast(StaffRequest, request), *args, **kwargs)

        return cast(View, wrapper)

    return decorator
