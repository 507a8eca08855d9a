"""Writes on case messages: posting one (with files), marking them read."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions
from cases.models import Case
from cases.services import CaseError, CaseNotFound
from cases.workflow import State
from documents.services import message_attachment_add
from portal.models import CENTRE_ROLES, SP_ROLES
from portal.selectors import user_has_role

from .models import Message, MessageRead

MAX_LENGTH = 5000
MAX_FILES = 5


def may_write(user, case: Case) -> bool:
    """The two sides of a submitted case: the requesting service and the centre."""
    return case.state != State.DRAFT and (
        user_has_role(user, case.requesting_service, *SP_ROLES)
        or user_has_role(user, case.processing_centre, *CENTRE_ROLES))


@transaction.atomic
def message_post(*, case: Case, author, body: str, files=(), at: datetime | None = None
                 ) -> Message:
    if not permissions.can_view(author, case):
        raise CaseNotFound(_("Dossier introuvable."))
    if not may_write(author, case):
        raise CaseError(_("Seuls le service demandeur et le centre échangent des messages sur "
                          "une demande déposée."))
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise CaseError(_("Écrivez votre message."), field="body")
    if len(body) > MAX_LENGTH:
        raise CaseError(_("Un message compte au plus %(n)s caractères.") % {"n": MAX_LENGTH},
                        field="body")
    files = list(files)
    if len(files) > MAX_FILES:
        raise CaseError(_("Au plus %(n)s fichiers par message.") % {"n": MAX_FILES},
                        field="files")
    at = at or timezone.now()
    message = Message.objects.create(case=case, author=author, body=body, created_at=at)
    for uploaded in files:
        try:
            message_attachment_add(message=message, uploaded=uploaded, actor=author)
        except ValidationError as exc:
            raise CaseError(f"{uploaded.name} : {exc.messages[0]}", field="files") from exc
    messages_mark_read(case=case, user=author, at=at)
    from notifications.services import notify_message

    notify_message(message)
    return message


def messages_mark_read(*, case: Case, user, at: datetime | None = None) -> None:
    MessageRead.objects.update_or_create(user=user, case=case,
                                         defaults={"read_at": at or timezone.now()})
