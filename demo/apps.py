from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demonstration data (demo_data.py) and `manage.py seed_demo`, which loads it."""

    name = "demo"
    label = "demo"
    verbose_name = _("Démonstration")
