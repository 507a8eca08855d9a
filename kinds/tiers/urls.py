from django.urls import path

from . import views
from .wizard import TiersRequestWizard

app_name = "suppliers"
urlpatterns = [
    path("demandes/nouvelle/tiers/", TiersRequestWizard.as_view(), name="new"),
    path("demandes/<int:pk>/tiers/", TiersRequestWizard.as_view(), name="resume"),
    path("tiers/<int:pk>/", views.tiers_detail, name="tiers_detail"),
]
