from django.urls import include, path

urlpatterns = [
    path("", include("samplan.core.urls")),
    path("", include("samplan.accounts.urls")),
    path("personer/", include("samplan.people.urls")),
    path("katalog/", include("samplan.directory.urls")),
    path("logg/", include("samplan.audit.urls")),
]

handler404 = "samplan.core.views.page_not_found"
handler403 = "samplan.core.views.permission_denied"
