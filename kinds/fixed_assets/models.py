"""Fixed-asset requests: a Fiec (asset under construction, from its EJs and acquisition
documents) or a Fies (asset in service, with its commissioning), which the centre records in
Chorus and completes with the asset record number."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, PurchaseRequest
from portal.models import Service


class AssetKind(models.TextChoices):
    UNDER_CONSTRUCTION = "fiec", _("Fiec — immobilisation en cours")
    IN_SERVICE = "fies", _("Fies — immobilisation en service")


class FixedAssetRequest(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True,
                                related_name="fixed_asset")
    asset_kind = models.CharField(_("type de fiche"), max_length=4, choices=AssetKind.choices)
    label = models.CharField(_("désignation du bien"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    purchase_requests = models.ManyToManyField(PurchaseRequest, verbose_name=_("EJ liés"),
                                               related_name="fixed_assets", blank=True)
    # Fies only.
    commissioned_on = models.DateField(_("date de mise en service"), null=True, blank=True)
    depreciation_years = models.PositiveSmallIntegerField(_("durée d'amortissement (années)"),
                                                          null=True, blank=True)
    # Unique per prescribing service (among requests not rejected or cancelled): kept beside
    # the case so the database enforces it.
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    inventory_number = models.CharField(_("numéro d'inventaire"), max_length=30, blank=True)
    # False once the request is rejected or cancelled: its number may be used again.
    holds_number = models.BooleanField(default=True, editable=False)
    # The Fiec this Fies puts into service.
    under_construction = models.ForeignKey("self", verbose_name=_("Fiec mise en service"),
                                           null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="put_in_service")
    # Entered by the centre on completion.
    asset_number = models.CharField(_("n° de fiche immobilisation Chorus"), max_length=20,
                                    blank=True)

    class Meta:
        verbose_name = _("demande de fiche immobilisation")
        verbose_name_plural = _("demandes de fiche immobilisation")
        constraints = [
            models.UniqueConstraint(fields=["service", "inventory_number"],
                                    condition=~Q(inventory_number="") & Q(holds_number=True),
                                    name="inventory_number_unique_per_service"),
            models.CheckConstraint(condition=Q(depreciation_years__isnull=True)
                                   | Q(depreciation_years__gte=1),
                                   name="depreciation_years_positive"),
        ]

    def __str__(self):
        return f"{self.get_asset_kind_display()} — {self.label}"
