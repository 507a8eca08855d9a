from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invoices"
    verbose_name = _("Factures en attente de service fait")

    def ready(self):
        from cases.signals import case_transitioned

        from .services import coverage_on_certification

        case_transitioned.connect(coverage_on_certification, dispatch_uid="invoices")
