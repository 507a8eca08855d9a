"""Messages exchanged on a case between the prescribing service and the centre, and what
each person has read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class Message(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("envoyé le"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"])]

    def __str__(self):
        return f"{self.case} — {self.created_at:%d/%m/%Y %H:%M}"


class MessageRead(models.Model):
    """Until when a person has read a case's messages (the unread markers)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "case"],
                                               name="message_read_once")]

    def __str__(self):
        return f"{self.user} — {self.case}"
