from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Organisations")

    def ready(self):
        from . import cache_versions  # noqa: F401  (connects the receivers)
