from django.urls import path

from samplan.discharge import views

app_name = "discharge"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("skriv-in/<uuid:person_id>/", views.admit, name="admit"),
    path("<uuid:public_id>/", views.case, name="case"),
    path("<uuid:public_id>/steg/<slug:slug>/", views.step, name="step"),
    path("<uuid:public_id>/kvittera/<int:message_id>/", views.acknowledge, name="acknowledge"),
    path("<uuid:public_id>/makulera/<int:message_id>/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/kallelse/<int:message_id>.ics", views.invitation_ics, name="ics"),
    path("<uuid:public_id>/checklista/<str:kind>/<slug:item>/", views.checklist, name="checklist"),
    path(
        "<uuid:public_id>/period/<int:period_id>/avsluta/",
        views.unavailability_end,
        name="unavailability_end",
    ),
    path("<uuid:public_id>/brev.pdf", views.patient_letter, name="letter"),
]
