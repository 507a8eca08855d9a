from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [path("compte/notifications/", views.preferences, name="preferences")]
