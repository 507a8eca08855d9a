from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("restitutions/", views.restitutions, name="restitutions"),
    path("restitutions/anomalies.<str:fmt>", views.anomalies_export, name="anomalies_export"),
]
