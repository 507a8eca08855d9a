from django.urls import path

from . import views

app_name = "satisfaction"
urlpatterns = [path("dossiers/<int:pk>/satisfaction/", views.rating_submit, name="rate")]
