from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsCatalogConfig(AppConfig):
    name = "forms_catalog"
    verbose_name = _("Catalogue des formulaires")

    def ready(self):
        from cases import export_columns, kinds

        from .annotations.case_page import ANNOTATIONS
        from .export_columns import annotation_columns, answer_columns
        from .kind import GENERIC

        kinds.register(GENERIC)
        kinds.add_case_page_part(ANNOTATIONS)
        export_columns.add_provider(answer_columns)
        export_columns.add_provider(annotation_columns)
