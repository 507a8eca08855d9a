"""The cases API's URLs (also the scope of its OpenAPI schema)."""

from django.urls import path, re_path

from . import api, api_errors, api_forms

urlpatterns = [
    path("api/cases/", api.CaseListView.as_view(), name="api_cases"),
    path("api/cases/<int:pk>/", api.CaseDetailView.as_view(), name="api_case"),
    path("api/cases/forms/", api_forms.CatalogueFormListView.as_view(), name="api_forms"),
    path("api/cases/forms/<int:pk>/schema/", api_forms.CatalogueFormSchemaView.as_view(),
         name="api_form_schema"),
    path("api/cases/<int:pk>/content/", api.CaseContentView.as_view(), name="api_case_content"),
    path("api/cases/<int:pk>/attachments/", api.CaseAttachmentView.as_view(),
         name="api_case_attachments"),
    path("api/cases/<int:pk>/actions/<str:action>/", api.CaseActionView.as_view(),
         name="api_case_action"),
    # Last: any other address under /api/cases/ (a non-numeric id…) is the API's JSON 404.
    re_path(r"^api/cases/", api_errors.api_not_found),
]
