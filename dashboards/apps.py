from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = _("Restitutions")

    def ready(self):
        from cases.signals import case_transitioned

        from .daily import on_case_transitioned

        # A transition that changes a day already aggregated rebuilds it (dashboards.daily).
        case_transitioned.connect(on_case_transitioned, dispatch_uid="dashboards")
