"""Writes on the centre's queue: saved filters, and assigning several cases at once."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from . import permissions, services
from .models import SavedFilter
from .workflow import Action

MAX_SAVED_FILTERS = 20
# Query parameters a saved filter keeps (the queue's filters, not the page number).
FILTER_PARAMS = ("q", "state", "kind", "requesting_service", "assigned_to", "due_from",
                 "due_to", "amount_min", "amount_max", "mine", "overdue", "penalties",
                 "to_sign", "sort")


def _clean_query(query: str) -> str:
    kept = QueryDict(mutable=True)
    for key, values in QueryDict(query).lists():
        if key in FILTER_PARAMS:
            kept.setlist(key, [value.replace("\x00", "")[:200] for value in values[:5]])
    return kept.urlencode()


@transaction.atomic
def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Save (or replace, under the same name) the user's current filters."""
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise services.CaseError(_("Donnez un nom à ce filtre."), field="name")
    if len(name) > 60:
        raise services.CaseError(_("Un nom de filtre compte au plus 60 caractères."),
                                 field="name")
    query = _clean_query(query)
    if len(query) > 1000:
        raise services.CaseError(_("Ces filtres sont trop longs pour être enregistrés."),
                                 field="name")
    existing = SavedFilter.objects.select_for_update().filter(user=user, name=name).first()
    if existing is not None:
        existing.query = query
        existing.save(update_fields=["query"])
        return existing
    if SavedFilter.objects.filter(user=user).count() >= MAX_SAVED_FILTERS:
        raise services.CaseError(_("Vous avez déjà %(n)s filtres enregistrés : supprimez-en un "
                                   "d'abord.") % {"n": MAX_SAVED_FILTERS}, field="name")
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(user=user, name=name, query=query)
    except IntegrityError as exc:  # the same name saved at the same moment
        raise services.CaseError(_("Un filtre porte déjà ce nom."), field="name") from exc


def saved_filter_delete(*, user, pk: int) -> bool:
    deleted, _details = SavedFilter.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)


@dataclass
class AssignmentReport:
    assigned: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (reference, reason)


def cases_assign(*, actor, case_ids, assignee) -> AssignmentReport:
    """Assign each chosen case through the workflow (each in its own transaction: one refusal
    does not undo the others). Cases the actor may not process are ignored, never named."""
    report = AssignmentReport()
    cases = (permissions.visible_cases(actor, permissions.PROCESS)
             .filter(pk__in=list(case_ids)[:500]).order_by("pk"))
    for case in cases:
        try:
            services.transition(case=case, action=Action.ASSIGN, actor=actor,
                                assignee=assignee)
        except services.CaseError as exc:
            report.refused.append((case.display_reference, exc.message))
        else:
            report.assigned.append(case.display_reference)
    return report
