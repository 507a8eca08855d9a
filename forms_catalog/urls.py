from django.urls import path

from .annotations.views import annotations_save
from .wizard import GenericFormWizard

app_name = "forms_catalog"
urlpatterns = [
    path("catalogue/<int:page_id>/nouvelle/", GenericFormWizard.as_view(), name="new"),
    path("demandes/<int:pk>/formulaire/", GenericFormWizard.as_view(), name="resume"),
    path("dossiers/<int:pk>/annotations/", annotations_save, name="annotations"),
]
