from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("restitutions/", views.restitutions, name="restitutions"),
    path("restitutions/bilan-annuel/", views.annual_review, name="annual_review"),
    path("dimensionnement/", views.staffing_page, name="staffing"),
    path("dimensionnement/export.xlsx", views.staffing_export, name="staffing_export"),
    path("restitutions/anomalies.<str:fmt>", views.anomalies_export, name="anomalies_export"),
]
