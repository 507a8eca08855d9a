"""Writes on private annotations: saving them, journalled in AnnotationChange (never in
CaseEvent, which the requester reads)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services import CaseConflict, CaseError, CaseNotFound

from ..annotation_schema import has_inputs
from ..models import AnnotationChange, CaseAnnotations
from ..schema import input_items
from .selectors import is_editable, live_schema, may_read


@transaction.atomic
def case_annotations_save(*, case: Case, actor, values: dict, expected_version: int,
                          at: datetime | None = None) -> CaseAnnotations:
    """Record the annotations (validated by AnnotationsForm) of a case open at the centre.

    The case row is locked (two first saves never race), `expected_version` must be the
    version the agent read (CaseConflict otherwise: no update is lost), unknown keys are
    dropped, the schema is pinned at the first save. A save that changes nothing writes
    nothing; any other writes one AnnotationChange (who, when, before and after)."""
    locked = Case.objects.select_for_update(of=("self",)).select_related("procedure").filter(
        pk=case.pk).first()
    if locked is None or not may_read(actor, locked):
        raise CaseNotFound(_("Dossier introuvable."))
    if not is_editable(locked):
        raise CaseError(_("Ce dossier est clos : ses annotations privées ne peuvent plus être "
                          "modifiées."))
    record = CaseAnnotations.objects.filter(case=locked).first()
    if record is None:
        schema, revision = live_schema(locked)
        if not has_inputs(schema):
            raise CaseError(_("Le formulaire de ce dossier n'a pas d'annotations privées."))
        record = CaseAnnotations(case=locked, schema=schema, revision=revision)
    if expected_version != record.version:
        raise CaseConflict(_("Les annotations ont été modifiées par %(who)s depuis que vous les "
                             "avez ouvertes : rechargez la page pour voir leur version.")
                           % {"who": _who(record.updated_by)})
    labels = {item["key"]: item["label"] for item in input_items(record.schema)}
    new = {key: value for key, value in values.items()
           if key in labels and value not in (None, "", [])}
    old = record.values or {}
    changes = {key: {"label": labels.get(key, key), "before": old.get(key),
                     "after": new.get(key)}
               for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)}
    if not changes:
        return record
    at = at or timezone.now()
    record.values = new
    record.version += 1
    record.updated_by, record.updated_at = actor, at
    record.save()
    AnnotationChange.objects.create(annotations=record, version=record.version, actor=actor,
                                    created_at=at, changes=changes)
    return record


def _who(user) -> str:
    if user is None:
        return _("un autre agent")
    return user.get_full_name() or user.get_username()
