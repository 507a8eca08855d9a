"""Invoices received through Chorus Pro (imported from its extracts), matched with the
portal's orders by EJ number; the ECB rates the moratorium interest is computed from; the
imports run as tasks with their progress and report."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.models import Case, ej_number_validator
from portal.models import Service, validate_chorus_siret

from . import moratorium


class InvoiceStatus(models.TextChoices):
    """Chorus Pro's statuses of an invoice, as its extracts write them."""

    DEPOSEE = "DEPOSEE", _("Déposée")
    EN_COURS_ACHEMINEMENT = "EN_COURS_ACHEMINEMENT", _("En cours d'acheminement")
    MISE_A_DISPOSITION = "MISE_A_DISPOSITION", _("Mise à disposition")
    A_RECYCLER = "A_RECYCLER", _("À recycler")
    SUSPENDUE = "SUSPENDUE", _("Suspendue")
    COMPLETEE = "COMPLETEE", _("Complétée")
    SERVICE_FAIT = "SERVICE_FAIT", _("Service fait")
    MANDATEE = "MANDATEE", _("Mandatée")
    MISE_EN_PAIEMENT = "MISE_EN_PAIEMENT", _("Mise en paiement")
    COMPTABILISEE = "COMPTABILISEE", _("Comptabilisée")
    REJETEE = "REJETEE", _("Rejetée")
    REFUSEE = "REFUSEE", _("Refusée")
    ANNULEE = "ANNULEE", _("Annulée")


# Invoices that will never be paid: they wait for nothing and cover nothing.
CLOSED_STATUSES = frozenset({InvoiceStatus.REJETEE, InvoiceStatus.REFUSEE,
                             InvoiceStatus.ANNULEE})


class InvoiceQuerySet(models.QuerySet):
    def payable(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def waiting(self):
        """« En attente de service fait »: payable, not covered by certified statements."""
        return self.payable().filter(covered_on__isnull=True)

    def covered(self):
        return self.filter(covered_on__isnull=False)


class Invoice(models.Model):
    """One invoice of a Chorus Pro extract. Covered (`covered_on` set) once the certified
    service-done statements of its EJ pay for it: see invoices.coverage for the rule."""

    number = models.CharField(_("numéro de facture Chorus Pro"), max_length=60)
    supplier_siret = models.CharField(_("SIRET du fournisseur"), max_length=14,
                                      validators=[validate_chorus_siret])
    ej_number = models.CharField(_("numéro d'EJ"), max_length=10,
                                 validators=[ej_number_validator])
    amount_ht = models.DecimalField(_("montant HT"), max_digits=14, decimal_places=2)
    amount_ttc = models.DecimalField(_("montant TTC"), max_digits=14, decimal_places=2)
    received_on = models.DateField(_("reçue le"))
    status = models.CharField(_("statut Chorus Pro"), max_length=30,
                              choices=InvoiceStatus.choices)
    case = models.ForeignKey(Case, verbose_name=_("demande d'achat"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="invoices")
    requesting_service = models.ForeignKey(Service, verbose_name=_("service prescripteur"),
                                           null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    processing_centre = models.ForeignKey(Service, verbose_name=_("centre"), null=True,
                                          blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    # The convention's payment delay in force on receipt (calendar days), kept: editing the
    # convention later does not move the due dates of invoices already received.
    payment_delay_days = models.PositiveSmallIntegerField(_("délai de paiement (jours)"))
    covered_on = models.DateField(_("service fait certifié le"), null=True, blank=True)
    imported_at = models.DateTimeField(_("importée le"))
    updated_at = models.DateTimeField(_("mise à jour le"))

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["received_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["supplier_siret", "number"],
                                    name="invoice_number_per_supplier"),
            models.CheckConstraint(condition=Q(amount_ht__gte=0), name="invoice_ht_positive"),
            models.CheckConstraint(condition=Q(amount_ttc__gte=F("amount_ht")),
                                   name="invoice_ttc_at_least_ht"),
        ]
        indexes = [
            models.Index(fields=["ej_number"]),
            models.Index(fields=["requesting_service", "received_on"]),
            models.Index(fields=["processing_centre", "received_on"]),
        ]

    def __str__(self):
        return f"{self.number} ({self.supplier_siret})"

    @property
    def payable(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def waiting(self) -> bool:
        return self.payable and self.covered_on is None

    def delay(self, *, today: date, rates) -> moratorium.PaymentDelay:
        # A rejected or cancelled invoice waits for nothing and is never paid late: it is
        # counted as settled the day it arrived.
        settled = self.covered_on if self.payable else self.received_on
        return moratorium.payment_delay(
            amount_ttc=self.amount_ttc, received_on=self.received_on,
            delay_days=self.payment_delay_days, covered_on=settled, today=today,
            rates=rates)


class MoratoriumRate(models.Model):
    """The ECB main refinancing operations rate from a date: the moratorium interest rate is
    the one in force on the first day of the half-year, plus 8 points (invoices.moratorium)."""

    valid_from = models.DateField(_("en vigueur à partir du"), unique=True)
    ecb_rate = models.DecimalField(_("taux des opérations principales de refinancement de "
                                     "la BCE (%)"), max_digits=5, decimal_places=2,
                                   validators=[MinValueValidator(Decimal("-5"))])

    class Meta:
        verbose_name = _("taux de référence des intérêts moratoires")
        verbose_name_plural = _("taux de référence des intérêts moratoires")
        ordering = ["-valid_from"]

    def __str__(self):
        return f"{self.ecb_rate} % ({self.valid_from:%d/%m/%Y})"


def import_path(instance, filename):
    return f"invoice-imports/{instance.centre_id}/{filename}"


class InvoiceImport(models.Model):
    """An extract uploaded by a centre agent, imported by a django-q2 task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    centre = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="+")
    file = models.FileField(upload_to=import_path, max_length=200, blank=True)
    original_name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # [[line, message], …], the first ones only (invoices.importer.MAX_REPORTED_ERRORS).
    errors = models.JSONField(default=list, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import de factures")
        verbose_name_plural = _("imports de factures")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
