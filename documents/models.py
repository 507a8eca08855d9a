"""Attachments (validated uploads), documents the portal issues and signs, signing batches."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AttachmentKind(models.TextChoices):
    QUOTE = "quote", _("Devis")
    PRICE_SCHEDULE = "price_schedule", _("Bordereau de prix unitaires (BPU)")
    MARKET = "market", _("Pièce du marché")
    RIB = "rib", _("Relevé d'identité bancaire (RIB)")
    DELIVERY_PROOF = "delivery_proof", _("Bon de livraison ou procès-verbal de réception")
    ACQUISITION = "acquisition", _("Pièce d'acquisition (acte, pièce de marché)")
    COMMISSIONING = "commissioning", _("Procès-verbal de mise en service")
    OTHER = "other", _("Autre pièce")


def attachment_path(instance, filename):
    # Stored names never come from the user: only the sanitised name is kept, in the database.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("type de pièce"), max_length=20, choices=AttachmentKind.choices)
    # Set for a file sent with a message on the case.
    message = models.ForeignKey("messaging.Message", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("documents:download", args=[self.pk])


class IssuedDocumentKind(models.TextChoices):
    ORDER_FORM = "order_form", _("Bon de commande signé")
    SERVICE_DONE_CERTIFICATE = "sf_certificate", _("Certificat de service fait signé")
    # Decision letters of catalogue forms (the decisions app).
    ACCEPTANCE_LETTER = "acceptance_letter", _("Courrier d'acceptation signé")
    REFUSAL_LETTER = "refusal_letter", _("Courrier de refus signé")


def issued_document_path(instance, filename):
    return f"issued/{instance.case_id}/{uuid.uuid4().hex}.pdf"


class IssuedDocument(models.Model):
    """A document the portal produced and signed. Its sha256 proves the portal issued it."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT,
                             related_name="issued_documents")
    kind = models.CharField(_("type de document"), max_length=20,
                            choices=IssuedDocumentKind.choices)
    file = models.FileField(upload_to=issued_document_path, max_length=200)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64, db_index=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signataire"),
                                  on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("nom du signataire"), max_length=200)
    signer_role = models.CharField(_("qualité du signataire"), max_length=200)
    certificate_fingerprint = models.CharField(_("empreinte du certificat"), max_length=64)
    issued_at = models.DateTimeField(_("émis le"))

    class Meta:
        verbose_name = _("document émis")
        verbose_name_plural = _("documents émis")
        ordering = ["issued_at", "pk"]
        constraints = [
            # One signed document of each kind per case: a retried signing cannot add a second.
            models.UniqueConstraint(fields=["case", "kind"], name="issued_document_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.case}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("documents:issued", args=[self.pk])

    @property
    def download_name(self) -> str:
        letters = {IssuedDocumentKind.ACCEPTANCE_LETTER: "courrier-acceptation",
                   IssuedDocumentKind.REFUSAL_LETTER: "courrier-refus"}
        if self.kind in letters:
            return f"{letters[self.kind]}-{self.case.reference or self.case_id}.pdf"
        ej = getattr(getattr(self.case, "purchase_request", None), "ej_number", None)
        return f"bon-de-commande-{ej or self.case.reference}.pdf"


class SigningBatch(models.Model):
    """Order forms an agent asked to sign in one go; a django-q2 task works through them."""

    centre = models.ForeignKey("portal.Service", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="signing_batches")
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)

    class Meta:
        verbose_name = _("signature groupée")
        verbose_name_plural = _("signatures groupées")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_by} — {self.created_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("documents:batch", args=[self.pk])


class SigningBatchItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SIGNED = "signed", _("Signé")
        FAILED = "failed", _("Échec")

    batch = models.ForeignKey(SigningBatch, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("état"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    message = models.CharField(_("message"), max_length=500, blank=True)
    document = models.ForeignKey(IssuedDocument, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "case"], name="signing_item_once"),
        ]

    def __str__(self):
        return f"{self.case} — {self.get_status_display()}"
