from django.urls import path

from samplan.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("enheter/ny/", views.unit_edit, name="unit_create"),
    path("enheter/<int:unit_id>/", views.unit_edit, name="unit_edit"),
    path("medarbetare/ny/", views.staff_create, name="staff_create"),
    path(
        "uppdrag/<int:membership_id>/avsluta/",
        views.membership_deactivate,
        name="membership_deactivate",
    ),
]
