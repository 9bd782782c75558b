"""A real OpenID Connect provider for tests: django-oauth-toolkit (a dev dependency) as the
region's e-ID identity provider, mounted only by the test URLconf :mod:`samplan.testing.oidc_urls`.

Its "e-ID" sign-in is a form asking for a personnummer (the test stands in for BankID); the
provider then knows the person as a user named by that number and puts the number in the ID
token's ``personal_identity_number`` claim, as Swedish e-ID providers do. The browser reaches the
provider at ``127.0.0.1`` and Min plan at ``localhost``, so the two keep separate cookies, as two
real sites would.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, re_path
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.csrf import csrf_exempt
from oauth2_provider import views as oauth2_views
from oauth2_provider.oauth2_validators import OAuth2Validator

from samplan.accounts.models import User

IDP_PREFIX = "test-idp/"
PERSONNUMMER_CLAIM = "personal_identity_number"
LOGIN_PATH = f"/{IDP_PREFIX}e-legitimation/"


class PersonnummerClaims(OAuth2Validator):
    """Adds the personnummer claim (released with the ``openid`` scope) and the name."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        PERSONNUMMER_CLAIM: "openid",
    }

    def get_additional_claims(self, request: Any) -> dict[str, str]:
        user = request.user
        return {
            PERSONNUMMER_CLAIM: user.username,
            "name": f"{user.first_name} {user.last_name}".strip(),
            "given_name": user.first_name,
            "family_name": user.last_name,
        }


class AuthorizationView(oauth2_views.AuthorizationView):
    login_url = LOGIN_PATH


def provider_user(personnummer: str, name: str = "") -> User:
    """The provider's account for a person (unusable password, no staff membership)."""
    given, _, family = name.partition(" ")
    user, _created = User.objects.get_or_create(
        username=personnummer, defaults={"first_name": given, "last_name": family}
    )
    return user


@csrf_exempt
def e_id_sign_in(request: HttpRequest) -> HttpResponse:
    """The provider's sign-in page: "legitimera dig" by typing a personnummer."""
    next_url = request.GET.get("next", "")
    if request.method == "POST":
        user = provider_user(request.POST.get("personnummer", "").strip())
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            return HttpResponseRedirect(next_url)
    response = HttpResponse(
        '<!DOCTYPE html><html lang="sv"><head><title>Test-e-legitimation</title></head><body>'
        "<main><h1>Test-e-legitimation</h1>"
        f'<form method="post" action="?{escape(urlencode({"next": next_url}))}">'
        '<label for="pnr">Personnummer</label> <input id="pnr" name="personnummer">'
        ' <button type="submit">Legitimera</button></form></main></body></html>'
    )
    # The provider is another site: its form's answer redirects back to Min plan's origin.
    response["Content-Security-Policy"] = "default-src 'self'; form-action 'self' http:"
    return response


provider_patterns = [
    path("authorize/", AuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        oauth2_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", oauth2_views.JwksInfoView.as_view(), name="jwks-info"),
    path("userinfo/", oauth2_views.UserInfoView.as_view(), name="user-info"),
    path("logout/", oauth2_views.RPInitiatedLogoutView.as_view(), name="rp-initiated-logout"),
]

urlpatterns = [path("e-legitimation/", e_id_sign_in, name="e_id_sign_in")]
