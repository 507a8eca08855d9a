from django.urls import path

from .wizard import ServiceDoneWizard

app_name = "service_done"
urlpatterns = [
    path("demandes/nouvelle/service-fait/", ServiceDoneWizard.as_view(), name="new"),
    path("demandes/<int:pk>/service-fait/", ServiceDoneWizard.as_view(), name="resume"),
]
