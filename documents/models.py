"""Attachments: validated uploads bound to a case, served only through permission checks."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttachmentKind(models.TextChoices):
    QUOTE = "quote", _("Devis")
    PRICE_SCHEDULE = "price_schedule", _("Bordereau de prix unitaires (BPU)")
    MARKET = "market", _("Pièce du marché")
    OTHER = "other", _("Autre pièce")


def attachment_path(instance, filename):
    # Stored names never come from the user: only the sanitised name is kept, in the database.
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("type de pièce"), max_length=20, choices=AttachmentKind.choices)
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
