from django.urls import path

from samplan.people import views

app_name = "people"
urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("ny/", views.create, name="create"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/andra/", views.edit, name="edit"),
    path("<uuid:public_id>/narstaende/", views.relative_add, name="relative_add"),
    path("<uuid:public_id>/foretradare/", views.representative_add, name="representative_add"),
    path("<uuid:public_id>/fast-kontakt/", views.care_contact_add, name="care_contact_add"),
    path(
        "<uuid:public_id>/foretradare/<int:representative_id>/aterkalla/",
        views.representative_withdraw,
        name="representative_withdraw",
    ),
]
