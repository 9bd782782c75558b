"""Addresses of the SVPL pages, mounted at ``svpl/`` with the namespace ``psychiatry``."""

from django.urls import path

from samplan.psychiatry import views

app_name = "psychiatry"
urlpatterns = [
    path("starta/<uuid:stay_id>/", views.start, name="start"),
    path("<uuid:public_id>/", views.plan, name="plan"),
    path("<uuid:public_id>/utkast/", views.edit, name="edit"),
    path("<uuid:public_id>/justera/", views.approve, name="approve"),
    path("<uuid:public_id>/version/<int:number>/", views.version, name="version"),
    path("<uuid:public_id>/version/<int:number>.pdf", views.version_pdf, name="version_pdf"),
]
