"""How a member of staff becomes signed in, and what counts as strong authentication.

Sign-in has two stages. The first proves who the user claims to be (today: username + password;
the user is *pending* until the second stage). The second raises assurance (today: a TOTP code
checked by django-otp). Both end in :func:`complete_sign_in`, which is also the entry point for a
future OpenID Connect callback from the region's IdP (SITHS / e-tjänstekort): such a callback calls
``complete_sign_in(request, user, method=SignInMethod.OIDC)`` and the IdP's own assurance counts
as the second factor, so no view below needs to change.
"""

from __future__ import annotations

import enum
import time
from typing import TYPE_CHECKING

from django.contrib.auth import login
from django_otp import login as otp_login

from samplan.directory.models import Membership

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_otp.models import Device

    from samplan.accounts.models import User

PENDING_USER_KEY = "samplan_pending_user"
PENDING_AT_KEY = "samplan_pending_at"
SIGN_IN_METHOD_KEY = "samplan_sign_in_method"
ACTING_MEMBERSHIP_KEY = "samplan_acting_membership"
PENDING_TTL_SECONDS = 5 * 60


class SignInMethod(enum.StrEnum):
    PASSWORD_TOTP = "password+totp"  # noqa: S105 - a method name, not a secret
    OIDC = "oidc"


STRONG_METHODS = frozenset(SignInMethod)


def start_pending_sign_in(request: HttpRequest, user: User) -> None:
    """First factor passed: remember who is signing in, without signing them in."""
    request.session.cycle_key()
    request.session[PENDING_USER_KEY] = user.pk
    request.session[PENDING_AT_KEY] = time.time()


def pending_user_id(request: HttpRequest) -> int | None:
    started = request.session.get(PENDING_AT_KEY)
    if started is None or time.time() - started > PENDING_TTL_SECONDS:
        return None
    user_id: int | None = request.session.get(PENDING_USER_KEY)
    return user_id


def complete_sign_in(
    request: HttpRequest, user: User, *, method: SignInMethod, device: Device | None = None
) -> None:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    request.session[SIGN_IN_METHOD_KEY] = method.value
    memberships = list(Membership.objects.active().filter(user=user).values_list("pk", flat=True))
    if len(memberships) == 1:
        request.session[ACTING_MEMBERSHIP_KEY] = memberships[0]


def is_strongly_authenticated(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    method = request.session.get(SIGN_IN_METHOD_KEY)
    if method == SignInMethod.PASSWORD_TOTP:
        # OTPMiddleware adds is_verified() to the user object.
        return bool(user.is_verified())  # type: ignore[attr-defined]
    return method in STRONG_METHODS
