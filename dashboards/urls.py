from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("restitutions/", views.restitutions, name="restitutions"),
    path("restitutions/bilan-annuel/", views.annual_review, name="annual_review"),
]
