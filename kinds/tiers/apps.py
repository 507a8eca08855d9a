from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kinds.tiers"
    label = "suppliers"  # kept from before kinds/: tables, migrations and permissions name it
    verbose_name = _("Tiers")

    def ready(self):
        from cases import kinds

        from .kind import TIERS

        kinds.register(TIERS)
