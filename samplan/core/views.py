from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samplan.core.http import StaffRequest, staff_view


@staff_view()
def home(request: StaffRequest) -> HttpResponse:
    return render(request, "core/home.html")


def _portal_error(request: HttpRequest, template: str, status: int) -> HttpResponse | None:
    """Under Min plan (the citizens' portal) errors are the portal's own pages, in its layout and
    plain Swedish: a citizen never lands on a staff page."""
    from samplan.portal.http import error_page, is_portal_path

    return error_page(request, template, status) if is_portal_path(request) else None


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _portal_error(request, "portal/404.html", 404) or render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _portal_error(request, "portal/403.html", 403) or render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _portal_error(request, "portal/403_csrf.html", 403) or render(
        request, "403_csrf.html", status=403
    )
