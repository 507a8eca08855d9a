"""Expert opinions: a centre agent asks any portal user (the purchasing mission, a référent
métier…) a question on a case, with a deadline; the expert answers once. The answer stays on
the case for the centre, and reaches the requester only once a centre agent shares it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUESTION_MAX_LENGTH = 3000
ANSWER_MAX_LENGTH = 5000


class ExpertOpinion(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="opinions",
                             verbose_name=_("dossier"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("demandé par"))
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="expert_opinions", verbose_name=_("expert"))
    question = models.TextField(_("question"), max_length=QUESTION_MAX_LENGTH)
    # The last day the answer is on time (an answer given that day is not late).
    deadline = models.DateField(_("échéance"))
    answer = models.TextField(_("avis"), max_length=ANSWER_MAX_LENGTH, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True)
    shared_with_requester = models.BooleanField(_("partagé avec le demandeur"), default=False)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+",
                                  verbose_name=_("partagé par"))
    shared_at = models.DateTimeField(_("partagé le"), null=True, blank=True)
    # The reminder before the deadline, sent once (opinions.services.opinion_reminders).
    reminder_sent_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("demandé le"), default=timezone.now)

    class Meta:
        verbose_name = _("avis d'expert")
        verbose_name_plural = _("avis d'experts")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["expert", "answered_at"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            # An answer has its text and its moment, or neither.
            models.CheckConstraint(
                condition=(Q(answered_at__isnull=True, answer="")
                           | (Q(answered_at__isnull=False) & ~Q(answer=""))),
                name="opinion_answer_complete"),
            # Only an answered opinion is shared.
            models.CheckConstraint(
                condition=Q(shared_with_requester=False) | Q(answered_at__isnull=False),
                name="opinion_shared_once_answered"),
        ]

    def __str__(self):
        return f"{self.case_id} — {self.expert}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_late(self, today) -> bool:
        """Answered after its deadline day, or still unanswered once that day is over."""
        if self.answered_at is not None:
            return timezone.localdate(self.answered_at) > self.deadline
        return today > self.deadline


def opinion_file_path(instance, filename):
    # Outside documents' managed folders ("cases/"…): their orphan sweep knows only its rows.
    return f"opinions/{instance.opinion.case_id}/{uuid.uuid4().hex}"


class OpinionFile(models.Model):
    """The file joined to the question or to the answer (one each at most), checked by
    documents' validation like any piece, served only to those who see that part."""

    class Part(models.TextChoices):
        QUESTION = "question", _("Pièce jointe à la question")
        ANSWER = "answer", _("Pièce jointe à l'avis")

    opinion = models.ForeignKey(ExpertOpinion, on_delete=models.CASCADE, related_name="files")
    part = models.CharField(max_length=10, choices=Part.choices)
    file = models.FileField(upload_to=opinion_file_path, max_length=200)
    original_name = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pièce d'un avis")
        verbose_name_plural = _("pièces des avis")
        constraints = [models.UniqueConstraint(fields=["opinion", "part"],
                                               name="opinion_file_once_per_part")]

    def __str__(self):
        return self.original_name
