from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    """The bottom layer: helpers every app may use (dates, widgets, fields, form rendering,
    import commands, migration schedules), about nothing in particular. It imports no other
    app of the project."""

    name = "common"
    label = "common"
    verbose_name = _("Outils communs")

    def ready(self):
        from . import checks, site_config  # noqa: F401  (registered, connected)
        from .forms_rendering import use_shared_dsfr_renderer

        use_shared_dsfr_renderer()
