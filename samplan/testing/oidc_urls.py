"""Test URLconf: the whole application plus the test OpenID Connect provider under /test-idp/.

Used with ``@pytest.mark.urls("samplan.testing.oidc_urls")``; production URLs never include it.
"""

from django.urls import include, path

from samplan.testing import oidc_provider
from samplan.urls import handler403, handler404, handler500
from samplan.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    *app_urlpatterns,
    path(oidc_provider.IDP_PREFIX, include(oidc_provider.urlpatterns)),
    path(
        oidc_provider.IDP_PREFIX,
        include((oidc_provider.provider_patterns, "oauth2_provider"), namespace="oauth2_provider"),
    ),
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
