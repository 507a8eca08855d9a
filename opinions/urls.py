from django.urls import path

from . import views

app_name = "opinions"
urlpatterns = [
    path("avis/", views.asked_of_me, name="asked_of_me"),
    path("dossiers/<int:pk>/avis/", views.ask, name="ask"),
    path("avis/<int:pk>/repondre/", views.answer, name="answer"),
    path("avis/<int:pk>/partager/", views.share, name="share"),
    path("avis/<int:pk>/question/piece/", views.question_file, name="question_file"),
    path("avis/<int:pk>/reponse/piece/", views.answer_file, name="answer_file"),
]
