from django.urls import path

from .wizard import GenericFormWizard

app_name = "forms_catalog"
urlpatterns = [
    path("catalogue/<int:page_id>/nouvelle/", GenericFormWizard.as_view(), name="new"),
    path("demandes/<int:pk>/formulaire/", GenericFormWizard.as_view(), name="resume"),
]
