"""The only code that writes attachments."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from cases.workflow import State

from .models import Attachment
from .validation import check_upload


@transaction.atomic
def attachment_add(*, case, kind: str, uploaded, actor) -> Attachment:
    # Until messaging exists, pieces are only added by the author while the case is a draft:
    # what the centre and the ordonnateur saw cannot be swapped afterwards.
    if case.state != State.DRAFT or case.created_by_id != actor.pk:
        raise PermissionDenied("Seul l'auteur d'un brouillon peut y joindre des pièces.")
    checked = check_upload(uploaded)
    attachment = Attachment(case=case, kind=kind, original_name=checked.name,
                            content_type=checked.content_type, size=checked.size,
                            sha256=checked.sha256, uploaded_by=actor)
    attachment.file.save(checked.name, uploaded, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
