"""Test URLconf: the whole application plus a staff page and a Min plan page that fail.

Used to prove the 500 pages (``handler500``) with a real failing view; production URLs never
include it. The failure's message carries :data:`FAILURE_TEXT`, which no error page may show.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from samplan.core.http import staff_view
from samplan.portal.http import CitizenRequest, citizen_view
from samplan.urls import handler403, handler404, handler500
from samplan.urls import urlpatterns as app_urlpatterns

FAILURE_TEXT = "FELTEXT-9K2P hemlig detalj i undantaget"
STAFF_FAILING_PATH = "/test-fel/"
PORTAL_FAILING_PATH = "/min-plan/test-fel/"


class DeliberateFailure(RuntimeError):
    pass


@staff_view()
def staff_failing(request: HttpRequest) -> HttpResponse:
    raise DeliberateFailure(FAILURE_TEXT)


@citizen_view
def portal_failing(request: CitizenRequest) -> HttpResponse:
    raise DeliberateFailure(FAILURE_TEXT)


urlpatterns = [
    path(STAFF_FAILING_PATH.strip("/") + "/", staff_failing),
    path(PORTAL_FAILING_PATH.strip("/") + "/", portal_failing),
    *app_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
