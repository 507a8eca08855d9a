from django.urls import path

from . import views
from .wizard import FixedAssetWizard

app_name = "fixed_assets"
urlpatterns = [
    path("demandes/nouvelle/immobilisation/", FixedAssetWizard.as_view(), name="new"),
    path("demandes/<int:pk>/immobilisation/", FixedAssetWizard.as_view(), name="resume"),
    path("immobilisations/", views.asset_list, name="list"),
]
