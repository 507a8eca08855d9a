from django.urls import path

from . import views
from .wizard import ServiceDoneWizard

app_name = "service_done"
urlpatterns = [
    path("demandes/nouvelle/service-fait/", ServiceDoneWizard.as_view(), name="new"),
    path("demandes/<int:pk>/service-fait/", ServiceDoneWizard.as_view(), name="resume"),
    path("fin-de-gestion/", views.year_end, name="year_end"),
    path("fin-de-gestion/<int:pk>/", views.year_end_review, name="year_end_review"),
    path("fin-de-gestion/reports.csv", views.carry_over_export, name="carry_over_export"),
]
