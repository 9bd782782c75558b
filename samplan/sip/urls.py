"""Addresses of the SIP pages, mounted at ``sip/`` with the namespace ``sip``.

Document downloads (kallelse, letters, plan PDF) are added below from
:mod:`samplan.sip.document_views`."""

from django.urls import path

from samplan.sip import document_views, views

app_name = "sip"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("starta/<uuid:person_id>/", views.start, name="start"),
    path("fran-vardtillfalle/<uuid:stay_id>/", views.start_from_stay, name="start_from_stay"),
    path("<uuid:public_id>/", views.process, name="process"),
    path("<uuid:public_id>/plan/", views.plan_edit, name="plan_edit"),
    path("<uuid:public_id>/faststall/", views.establish, name="establish"),
    path("<uuid:public_id>/steg/<slug:slug>/", views.step, name="step"),
    path("<uuid:public_id>/steg/<slug:slug>/<str:target>/", views.step, name="target_step"),
]

urlpatterns += [
    path(
        "<uuid:public_id>/moten/<int:meeting_id>/kallelse.ics",
        document_views.meeting_ics,
        name="meeting_ics",
    ),
    path(
        "<uuid:public_id>/moten/<int:meeting_id>/brev.pdf",
        document_views.meeting_letter,
        name="meeting_letter",
    ),
    path(
        "<uuid:public_id>/plan/version-<int:number>.pdf", document_views.plan_pdf, name="plan_pdf"
    ),
]
