from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsCatalogConfig(AppConfig):
    name = "forms_catalog"
    verbose_name = _("Catalogue des formulaires")

    def ready(self):
        from cases import kinds

        from .annotations.case_page import ANNOTATIONS
        from .kind import GENERIC

        kinds.register(GENERIC)
        kinds.add_case_page_part(ANNOTATIONS)
