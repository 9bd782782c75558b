"""Sign-in: password, then TOTP (or first-time TOTP enrolment), then the choice of unit."""

from __future__ import annotations

import base64
from typing import cast

import segno
from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from samplan.accounts.authentication import (
    ACTING_MEMBERSHIP_KEY,
    SignInMethod,
    complete_sign_in,
    is_strongly_authenticated,
    pending_user_id,
    start_pending_sign_in,
)
from samplan.accounts.forms import ChooseUnitForm, SignInForm, TotpForm
from samplan.accounts.models import User
from samplan.directory.models import Membership

NEXT_KEY = "samplan_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("core:home")


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if is_strongly_authenticated(request):
        return redirect("core:home")
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if user is not None and user.is_active:
            start_pending_sign_in(request, user)
            request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
            return redirect("accounts:verify")
        if not getattr(request, "axes_locked_out", False):
            form.add_error(None, _("Fel användarnamn eller lösenord."))
    return render(request, "accounts/sign_in.html", {"form": form})


def _pending_user(request: HttpRequest) -> User | None:
    user_id = pending_user_id(request)
    if user_id is None:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _demo_code(device: TOTPDevice) -> str | None:
    """In demo mode only, reveal the current code so the printed demo sign-ins just work."""
    if not settings.DEMO_MODE:
        return None
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:sign_in")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:enrol")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            form.add_error(
                "code", _("För många felaktiga koder. Vänta en stund och försök sedan igen.")
            )
        elif device.verify_token(form.cleaned_data["code"]):
            return _finish(request, user, device)
        else:
            form.add_error(
                "code",
                _(
                    "Koden stämmer inte. Kontrollera att klockan i telefonen "
                    "går rätt och försök igen."
                ),
            )
    return render(request, "accounts/verify.html", {"form": form, "demo_code": _demo_code(device)})


@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: connect an authenticator app before the account can be used."""
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:sign_in")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Autentiseringsapp"}
    )
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            return _finish(request, user, device)
        form.add_error(
            "code",
            _("Koden stämmer inte. Skanna QR-koden igen och ange den kod som appen visar just nu."),
        )
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/enrol.html", {"form": form, "qr": qr, "secret": secret})


def _finish(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    next_url = request.session.get(NEXT_KEY)
    complete_sign_in(request, user, method=SignInMethod.PASSWORD_TOTP, device=device)
    if ACTING_MEMBERSHIP_KEY in request.session:
        return redirect(_safe_next(request, next_url))
    return redirect(f"{reverse('accounts:choose_unit')}?next={next_url or ''}")


@require_http_methods(["GET", "POST"])
def choose_unit(request: HttpRequest) -> HttpResponse:
    if not is_strongly_authenticated(request):
        return redirect("accounts:sign_in")
    memberships = list(
        Membership.objects.active()
        .filter(user_id=cast(int, request.user.pk))
        .select_related("unit__organisation")
        .order_by("unit__name", "role")
    )
    choices = [
        (m.pk, f"{m.unit.name}, {m.unit.organisation.name} – {m.get_role_display()}")
        for m in memberships
    ]
    form = ChooseUnitForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        request.session[ACTING_MEMBERSHIP_KEY] = form.cleaned_data["membership"]
        return redirect(_safe_next(request, request.GET.get("next")))
    current = request.session.get(ACTING_MEMBERSHIP_KEY)
    if current is not None and not form.is_bound:
        form.initial["membership"] = current
    return render(request, "accounts/choose_unit.html", {"form": form, "has_units": bool(choices)})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:sign_in")
