from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SireneConfig(AppConfig):
    name = "kinds.tiers.sirene"
    label = "sirene"  # kept from before kinds/: tables, migrations and permissions name it
    verbose_name = _("Répertoire Sirene (extrait)")
