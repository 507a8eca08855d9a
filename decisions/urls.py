from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [path("dossiers/<int:pk>/courrier-de-decision/", views.letter_issue, name="issue")]
