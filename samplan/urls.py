from django.urls import include, path

from samplan.api import api

urlpatterns = [
    path("", include("samplan.core.urls")),
    path("", include("samplan.accounts.urls")),
    path("personer/", include("samplan.people.urls")),
    path("arenden/", include("samplan.discharge.urls")),
    path("sip/", include("samplan.sip.urls")),
    path("svpl/", include("samplan.psychiatry.urls")),
    path("katalog/", include("samplan.directory.urls")),
    path("logg/", include("samplan.audit.urls")),
    path("min-plan/", include("samplan.portal.urls")),
    path("api/v1/", api.urls),
]

handler404 = "samplan.core.views.page_not_found"
handler403 = "samplan.core.views.permission_denied"
handler500 = "samplan.core.views.server_error"
