from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FixedAssetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kinds.fixed_assets"
    label = "fixed_assets"  # kept from before kinds/: tables, migrations and permissions name it
    verbose_name = _("Immobilisations")

    def ready(self):
        from cases import kinds

        from .kind import FIXED_ASSET

        kinds.register(FIXED_ASSET)
