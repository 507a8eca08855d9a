from django.urls import path

from . import export_views, group_views, views

app_name = "cases"
urlpatterns = [
    path("demandes/", views.my_requests, name="my_requests"),
    path("demandes/<int:pk>/pieces/<int:attachment_pk>/supprimer/", views.draft_attachment_remove,
         name="draft_attachment_remove"),
    path("corbeille/", views.queue, name="queue"),
    path("corbeille/export.<str:fmt>", views.queue_export, name="queue_export"),
    path("demandes/export.<str:fmt>", views.my_requests_export, name="my_requests_export"),
    path("corbeille/export/", export_views.queue_export_choose, name="queue_export_choose"),
    path("demandes/export/", export_views.my_requests_export_choose,
         name="my_requests_export_choose"),
    path("exports/modeles/<int:pk>/supprimer/", export_views.export_template_delete,
         name="export_template_delete"),
    path("exports/<int:pk>/", views.export_job, name="export_job"),
    path("exports/<int:pk>/etat/", views.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/fichier/", views.export_job_download, name="export_job_download"),
    path("corbeille/filtres/", views.saved_filter_save, name="saved_filter_save"),
    path("corbeille/filtres/<int:pk>/supprimer/", views.saved_filter_delete,
         name="saved_filter_delete"),
    path("corbeille/attribuer/", views.bulk_assign, name="bulk_assign"),
    path("centre/groupes/", group_views.agent_groups, name="agent_groups"),
    path("centre/groupes/<int:pk>/", group_views.agent_group_edit, name="agent_group_edit"),
    path("centre/groupes/<int:pk>/supprimer/", group_views.agent_group_remove,
         name="agent_group_delete"),
    path("dossiers/<int:pk>/", views.case_detail, name="detail"),
    path("dossiers/<int:pk>/actions/<str:action>/", views.case_action, name="action"),
]
