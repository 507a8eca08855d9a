"""What reminder went to whom for which period: a run repeated the same day sends nothing
more, and the periodic lists know when they were last sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import Service


class ReminderKind(models.TextChoices):
    DUE_CASES = "due_cases", _("Dossiers à échéance ou en retard")
    STATEMENTS_DUE = "statements_due", _("Constatations du service fait à déposer")
    MISSING_SERVICE_DONE = "missing_sf", _("Liste des services faits manquants")


class ReminderSent(models.Model):
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    # Whom it is for, as one value ("user:12", "service:5"), so that it is unique per day.
    scope = models.CharField(max_length=40)
    # The day the reminder is for.
    period = models.DateField()
    items = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("relance envoyée")
        verbose_name_plural = _("relances envoyées")
        constraints = [models.UniqueConstraint(fields=["kind", "scope", "period"],
                                               name="reminder_once")]
        indexes = [models.Index(fields=["kind", "service", "period"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.period}"
