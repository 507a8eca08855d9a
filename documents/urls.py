from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("pieces/<int:pk>/", views.download, name="download"),
    path("documents/<int:pk>/", views.issued_download, name="issued"),
    path("dossiers/<int:pk>/recapitulatif.pdf", views.case_summary, name="case_summary"),
    path("dossiers/<int:pk>/bon-de-commande/projet.pdf", views.order_form_preview,
         name="order_form_preview"),
    path("verifier/", views.verify, name="verify"),
    path("signatures/", views.batch_create, name="batch_create"),
    path("signatures/<int:pk>/", views.batch_detail, name="batch"),
    path("signatures/<int:pk>/etat/", views.batch_status, name="batch_status"),
    path("signatures/<int:pk>/relancer/", views.batch_retry, name="batch_retry"),
]
