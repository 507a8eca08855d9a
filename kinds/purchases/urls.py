from django.urls import path

from . import views
from .wizard import PurchaseRequestWizard

app_name = "purchases"
urlpatterns = [
    path("demandes/nouvelle/achat/", PurchaseRequestWizard.as_view(), name="new"),
    path("demandes/<int:pk>/saisie/", PurchaseRequestWizard.as_view(), name="resume"),
    path("mission-des-achats/", views.mission_queue, name="mission_queue"),
    path("visas/", views.visa_queue, name="visa_queue"),
]
