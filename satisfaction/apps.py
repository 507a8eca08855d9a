from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "satisfaction"
    label = "satisfaction"
    verbose_name = _("Satisfaction des services")

    def ready(self):
        from cases import kinds

        from .case_page import RATING

        kinds.add_case_page_part(RATING)
