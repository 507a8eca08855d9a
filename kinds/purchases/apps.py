from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasesConfig(AppConfig):
    """The purchase request: its wizard, content, EJ and signed order form. Its tables
    (PurchaseRequest, PurchaseLine, BudgetImputation) stay in the core's `cases` app, where
    they were created; this app has no model of its own."""

    name = "kinds.purchases"
    label = "purchases"
    verbose_name = _("Demandes d'achat")

    def ready(self):
        from cases import kinds

        from .kind import PURCHASE_REQUEST

        kinds.register(PURCHASE_REQUEST)
