"""Tiers requests (creation or modification of a supplier record), the directory's history,
and La Poste's postcode referential used to check French addresses."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import AppendOnlyModel, Case, SupplierIdentity, Tiers


class TiersOperation(models.TextChoices):
    CREATION = "creation", _("Création")
    MODIFICATION = "modification", _("Modification")


class TiersRequest(SupplierIdentity):
    """The record an SP asks the centre to create, or the new state of an existing one."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True,
                                related_name="tiers_request")
    operation = models.CharField(_("opération"), max_length=20, choices=TiersOperation.choices,
                                 default=TiersOperation.CREATION)
    tiers = models.ForeignKey(Tiers, verbose_name=_("tiers modifié"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="requests")

    class Meta:
        verbose_name = _("demande de tiers")
        verbose_name_plural = _("demandes de tiers")
        indexes = [models.Index(fields=["siret"]), models.Index(fields=["siren"]),
                   models.Index(fields=["iban"])]

    def __str__(self):
        return str(self.case)


class TiersChange(AppendOnlyModel):
    """One change of a directory record: who, when, from which case, what changed."""

    APPEND_ONLY_MESSAGE = "L'historique des tiers ne peut être ni modifié ni supprimé."

    tiers = models.ForeignKey(Tiers, on_delete=models.PROTECT, related_name="changes")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                              related_name="+")
    operation = models.CharField(_("opération"), max_length=20, choices=TiersOperation.choices)
    # {field: [before, after]}, bank and social security numbers masked.
    changes = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("modification de tiers")
        verbose_name_plural = _("historique des tiers")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.tiers} — {self.get_operation_display()} ({self.created_at:%d/%m/%Y})"


class PostalCode(models.Model):
    """One line of La Poste's "base officielle des codes postaux" (import_postcodes)."""

    postcode = models.CharField(_("code postal"), max_length=5, db_index=True)
    insee_code = models.CharField(_("code commune INSEE"), max_length=5)
    commune = models.CharField(_("commune"), max_length=100)
    delivery_label = models.CharField(_("libellé d'acheminement"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [models.UniqueConstraint(fields=["postcode", "insee_code", "commune"],
                                               name="postcode_commune_unique")]

    def __str__(self):
        return f"{self.postcode} {self.commune}"
