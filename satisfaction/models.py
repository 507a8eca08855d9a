"""The requesting service's rating of a completed case: one per case, 1 to 5."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_SCORE, MAX_SCORE = 1, 5
COMMENT_MAX_LENGTH = 1000


class Rating(models.Model):
    # One per case: the unique key also settles two ratings sent at once.
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="rating",
                                verbose_name=_("dossier"))
    score = models.PositiveSmallIntegerField(_("note"))
    comment = models.TextField(_("commentaire"), max_length=COMMENT_MAX_LENGTH, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("noté par"))
    created_at = models.DateTimeField(_("noté le"), default=timezone.now)

    class Meta:
        verbose_name = _("note de satisfaction")
        verbose_name_plural = _("notes de satisfaction")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE),
                                   name="rating_score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.case_id} : {self.score}/{MAX_SCORE}"
