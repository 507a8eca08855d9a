from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Organisations")

    def ready(self):
        from .forms_rendering import use_shared_dsfr_renderer

        use_shared_dsfr_renderer()
