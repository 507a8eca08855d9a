"""Service-done statements (constatations du service fait): what was delivered against a
purchase request's EJ, when, for how much, and whether the statement came late."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, PurchaseLine, PurchaseRequest


class LatenessReason(models.TextChoices):
    SUPPLIER = "supplier", _("Du fait du fournisseur (livraison ou facture tardive)")
    SERVICE = "service", _("Du fait du service")
    OTHER = "other", _("Autre motif")


class ServiceDoneStatement(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True,
                                related_name="service_done")
    purchase_request = models.ForeignKey(PurchaseRequest, verbose_name=_("demande d'achat"),
                                         on_delete=models.PROTECT, related_name="statements")
    delivered_on = models.DateField(_("date de livraison ou d'achèvement"))
    amount_ttc = models.DecimalField(_("montant TTC constaté"), max_digits=14,
                                     decimal_places=2)
    invoice_reference = models.CharField(_("référence de la facture"), max_length=100,
                                         blank=True)
    # Set at submission: working days between delivery and submission, and whether it is
    # more than the convention allows.
    working_days_after_delivery = models.PositiveSmallIntegerField(null=True, blank=True,
                                                                   editable=False)
    late = models.BooleanField(_("constatation tardive"), default=False)
    lateness_reason = models.CharField(_("motif du retard"), max_length=20, blank=True,
                                       choices=LatenessReason.choices)
    lateness_comment = models.TextField(_("précisions sur le retard"), blank=True)
    # Supplier's fault: the centre applies late-delivery penalties.
    penalties = models.BooleanField(_("pénalités de retard"), default=False)

    class Meta:
        verbose_name = _("constatation du service fait")
        verbose_name_plural = _("constatations du service fait")
        constraints = [
            models.CheckConstraint(condition=Q(amount_ttc__gte=0),
                                   name="service_done_amount_positive"),
        ]
        indexes = [
            # The few statements calling for penalties, looked up by case for the queue's
            # tab and filter (a whole-table index on a boolean served neither).
            models.Index(fields=["case"], condition=Q(penalties=True),
                         name="statement_with_penalties"),
            # The restitutions' late statements by reason, read from the index alone.
            models.Index(fields=["case"], include=["lateness_reason"], condition=Q(late=True),
                         name="statement_late"),
        ]

    def __str__(self):
        return str(self.case)


class ServiceDoneLine(models.Model):
    statement = models.ForeignKey(ServiceDoneStatement, on_delete=models.CASCADE,
                                  related_name="lines")
    purchase_line = models.ForeignKey(PurchaseLine, on_delete=models.PROTECT,
                                      related_name="deliveries")
    quantity = models.DecimalField(_("quantité livrée"), max_digits=12, decimal_places=3,
                                   validators=[MinValueValidator(Decimal("0.001"))])
    amount_ttc = models.DecimalField(_("montant TTC"), max_digits=14, decimal_places=2,
                                     default=Decimal("0.00"))

    class Meta:
        ordering = ["purchase_line__position"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0),
                                   name="service_done_line_quantity_positive"),
            models.UniqueConstraint(fields=["statement", "purchase_line"],
                                    name="service_done_line_once"),
        ]

    def __str__(self):
        return f"{self.purchase_line} × {self.quantity}"


class YearEndDecision(models.TextChoices):
    CLOSE = "close", _("À solder")
    CARRY_OVER = "carry_over", _("À reporter sur l'année suivante")


class YearEndReview(models.Model):
    """The SP's decision on one open EJ at year-end (fin de gestion)."""

    purchase_request = models.ForeignKey(PurchaseRequest, on_delete=models.CASCADE,
                                         related_name="year_end_reviews")
    year = models.PositiveSmallIntegerField(_("gestion"))
    decision = models.CharField(_("décision"), max_length=20, choices=YearEndDecision.choices)
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("décision de fin de gestion")
        verbose_name_plural = _("décisions de fin de gestion")
        constraints = [models.UniqueConstraint(fields=["purchase_request", "year"],
                                               name="year_end_review_once")]

    def __str__(self):
        return f"{self.purchase_request} — {self.year} — {self.get_decision_display()}"
