from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpinionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "opinions"
    verbose_name = _("Avis d'experts")

    def ready(self):
        from cases import kinds

        from .case_page import OPINIONS

        kinds.add_case_page_part(OPINIONS)
