"""Writes on tiers requests and on the supplier directory.

A request's content is written on its draft (`tiers_request_fill`); the workflow's submit
checks it is complete and unique (`tiers_request_check`); the CST's validation writes the
directory record and its history (`tiers_directory_apply`), all inside `transition()`.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.identifiers import mask
from cases.models import IDENTITY_FIELDS, Case, CaseKind, Tiers
from cases.services import CaseError, draft_for_author
from documents.models import AttachmentKind

from .identity import clean_identity
from .models import TiersChange, TiersOperation, TiersRequest
from .selectors import Duplicate, tiers_duplicates

# Shown masked in the history, which the SP may read.
MASKED_IN_HISTORY = frozenset({"iban", "nir"})


def _first_error(exc: ValidationError) -> CaseError:
    field, messages = next(iter(exc.message_dict.items()))
    return CaseError(messages[0], field=field)


def duplicates_message(duplicates: list[Duplicate]) -> str:
    described = []
    for duplicate in duplicates[:3]:
        if duplicate.in_directory:
            described.append(_("« %(name)s » de l'annuaire (%(reason)s)")
                             % {"name": duplicate.tiers.name, "reason": duplicate.reason})
        else:
            described.append(_("la demande %(ref)s en cours (%(reason)s)")
                             % {"ref": duplicate.case.display_reference,
                                "reason": duplicate.reason})
    return _("Ce tiers existe déjà : %(list)s. Demandez plutôt la modification du tiers "
             "existant.") % {"list": " ; ".join(described)}


@transaction.atomic
def tiers_request_fill(*, case: Case, actor, identity: dict,
                       operation: str = TiersOperation.CREATION,
                       tiers: Tiers | None = None) -> TiersRequest:
    """Write (or rewrite) the content of a tiers request draft, checked as a whole."""
    if case.kind != CaseKind.TIERS:
        raise CaseError(_("Ce dossier n'est pas une demande de tiers."))
    case = draft_for_author(case, actor)
    if operation == TiersOperation.MODIFICATION and tiers is None:
        raise CaseError(_("Choisissez le tiers à modifier."), field="tiers")
    if operation not in TiersOperation.values:
        raise CaseError(_("Opération inconnue."), field="operation")
    try:
        cleaned = clean_identity({field: identity.get(field, "") for field in IDENTITY_FIELDS})
    except ValidationError as exc:
        raise _first_error(exc) from exc
    values = {field: cleaned[field] for field in IDENTITY_FIELDS}
    request, _created = TiersRequest.objects.update_or_create(
        case=case, defaults={**values, "operation": operation,
                             "tiers": tiers if operation == TiersOperation.MODIFICATION
                             else None})
    template = (_("Modification du tiers %(name)s") if operation == TiersOperation.MODIFICATION
                else _("Création du tiers %(name)s"))
    case.subject = (template % {"name": values["name"]})[:200]
    case.version += 1
    case.save(update_fields=["subject", "version", "updated_at"])
    return request


def request_duplicates(request: TiersRequest) -> list[Duplicate]:
    identity = {field: getattr(request, field) for field in IDENTITY_FIELDS}
    return tiers_duplicates(identity, exclude_tiers=request.tiers, exclude_case=request.case)


def tiers_request_check(case: Case) -> None:
    """At submission: the request is complete, has its RIB, and duplicates nothing."""
    request = TiersRequest.objects.filter(case=case).select_related("tiers").first()
    if request is None:
        raise CaseError(_("La demande de tiers est incomplète."))
    if not case.attachments.filter(kind=AttachmentKind.RIB).exists():
        raise CaseError(_("Le relevé d'identité bancaire (RIB) doit être joint à la demande."),
                        field="rib")
    duplicates = request_duplicates(request)
    if duplicates:
        raise CaseError(duplicates_message(duplicates), field="duplicates")


def directory_conflict(case: Case) -> str | None:
    """A directory record created meanwhile with the same identifiers (None when clear)."""
    request = TiersRequest.objects.filter(case=case).select_related("tiers").first()
    if request is None:
        return _("La demande de tiers est incomplète.")
    clashes = [d for d in request_duplicates(request) if d.in_directory]
    return duplicates_message(clashes) if clashes else None


def _shown(field: str, value):
    if value in (None, ""):
        return ""
    return mask(value) if field in MASKED_IN_HISTORY else value


def tiers_directory_apply(*, case: Case, actor, at: datetime) -> Tiers:
    """On the CST's validation: create or update the directory record from the request and
    record what changed. Runs inside the transition's transaction."""
    request = TiersRequest.objects.select_related("tiers").get(case=case)
    conflict = directory_conflict(case)
    if conflict:
        raise CaseError(conflict)
    values = {field: getattr(request, field) for field in IDENTITY_FIELDS}
    if request.operation == TiersOperation.MODIFICATION:
        record = Tiers.objects.select_for_update().get(pk=request.tiers_id)
        changes = {field: [_shown(field, getattr(record, field)), _shown(field, value)]
                   for field, value in values.items() if getattr(record, field) != value}
        for field, value in values.items():
            setattr(record, field, value)
        record.active = True
    else:
        record = Tiers(**values)
        changes = {field: ["", _shown(field, value)] for field, value in values.items()
                   if value not in (None, "")}
    try:
        record.full_clean(exclude=["chorus_code"], validate_unique=False)
        with transaction.atomic():
            record.save()
    except ValidationError as exc:
        raise _first_error(exc) from exc
    except IntegrityError as exc:  # a record with this SIRET was written concurrently
        raise CaseError(_("Un tiers avec ce SIRET vient d'être enregistré dans l'annuaire.")
                        ) from exc
    if request.tiers_id != record.pk:
        request.tiers = record
        request.save(update_fields=["tiers"])
    TiersChange.objects.create(tiers=record, case=case, actor=actor,
                               operation=request.operation, changes=changes, created_at=at)
    return record
