"""An extract of INSEE's Sirene register of establishments, loaded by `import_sirene`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Establishment(models.Model):
    class State(models.TextChoices):
        ACTIVE = "A", _("Actif")
        CLOSED = "F", _("Fermé")

    siret = models.CharField(_("SIRET"), max_length=14, primary_key=True)
    siren = models.CharField(_("SIREN"), max_length=9, db_index=True)
    name = models.CharField(_("dénomination"), max_length=300, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("commune"), max_length=100, blank=True)
    state = models.CharField(_("état administratif"), max_length=1, choices=State.choices)
    # INSEE's dateDernierTraitementEtablissement, as given.
    last_processed = models.CharField(_("dernier traitement INSEE"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("établissement Sirene")
        verbose_name_plural = _("établissements Sirene")

    def __str__(self):
        return f"{self.siret} {self.name}"
