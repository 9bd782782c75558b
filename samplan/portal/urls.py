from django.urls import path

from samplan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("logga-in/", views.sign_in, name="sign_in"),
    path("logga-in/start/", views.sign_in_start, name="start"),
    path("logga-in/klar/", views.callback, name="callback"),
    path("logga-ut/", views.sign_out, name="sign_out"),
    path("demo/", views.demo_sign_in, name="demo"),
    path("<uuid:person_id>/", views.overview, name="overview"),
    path(
        "<uuid:person_id>/vard/<uuid:stay_id>/mote/<int:message_id>.ics",
        views.meeting_ics,
        name="meeting_ics",
    ),
    path("<uuid:person_id>/vard/<uuid:stay_id>/brev.pdf", views.letter, name="letter"),
    path("<uuid:person_id>/vard/<uuid:stay_id>/viktigt/", views.stay_wishes, name="stay_wishes"),
    path(
        "<uuid:person_id>/sip/<uuid:sip_id>/plan-<int:number>.pdf",
        views.sip_plan_pdf,
        name="sip_plan_pdf",
    ),
    path("<uuid:person_id>/sip/<uuid:sip_id>/viktigt/", views.sip_wishes, name="sip_wishes"),
    path("<uuid:person_id>/sip/<uuid:sip_id>/samtycke/", views.sip_consent, name="sip_consent"),
    path("<uuid:person_id>/sip/<uuid:sip_id>/svar/", views.sip_respond, name="sip_respond"),
    path(
        "<uuid:person_id>/sip/<uuid:sip_id>/vad-jag-tycker/",
        views.sip_child_view,
        name="sip_child_view",
    ),
    path(
        "<uuid:person_id>/sip/<uuid:sip_id>/mote/<int:meeting_id>.ics",
        views.sip_meeting_ics,
        name="sip_meeting_ics",
    ),
    path(
        "<uuid:person_id>/svpl/<uuid:plan_id>/plan-<int:number>.pdf",
        views.svpl_pdf,
        name="svpl_pdf",
    ),
    path("<uuid:person_id>/svpl/<uuid:plan_id>/svar/", views.svpl_respond, name="svpl_respond"),
]
