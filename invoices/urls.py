from django.urls import path

from . import views

app_name = "invoices"
urlpatterns = [
    path("factures/", views.invoice_list, name="list"),
    path("factures/export.csv", views.invoice_export, name="export"),
    path("factures/<int:pk>/", views.invoice_detail, name="detail"),
    path("factures/import/", views.invoice_import, name="import"),
    path("factures/import/<int:pk>/", views.invoice_import_job, name="import_job"),
]
