"""Writes on ratings: the requester rates the service once the case is completed.

Who rates: the case's creator only, while still a member of the requesting service. The
creator asked for the service and followed the case to its end; a colleague, an ordonnateur
who only validated it, or the centre itself would rate a service they did not receive, and
one voice per case keeps the averages comparable between services.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case
from cases.services import CaseNotFound
from cases.workflow import State
from portal.models import SP_ROLES
from portal.selectors import user_has_role

from .models import COMMENT_MAX_LENGTH, MAX_SCORE, MIN_SCORE, Rating


class RatingRefused(ValueError):
    """The rating cannot be recorded; the message is for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def may_rate(user, case: Case) -> bool:
    """Whether `user` is the one who may rate this case (rated or not yet)."""
    return (case.state == State.COMPLETED and user.is_authenticated
            and case.created_by_id == user.pk
            and user_has_role(user, case.requesting_service, *SP_ROLES))


def already_rated_message() -> str:
    return _("Vous avez déjà noté ce service pour ce dossier : une seule note par dossier.")


@transaction.atomic
def rating_create(*, case: Case, actor, score: int, comment: str = "") -> Rating:
    if not permissions.can_view(actor, case):
        raise CaseNotFound(_("Dossier introuvable."))
    if not may_rate(actor, case):
        raise RatingRefused(_("Seule la personne qui a déposé la demande peut noter le service, "
                              "une fois la demande terminée."))
    if not isinstance(score, int) or isinstance(score, bool) or not (
            MIN_SCORE <= score <= MAX_SCORE):
        raise RatingRefused(_("Choisissez une note de 1 à 5."), field="score")
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise RatingRefused(_("Le commentaire ne peut dépasser 1 000 caractères."),
                            field="comment")
    if Rating.objects.filter(case=case).exists():
        raise RatingRefused(already_rated_message())
    try:
        # A savepoint: a rating sent at the same moment wins the unique key, and this
        # transaction stays usable to say so.
        with transaction.atomic():
            return Rating.objects.create(case=case, score=score, comment=comment,
                                         rated_by=actor, created_at=timezone.now())
    except IntegrityError as exc:
        raise RatingRefused(already_rated_message()) from exc
