"""Notifications of what happens on cases, by email, and each person's choice of them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class NotificationEvent(models.TextChoices):
    SUBMITTED = "submitted", _("Une demande arrive au centre")
    QUESTION = "question", _("Le centre pose une question sur ma demande")
    ANSWER = "answer", _("Le service répond à une question sur un dossier que je traite")
    REJECTED = "rejected", _("Ma demande est rejetée")
    COMPLETED = "completed", _("Ma demande est terminée")
    MESSAGE = "message", _("Un nouveau message sur un dossier qui me concerne")
    OPINION_ASKED = "opinion_asked", _("On me demande un avis sur un dossier")
    OPINION_ANSWERED = "opinion_answered", _("Un expert répond à ma demande d'avis")
    OPINION_REMINDER = "opinion_reminder", _("Une demande d'avis qui m'est adressée arrive à "
                                             "échéance")
    OPINION_SHARED = "opinion_shared", _("Le centre me communique l'avis d'un expert sur ma "
                                         "demande")


class Notification(models.Model):
    """One notice to one person; `key` makes it once only, `sent_at` its email once only."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=NotificationEvent.choices)
    key = models.CharField(max_length=100, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.recipient} — {self.subject}"


class NotificationPreference(models.Model):
    """A person's choice for one kind of notice (no row: by email)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    event = models.CharField(max_length=20, choices=NotificationEvent.choices)
    by_email = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"],
                                               name="notification_preference_once")]

    def __str__(self):
        return f"{self.user} — {self.event}"
