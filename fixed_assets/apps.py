from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FixedAssetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "fixed_assets"
    verbose_name = _("Immobilisations")

    def ready(self):
        from cases import kinds

        from .kind import FIXED_ASSET

        kinds.register(FIXED_ASSET)
