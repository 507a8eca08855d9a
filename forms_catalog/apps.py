from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsCatalogConfig(AppConfig):
    name = "forms_catalog"
    verbose_name = _("Catalogue des formulaires")

    def ready(self):
        from cases import export_columns, kinds

        from .export_columns import answer_columns
        from .kind import GENERIC

        kinds.register(GENERIC)
        export_columns.add_provider(answer_columns)
