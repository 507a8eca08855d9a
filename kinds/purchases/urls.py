from django.urls import path

from .wizard import PurchaseRequestWizard

app_name = "purchases"
urlpatterns = [
    path("demandes/nouvelle/achat/", PurchaseRequestWizard.as_view(), name="new"),
    path("demandes/<int:pk>/saisie/", PurchaseRequestWizard.as_view(), name="resume"),
]
