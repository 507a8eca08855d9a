"""Writes on expert opinions: asking one, answering it (once), sharing the answer with the
requester, reminding the experts before their deadline.

Who does what:
- asks: an agent or the head of the centre processing the case (the `process_case`
  permission and the role), while the case is open at the centre;
- answers: the expert, once; the answer is final (no edit: the centre may have acted on it);
- shares: an agent or the head of the centre, once the opinion is answered.

The expert sees the case through a personal `view_case` grant (cases.permissions.
grant_viewer), given when asked and kept once answered: the case page shows them their
question and answer afterwards, and nothing of the case changes by their reading it. They
get no queue, no other case, no action on the case, and see no other opinion.

Asking is not written in the case's history (CaseEvent): the history is shown to the
requester, the opinions are private to the centre. The opinion row itself keeps who asked,
when, the answer's moment and who shared it.
"""

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions, sla
from cases.models import Case
from cases.services import CaseNotFound
from cases.workflow import OPEN_STATES
from common.versioned_cache import bump, person_version
from documents.validation import check_upload
from notifications.models import NotificationEvent
from notifications.services import notify_opinion
from portal.models import Role
from portal.selectors import user_has_role

from .models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH, ExpertOpinion, OpinionFile

ASKING_ROLES = (Role.CSP_AGENT, Role.CSP_HEAD)
# The furthest deadline one may set (days from today): a typo of the year is refused.
MAX_DEADLINE_DAYS = 366


class OpinionRefused(ValueError):
    """The request cannot be done; the message is for the user, beside `field` if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def _processes(user, case: Case) -> bool:
    return (user.is_authenticated and user_has_role(user, case.processing_centre, *ASKING_ROLES)
            and permissions.visible_cases(user, permissions.PROCESS).filter(pk=case.pk).exists())


def may_ask(user, case: Case) -> bool:
    """An agent or the head of the processing centre, while the case is open there."""
    return case.state in OPEN_STATES and _processes(user, case)


def may_share(user, case: Case) -> bool:
    return _processes(user, case)


def default_deadline(today: date | None = None) -> date:
    """The deadline proposed when asking: OPINION_DELAY_WORKING_DAYS working days from today."""
    return sla.working_day_after(today or timezone.localdate(),
                                 settings.OPINION_DELAY_WORKING_DAYS)


def expert_by_email(email: str):
    """The one active account with this address; OpinionRefused otherwise."""
    email = (email or "").strip()
    people = list(get_user_model().objects.filter(email__iexact=email, is_active=True)[:2]
                  ) if email else []
    if not people:
        raise OpinionRefused(_("Aucun compte actif du portail n'a cette adresse électronique."),
                             field="expert_email")
    if len(people) > 1:
        raise OpinionRefused(_("Plusieurs comptes du portail ont cette adresse électronique : "
                               "l'expert ne peut pas être désigné ainsi."), field="expert_email")
    return people[0]


def _clean_text(text: str) -> str:
    return (text or "").replace("\x00", "").strip()


def _checked_file(uploaded, field: str):
    try:
        return check_upload(uploaded)
    except ValidationError as exc:
        raise OpinionRefused(exc.messages[0], field=field) from exc


def _file_add(*, opinion: ExpertOpinion, part: str, uploaded, checked, actor) -> OpinionFile:
    record = OpinionFile(opinion=opinion, part=part, original_name=checked.name,
                         content_type=checked.content_type, size=checked.size,
                         sha256=checked.sha256, uploaded_by=actor)
    record.file.save(checked.name, uploaded, save=False)
    record.save()
    return record


@transaction.atomic
def opinion_ask(*, case: Case, actor, expert_email: str, question: str, deadline: date | None,
                question_file=None, today: date | None = None) -> ExpertOpinion:
    if not permissions.can_view(actor, case):
        raise CaseNotFound(_("Dossier introuvable."))
    # The case locked: two identical requests sent at once make one opinion.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not may_ask(actor, case):
        raise OpinionRefused(_("Seuls les agents du centre qui traite ce dossier peuvent demander "
                               "un avis, tant que le dossier est en cours au centre."))
    today = today or timezone.localdate()
    question = _clean_text(question)
    if not question:
        raise OpinionRefused(_("Écrivez la question posée à l'expert."), field="question")
    if len(question) > QUESTION_MAX_LENGTH:
        raise OpinionRefused(_("La question compte au plus %(n)s caractères.")
                             % {"n": QUESTION_MAX_LENGTH}, field="question")
    if deadline is None:
        raise OpinionRefused(_("Indiquez la date à laquelle l'avis est attendu."),
                             field="deadline")
    if deadline < today:
        raise OpinionRefused(_("L'échéance ne peut pas être dans le passé."), field="deadline")
    if (deadline - today).days > MAX_DEADLINE_DAYS:
        raise OpinionRefused(_("Choisissez une échéance dans l'année qui vient."),
                             field="deadline")
    expert = expert_by_email(expert_email)
    if expert.pk == actor.pk:
        raise OpinionRefused(_("Vous ne pouvez pas vous demander un avis à vous-même."),
                             field="expert_email")
    if ExpertOpinion.objects.filter(case=case, expert=expert, answered_at__isnull=True).exists():
        raise OpinionRefused(_("Un avis est déjà demandé à cette personne sur ce dossier et "
                               "attend sa réponse."), field="expert_email")
    checked = _checked_file(question_file, "question_file") if question_file else None
    opinion = ExpertOpinion.objects.create(case=case, asked_by=actor, expert=expert,
                                           question=question, deadline=deadline,
                                           created_at=timezone.now())
    if checked is not None:
        _file_add(opinion=opinion, part=OpinionFile.Part.QUESTION, uploaded=question_file,
                  checked=checked, actor=actor)
    permissions.grant_viewer(case, expert)  # also bumps the expert's cached figures
    notify_opinion(opinion, NotificationEvent.OPINION_ASKED)
    return opinion


def already_answered_message() -> str:
    return _("Vous avez déjà répondu à cette demande d'avis : une seule réponse est possible.")


@transaction.atomic
def opinion_answer(*, opinion: ExpertOpinion, actor, answer: str, answer_file=None,
                   at: datetime | None = None) -> ExpertOpinion:
    if opinion.expert_id != actor.pk or not permissions.can_view(actor, opinion.case):
        raise CaseNotFound(_("Demande d'avis introuvable."))
    answer = _clean_text(answer)
    if not answer:
        raise OpinionRefused(_("Écrivez votre avis."), field="answer")
    if len(answer) > ANSWER_MAX_LENGTH:
        raise OpinionRefused(_("L'avis compte au plus %(n)s caractères.")
                             % {"n": ANSWER_MAX_LENGTH}, field="answer")
    checked = _checked_file(answer_file, "answer_file") if answer_file else None
    at = at or timezone.now()
    # One answer: only the row still unanswered is written, whoever comes second (another
    # tab, a double click, a replayed request) writes nothing.
    written = (ExpertOpinion.objects.filter(pk=opinion.pk, expert=actor, answered_at__isnull=True)
               .update(answer=answer, answered_at=at))
    if not written:
        raise OpinionRefused(already_answered_message())
    bump([person_version(actor.pk)])  # their home page's count of opinions to give
    opinion.refresh_from_db()
    if checked is not None:
        _file_add(opinion=opinion, part=OpinionFile.Part.ANSWER, uploaded=answer_file,
                  checked=checked, actor=actor)
    notify_opinion(opinion, NotificationEvent.OPINION_ANSWERED)
    return opinion


@transaction.atomic
def opinion_share(*, opinion: ExpertOpinion, actor, at: datetime | None = None
                  ) -> ExpertOpinion:
    """The answer (and its file) becomes visible to the requesting service."""
    if not may_share(actor, opinion.case):
        raise CaseNotFound(_("Demande d'avis introuvable."))
    written = (ExpertOpinion.objects
               .filter(pk=opinion.pk, answered_at__isnull=False, shared_with_requester=False)
               .update(shared_with_requester=True, shared_by=actor,
                       shared_at=at or timezone.now()))
    opinion.refresh_from_db()
    if not written:
        if not opinion.is_answered:
            raise OpinionRefused(_("L'expert n'a pas encore répondu : il n'y a rien à partager."))
        raise OpinionRefused(_("Cet avis est déjà partagé avec le demandeur."))
    notify_opinion(opinion, NotificationEvent.OPINION_SHARED)
    return opinion


def reminder_horizon(today: date) -> date:
    """Opinions due by this day (OPINION_REMINDER_WORKING_DAYS working days from today) and
    not answered get their reminder."""
    return sla.working_day_after(today, settings.OPINION_REMINDER_WORKING_DAYS)


def opinion_reminders(now: datetime | None = None) -> int:
    """Remind each expert whose opinion is due within the horizon (or already late) and not
    answered, once per opinion: the opinion is marked (reminder_sent_at) by a conditional
    update in the transaction that records the notice, so a second run, a retried task or
    two workers at once remind nobody twice."""
    now = now or timezone.now()
    horizon = reminder_horizon(timezone.localdate(now))
    due = (ExpertOpinion.objects.filter(answered_at__isnull=True, reminder_sent_at__isnull=True,
                                        deadline__lte=horizon, expert__is_active=True)
           .values_list("pk", flat=True).order_by("deadline", "pk"))
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            marked = (ExpertOpinion.objects
                      .filter(pk=pk, answered_at__isnull=True, reminder_sent_at__isnull=True)
                      .update(reminder_sent_at=now))
            if not marked:
                continue
            opinion = ExpertOpinion.objects.select_related("case", "expert").get(pk=pk)
            notify_opinion(opinion, NotificationEvent.OPINION_REMINDER)
            sent += 1
    return sent
