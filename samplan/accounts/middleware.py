from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse

from samplan.accounts.authentication import ACTING_MEMBERSHIP_KEY, is_strongly_authenticated
from samplan.directory.models import Membership


def acting_unit(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Attach the membership the user acts under (medarbetaruppdrag) as ``request.membership``.

    A membership that was deactivated since it was chosen stops working on the next request.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        membership_id = request.session.get(ACTING_MEMBERSHIP_KEY)
        if membership_id is not None and is_strongly_authenticated(request):
            membership = (
                Membership.objects.active()
                .select_related("unit__organisation")
                .filter(pk=membership_id, user_id=cast(int, request.user.pk))
                .first()
            )
            if membership is None:
                del request.session[ACTING_MEMBERSHIP_KEY]
            request.membership = membership  # type: ignore[attr-defined]
        return get_response(request)

    return middleware
