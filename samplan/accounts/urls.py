from django.urls import path

from samplan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.sign_in, name="sign_in"),
    path("logga-in/kod/", views.verify, name="verify"),
    path("logga-in/koppla-app/", views.enrol, name="enrol"),
    path("valj-enhet/", views.choose_unit, name="choose_unit"),
    path("logga-ut/", views.sign_out, name="sign_out"),
]
