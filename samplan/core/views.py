from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

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


def server_error(request: HttpRequest) -> HttpResponse:
    """500: plain Swedish, the portal's own page under Min plan, never a stack trace.

    Rendered without the request's context, so it needs no database (the error may be the
    database) and cannot show anything of the signed-in user, their unit or a person: whatever
    failed, the page is the same for everyone."""
    from samplan.portal.http import is_portal_path

    try:
        portal = is_portal_path(request)
    except Exception:  # the URLconf itself may be what failed
        portal = request.path.startswith("/min-plan/")
    template = "portal/500.html" if portal else "500.html"
    return HttpResponseServerError(loader.get_template(template).render())
