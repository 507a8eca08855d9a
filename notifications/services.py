"""Who is told what: one Notification per event and recipient (never twice, thanks to its
key), created in the transaction of the event; its email is sent by a django-q2 task once
the transaction commits, and only once even if the task runs again."""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from cases.models import Case, CaseEvent
from cases.workflow import Action, State
from portal.models import CENTRE_ROLES, SP_ROLES, Role
from portal.selectors import user_has_role

from .models import Notification, NotificationEvent, NotificationPreference

# Which notice each workflow action gives, and to whom.
ACTION_EVENTS = {
    Action.REQUEST_INFO: NotificationEvent.QUESTION,
    Action.ANSWER: NotificationEvent.ANSWER,
    Action.REJECT: NotificationEvent.REJECTED,
    Action.COMPLETE: NotificationEvent.COMPLETED,
    Action.CERTIFY: NotificationEvent.COMPLETED,
    Action.CST_VALIDATE: NotificationEvent.COMPLETED,
}

SUBJECTS = {
    NotificationEvent.SUBMITTED: _("[Portail CSP] Nouvelle demande à traiter : %(ref)s"),
    NotificationEvent.QUESTION: _("[Portail CSP] Question du centre sur %(ref)s"),
    NotificationEvent.ANSWER: _("[Portail CSP] Réponse du service sur %(ref)s"),
    NotificationEvent.REJECTED: _("[Portail CSP] Demande rejetée : %(ref)s"),
    NotificationEvent.COMPLETED: _("[Portail CSP] Demande terminée : %(ref)s"),
    NotificationEvent.MESSAGE: _("[Portail CSP] Nouveau message sur %(ref)s"),
    NotificationEvent.OPINION_ASKED: _("[Portail CSP] Demande d'avis sur %(ref)s"),
    NotificationEvent.OPINION_ANSWERED: _("[Portail CSP] Avis rendu sur %(ref)s"),
    NotificationEvent.OPINION_REMINDER: _("[Portail CSP] Rappel : avis attendu sur %(ref)s"),
    NotificationEvent.OPINION_SHARED: _("[Portail CSP] Avis d'expert communiqué sur %(ref)s"),
}


def centre_staff(case: Case):
    return get_user_model().objects.filter(
        memberships__service=case.processing_centre,
        memberships__role__in=[Role.CSP_AGENT, Role.CSP_HEAD], is_active=True).distinct()


def muted_flag(event: str) -> str:
    """The attribute saying that a recipient read by _recipients wants no e-mail of `event`."""
    return f"email_muted_{event}"


def _recipients(case: Case, event: str, actor) -> list:
    if event == NotificationEvent.SUBMITTED:
        # Whether each wants this notice by e-mail comes with them (_notify reads it).
        muted = Exists(NotificationPreference.objects.filter(
            user=OuterRef("pk"), event=event, by_email=False))
        people = list(centre_staff(case).annotate(**{muted_flag(event): muted}))
    elif event == NotificationEvent.ANSWER:
        people = [case.assigned_to] if case.assigned_to else []
    else:
        people = [case.created_by]
    actor_pk = getattr(actor, "pk", None)
    return [p for p in people if p is not None and p.is_active and p.pk != actor_pk]


def _text(case: Case, event: str, detail: str = "") -> tuple[str, str]:
    subject = str(SUBJECTS[event]) % {"ref": case.display_reference}
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("cases:detail", args=[case.pk])
    lines = [f"{case.display_reference} — {case.subject}", "", str(NotificationEvent(event)
                                                                    .label) + "."]
    if detail:
        lines += ["", detail[:1000]]
    lines += ["", _("Ouvrir le dossier : %(url)s") % {"url": url}, "",
              _("Vous pouvez choisir les notifications que vous recevez par courriel dans "
                "« Mes notifications ».")]
    return subject[:200], "\n".join(lines)


_local = threading.local()


@contextmanager
def emails_suspended():
    """Notices are recorded but not emailed (loading demo data: past events email nobody)."""
    previous = getattr(_local, "suspended", False)
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = previous


def _notify(case: Case, event: str, source: str, recipients, detail: str = "",
            fresh: bool = False) -> int:
    """One notice per recipient, all written at once; one task emails those who want it.
    `fresh`: the source was written in this very transaction, so nobody can have been told
    of it yet."""
    people = {person.pk: person for person in recipients}
    if not people:
        return 0
    keys = {f"{source}:{pk}": person for pk, person in people.items()}
    if not fresh:
        # Already notified of this very event (a replayed call): not again.
        for key in Notification.objects.filter(key__in=keys).values_list("key", flat=True):
            del keys[key]
    if not keys:
        return 0
    subject, body = _text(case, event, detail)
    now = timezone.now()
    rows = [Notification(recipient=person, case=case, event=event, key=key, subject=subject,
                         body=body, created_at=now) for key, person in keys.items()]
    if fresh:
        # Keys of an event written in this transaction: no other call can hold them, so no
        # savepoint is needed to recover from a clash.
        notices = Notification.objects.bulk_create(rows)
    else:
        notices = _create_new(rows)
    if not getattr(_local, "suspended", False):
        flag = muted_flag(event)
        if all(hasattr(notice.recipient, flag) for notice in notices):
            muted = {notice.recipient_id for notice in notices
                     if getattr(notice.recipient, flag)}
        else:
            muted = set(NotificationPreference.objects.filter(
                user__in=[notice.recipient_id for notice in notices], event=event,
                by_email=False,
            ).values_list("user_id", flat=True))
        to_email = [notice.pk for notice in notices
                    if notice.recipient.email and notice.recipient_id not in muted]
        if to_email:
            transaction.on_commit(lambda: async_task(
                "notifications.tasks.send_notifications", to_email,
                task_name=f"notifications-{source}"))
    return len(notices)


def _create_new(rows: list[Notification]) -> list[Notification]:
    """The rows written at once, or, when a concurrent call notified some of them first, those
    it did not."""
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:  # a concurrent call notified some of them first
        notices = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue
            notices.append(row)
        return notices


def notify_transition(sender, event: CaseEvent, **kwargs) -> int:
    """Receiver of cases.signals.case_transitioned, in the transition's transaction: its
    event was just written, nobody can have been told of it yet."""
    return notify_event(event, fresh=True)


def notify_event(event: CaseEvent, fresh: bool = False) -> int:
    """The notices of a workflow event (`fresh`: sent for the first time, nobody can have
    been told of it; otherwise a replay notifies only those not yet notified)."""
    case = event.case
    if event.to_state == State.SUBMITTED and event.action in (Action.SUBMIT, Action.VALIDATE):
        kind = NotificationEvent.SUBMITTED  # not a case released back to the queue
    else:
        kind = ACTION_EVENTS.get(event.action)
    if kind is None:
        return 0
    return _notify(case, kind, f"event:{event.pk}", _recipients(case, kind, event.actor),
                   event.comment, fresh=fresh)


def notify_message(message) -> int:
    """The other side of the case hears of a new message: the requester when the centre
    writes; the agent in charge (or the centre's staff when nobody is) when the service
    writes."""
    case, author = message.case, message.author
    if user_has_role(author, case.processing_centre, *CENTRE_ROLES):
        people = [case.created_by]
    elif user_has_role(author, case.requesting_service, *SP_ROLES):
        people = [case.assigned_to] if case.assigned_to else list(centre_staff(case))
    else:
        people = []
    people = [p for p in people if p.is_active and p.pk != author.pk]
    return _notify(case, NotificationEvent.MESSAGE, f"message:{message.pk}", people,
                   message.body)


def notify_opinion(opinion, event: str) -> int:
    """An expert opinion (opinions.models.ExpertOpinion): the expert hears of the question
    and of the reminder before its deadline, the agent who asked of the answer, the
    requester of an answer the centre shares with them. Once per opinion and event (the
    key), whoever calls again."""
    case = opinion.case
    deadline = _("Échéance : %(date)s.") % {"date": opinion.deadline.strftime("%d/%m/%Y")}
    if event == NotificationEvent.OPINION_ANSWERED:
        people, detail = [opinion.asked_by], opinion.answer
    elif event == NotificationEvent.OPINION_SHARED:
        people, detail = [case.created_by], opinion.answer
    elif event in (NotificationEvent.OPINION_ASKED, NotificationEvent.OPINION_REMINDER):
        people, detail = [opinion.expert], f"{deadline}\n\n{opinion.question}"
    else:
        raise ValueError(event)
    people = [p for p in people if p.is_active]
    return _notify(case, event, f"{event}:{opinion.pk}", people, detail)


def notification_send(pk: int) -> bool:
    """Send one notification's email, once: the row is locked and marked sent in the same
    transaction, so a task run again (a retry, a crashed worker) sends nothing more."""
    with transaction.atomic():
        notice = (Notification.objects.select_for_update().select_related("recipient")
                  .filter(pk=pk).first())
        if notice is None or notice.sent_at is not None or not notice.recipient.email:
            return False
        send_mail(notice.subject, notice.body, settings.DEFAULT_FROM_EMAIL,
                  [notice.recipient.email])
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
    return True


def preferences_of(user) -> dict[str, bool]:
    chosen = dict(NotificationPreference.objects.filter(user=user)
                  .values_list("event", "by_email"))
    return {event: chosen.get(event, True) for event in NotificationEvent.values}


@transaction.atomic
def preferences_save(*, user, by_email: set[str]) -> None:
    for event in NotificationEvent.values:
        NotificationPreference.objects.update_or_create(
            user=user, event=event, defaults={"by_email": event in by_email})
