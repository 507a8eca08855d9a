"""The only code that writes documents: attachments, issued (signed) documents, batches."""

import hashlib
import logging
import posixpath
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_q.tasks import async_task

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action, State
from portal.models import Role
from portal.selectors import user_has_role

from .models import (
    Attachment,
    AttachmentKind,
    IssuedDocument,
    IssuedDocumentKind,
    SigningBatch,
    SigningBatchItem,
    issued_document_path,
)
from .selectors import awaiting_visa, order_form_of, signable_cases
from .validation import check_case_upload

logger = logging.getLogger(__name__)
Item = SigningBatchItem.Status
VISA_AWAITED = _lazy("L'engagement juridique attend le visa du contrôleur budgétaire (CBCM) : "
                     "son bon de commande ne peut pas encore être signé.")


class DocumentError(Exception):
    """A document could not be produced; the message says why, in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@case_services.atomic
def attachment_add(*, case, kind: str, uploaded, actor) -> Attachment:
    # Until messaging exists, pieces are only added by the author while the case is a draft:
    # what the centre and the ordonnateur saw cannot be swapped afterwards.
    if not case_services.may_edit_draft(case, actor):
        raise PermissionDenied("Seul l'auteur d'un brouillon peut y joindre des pièces.")
    checked = check_case_upload(uploaded, case)
    attachment = Attachment(case=case, kind=kind, original_name=checked.name,
                            content_type=checked.content_type, size=checked.size,
                            sha256=checked.sha256, uploaded_by=actor)
    attachment.file.save(checked.name, uploaded, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def message_attachment_add(*, message, uploaded, actor) -> Attachment:
    """A file sent with a message: checked like any piece, kept on the message's case."""
    checked = check_case_upload(uploaded, message.case)
    attachment = Attachment(case=message.case, message=message, kind=AttachmentKind.OTHER,
                            original_name=checked.name, content_type=checked.content_type,
                            size=checked.size, sha256=checked.sha256, uploaded_by=actor)
    attachment.file.save(checked.name, uploaded, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- order forms ------------------------------------------------------------------------------


def signatory_role(user, centre) -> str:
    if user_has_role(user, centre, Role.CSP_HEAD):
        return _("Responsable du centre de services partagés")
    return _("Chargé(e) de prestations financières")


def _issue(*, case: Case, actor, at: datetime, kind: str, filename: str, render
           ) -> IssuedDocument:
    """Render (`render(signatory)` → RenderedPdf), sign with the actor's own credential and
    record a document. Called by a workflow transition, which holds the case's row lock and
    has checked who may sign; the unique constraint is the last guard against a second copy.
    """
    # Imported here: pyHanko, reportlab and openpyxl weigh ~30 MB, loaded only by the
    # processes that use them.
    from . import signing
    from .pdf.order_form import Signatory

    try:
        credential = signing.credential_for(actor, at=at)
    except signing.SigningUnavailable as exc:
        raise DocumentError(exc.message) from exc
    centre = case.processing_centre
    role = signatory_role(actor, centre)
    signatory = Signatory(name=actor.get_full_name() or actor.get_username(),
                          role=f"{role} — {centre.name}")
    rendered = render(signatory)
    signed = signing.sign_pdf(rendered.content, credential=credential,
                              page=rendered.signature_page, box=rendered.signature_box,
                              role=role, signed_at=at)
    document = IssuedDocument(
        case=case, kind=kind, size=len(signed), sha256=hashlib.sha256(signed).hexdigest(),
        signed_by=actor, signer_name=credential.name, signer_role=role,
        certificate_fingerprint=credential.fingerprint, issued_at=at,
    )
    _remove_leftovers(case)
    document.file.save(filename, ContentFile(signed), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_issue(*, case: Case, actor, at: datetime, kind: str, filename: str, render
                   ) -> IssuedDocument:
    """Render, sign with `actor`'s own credential and record a document of `kind`, for the
    apps built on the core (decision letters). The caller holds the case's row lock (see
    `_issue`); DocumentError when `actor` cannot sign."""
    return _issue(case=case, actor=actor, at=at, kind=kind, filename=filename, render=render)


def _remove_leftovers(case: Case) -> None:
    """Delete the files of the case's folder that no document row refers to: those of an
    attempt whose transaction never committed (a worker killed between writing the file and
    the commit). Safe here: the caller holds the case's row lock, so no other transaction can
    be about to commit a file of this folder."""
    folder = posixpath.dirname(issued_document_path(IssuedDocument(case=case), ""))
    storage = IssuedDocument._meta.get_field("file").storage
    try:
        _folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    kept = set(IssuedDocument.objects.filter(case=case).values_list("file", flat=True))
    for name in names:
        path = f"{folder}/{name}"
        if path not in kept:
            logger.warning("Fichier signé abandonné supprimé avant une nouvelle signature : %s",
                           path)
            storage.delete(path)


def order_form_issue(*, case: Case, actor, at: datetime) -> IssuedDocument:
    """Render, sign and record the order form of a completed purchase request."""
    # Imported here: pyHanko, reportlab and openpyxl weigh ~30 MB, loaded only by the
    # processes that use them.
    from .pdf.order_form import InvoicingNotConfigured, render_order_form

    def render(signatory):
        try:
            return render_order_form(case.purchase_request, signatory=signatory, issued_at=at)
        except InvoicingNotConfigured as exc:
            raise DocumentError(_(
                "Les identifiants Chorus Pro du service facturier (SIRET et code service) ne "
                "sont pas renseignés pour ce centre : un administrateur doit les saisir avant "
                "toute signature.")) from exc

    return _issue(case=case, actor=actor, at=at, kind=IssuedDocumentKind.ORDER_FORM,
                  filename="bon-de-commande.pdf", render=render)


def certificate_issue(*, case: Case, actor, at: datetime) -> IssuedDocument:
    """Render, sign and record the certificate of a service-done statement (the order to
    pay), when the centre certifies it."""
    from .pdf.service_done_certificate import render_service_done_certificate

    statement = case.service_done
    return _issue(case=case, actor=actor, at=at,
                  kind=IssuedDocumentKind.SERVICE_DONE_CERTIFICATE,
                  filename="certificat-service-fait.pdf",
                  render=lambda signatory: render_service_done_certificate(
                      statement, signatory=signatory, issued_at=at))


def order_form_sign(*, case: Case, actor, expected_version: int | None = None) -> IssuedDocument:
    """Sign a case's order form through the workflow door (one event, one document)."""
    case = case_services.transition(case=case, action=Action.SIGN, actor=actor,
                                    expected_version=expected_version)
    return order_form_of(case)


# --- signing several order forms at once -------------------------------------------------------


@transaction.atomic
def signing_batch_create(*, actor, case_ids) -> SigningBatch:
    """Queue the order forms of the chosen cases for signing by `actor` (a django-q2 task).
    Only cases `actor` may sign are kept (`signable_cases`: their centres, signatory roles)."""
    wanted = {int(pk) for pk in case_ids}
    cases = list(signable_cases(actor).filter(pk__in=wanted).order_by("pk"))
    # Chosen but not signable yet: the batch lists them with the reason, not in silence.
    waiting = list(awaiting_visa(actor).filter(pk__in=wanted).order_by("pk"))
    if not cases and not waiting:
        raise DocumentError(_("Sélectionnez au moins une demande terminée dont le bon de "
                              "commande n'est pas encore signé."))
    centres = {case.processing_centre_id for case in cases + waiting}
    if len(centres) > 1:
        raise DocumentError(_("Les demandes sélectionnées relèvent de plusieurs centres : "
                              "signez-les centre par centre."))
    batch = SigningBatch.objects.create(centre=(cases + waiting)[0].processing_centre,
                                        created_by=actor)
    SigningBatchItem.objects.bulk_create(
        [*(SigningBatchItem(batch=batch, case=case) for case in cases),
         *(SigningBatchItem(batch=batch, case=case, status=Item.FAILED, message=str(
             VISA_AWAITED)) for case in waiting)])
    if cases:
        _enqueue(batch)
    return batch


@transaction.atomic
def signing_batch_retry(*, batch: SigningBatch, actor) -> int:
    """Put the failed items back in the queue; returns how many."""
    if batch.created_by_id != actor.pk:
        raise PermissionDenied
    # An EJ still waiting for its visa stays failed, with its reason.
    count = (batch.items.filter(status=Item.FAILED).exclude(case__state=State.AWAITING_VISA)
             .update(status=Item.PENDING, message=""))
    if count:
        _enqueue(batch)
    return count


def _enqueue(batch: SigningBatch) -> None:
    transaction.on_commit(lambda: async_task("documents.tasks.sign_batch", batch.pk,
                                             task_name=f"signatures-{batch.pk}",
                                             group="signatures"))


def signing_batch_run(batch_id: int) -> None:
    """Sign every pending item of a batch; each item commits (or fails) on its own.

    Safe to run twice or after a crash: an item whose order form already exists is marked
    signed with that document, never signed again.
    """
    batch = SigningBatch.objects.select_related("created_by").get(pk=batch_id)
    for item_id in batch.items.filter(status=Item.PENDING).values_list("pk", flat=True):
        _sign_item(batch, item_id)


def _sign_item(batch: SigningBatch, item_id: int) -> None:
    try:
        with transaction.atomic():
            item = (SigningBatchItem.objects.select_for_update().select_related("case")
                    .get(pk=item_id))
            if item.status != Item.PENDING:
                return
            item.attempts += 1
            document = order_form_of(item.case)
            if document is None:
                document = order_form_sign(case=item.case, actor=batch.created_by)
            item.status, item.document, item.message = Item.SIGNED, document, ""
            item.save(update_fields=["status", "document", "message", "attempts", "updated_at"])
            return
    except case_services.CaseError as exc:
        message = exc.message
    except Exception:
        logger.exception("Signature du dossier impossible (lot %s, élément %s)", batch.pk, item_id)
        message = _("Erreur technique pendant la signature. Relancez la signature ; si l'erreur "
                    "persiste, contactez l'assistance.")
    # The failed attempt rolled back entirely; record why, for the agent to retry.
    SigningBatchItem.objects.filter(pk=item_id, status=Item.PENDING).update(
        status=Item.FAILED, message=message[:500], attempts=F("attempts") + 1)
