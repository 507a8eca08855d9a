from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = _("Conventions et contenus")

    def ready(self):
        from . import cache_versions  # noqa: F401  (connects the receivers)
