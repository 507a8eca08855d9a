from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [path("dossiers/<int:pk>/messages/", views.message_create, name="create")]
