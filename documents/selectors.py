"""Reads on documents: duplicates, what a case has issued, signing batches."""

from django.db.models import Count, Q

from cases import permissions
from cases.models import CaseKind
from cases.workflow import State
from common.versioned_cache import cached_for
from portal.models import Role
from portal.selectors import service_ids_of_user, services_of_user

from .models import Attachment, IssuedDocument, IssuedDocumentKind, SigningBatch, SigningBatchItem

SIGNATORY_ROLES = {Role.CSP_AGENT, Role.CSP_HEAD}


def find_duplicate(case, sha256: str) -> Attachment | None:
    """The attachment of `case` with exactly these bytes, if any."""
    return case.attachments.filter(sha256=sha256).first()


def order_form_of(case) -> IssuedDocument | None:
    return (IssuedDocument.objects.filter(case=case, kind=IssuedDocumentKind.ORDER_FORM)
            .select_related("signed_by").first())


def issued_documents_of(case) -> list[IssuedDocument]:
    return list(case.issued_documents.select_related("signed_by"))


def issued_document_for_user(*, user, pk) -> IssuedDocument:
    """The document if the user may see its case; DoesNotExist otherwise (answer 404)."""
    return (IssuedDocument.objects.select_related("case__purchase_request")
            .get(pk=pk, case__in=permissions.visible_cases(user)))


def issued_document_by_sha256(sha256: str) -> IssuedDocument | None:
    return (IssuedDocument.objects.filter(sha256=sha256).select_related("case")
            .order_by("pk").first())


def without_order_form(cases):
    """Completed purchase requests among `cases` whose order form is not signed yet (the
    workflow keeps `awaiting_signature` for exactly those)."""
    return cases.filter(kind=CaseKind.PURCHASE_REQUEST, state=State.COMPLETED,
                        awaiting_signature=True)


def _signatory_cases(user):
    """The cases of the centres where `user` signs order forms."""
    return (permissions.visible_cases(user, permissions.PROCESS)
            .filter(processing_centre__in=services_of_user(user, SIGNATORY_ROLES)))


def signable_cases(user):
    """The order forms `user` may sign now: their centres' completed, unsigned requests."""
    return without_order_form(_signatory_cases(user))


def signable_count(user) -> int:
    """How many order forms `user` may sign now (the queue's « À signer » tab), from the cache
    while neither the person nor their centres' cases changed (signing clears the case's
    `awaiting_signature`: a save)."""
    return cached_for(user, "cases:to_sign", lambda: (signable_cases(user).count(), None),
                      service_ids=service_ids_of_user(user, SIGNATORY_ROLES))


def awaiting_visa(user):
    """The EJs of `user`'s centres waiting for the budget controller's visa: their order
    forms cannot be signed yet."""
    return _signatory_cases(user).filter(state=State.AWAITING_VISA)


def signing_batch_for_user(*, user, pk) -> SigningBatch:
    """A batch is only ever shown to the agent who started it."""
    return SigningBatch.objects.get(pk=pk, created_by=user)


def signing_batch_items(batch: SigningBatch):
    return batch.items.select_related("case", "document").order_by("pk")


def signing_batch_progress(batch: SigningBatch) -> dict:
    Status = SigningBatchItem.Status
    counts = batch.items.aggregate(
        total=Count("pk"),
        signed=Count("pk", filter=Q(status=Status.SIGNED)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        pending=Count("pk", filter=Q(status=Status.PENDING)),
    )
    done = counts["signed"] + counts["failed"]
    counts["done"] = done
    counts["percent"] = round(100 * done / counts["total"]) if counts["total"] else 100
    counts["finished"] = counts["pending"] == 0
    return counts

