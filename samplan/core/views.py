from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samplan.core.http import StaffRequest, staff_view


@staff_view()
def home(request: StaffRequest) -> HttpResponse:
    return render(request, "core/home.html")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
