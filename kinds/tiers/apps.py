from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kinds.tiers"
    label = "suppliers"  # kept from before kinds/: tables, migrations and permissions name it
    verbose_name = _("Tiers")

    def ready(self):
        from cases import kinds
        from forms_catalog.referentials import register_postcode_lookup

        from .kind import TIERS
        from .selectors import communes_of_postcode

        kinds.register(TIERS)
        # The catalogue's address and commune fields check against La Poste's referential.
        register_postcode_lookup(communes_of_postcode)
