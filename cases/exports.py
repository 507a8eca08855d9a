"""Exports of a list of cases (a queue or "Mes demandes", with its filters) to CSV and XLSX.

Rows are read from the database in chunks and written as they come: memory stays flat
whatever the number of rows. Headers and formats are French (";" separator, decimal comma,
dd/mm/yyyy dates); bank details are masked, as everywhere outside the case page.

`centre`: the export of the centre's queue (its cases are those the viewer may process); only
it has the private annotations' column. « Mes demandes » (the requesting service's) never.
"""

import tempfile
from collections.abc import Callable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.spreadsheets import french_csv, xlsx_workbook
from forms_catalog.annotations.selectors import annotations_text

from . import kinds, sla
from .identifiers import mask
from .selectors import QUEUE_ROW_RELATIONS, case_is_overdue

# Rows read per fetch: with 2,000 cases and their related rows in memory at once, an export's
# process peaked ~20 MB higher (bench/README.md, « export »).
CHUNK = 500


def _supplier(case):
    """(name, SIRET, IBAN) of the supplier a case is about, if any."""
    detail = (getattr(case, "purchase_request", None)
              or getattr(getattr(case, "service_done", None), "purchase_request", None))
    if detail is not None:
        tiers = detail.tiers
        return tiers.name, tiers.siret or "", tiers.iban
    request = getattr(case, "tiers_request", None)
    if request is not None:
        return request.name, request.siret or "", request.iban
    return "", "", ""


def headers(*, centre: bool = False) -> list[str]:
    common = [_("Référence"), _("Type"), _("Objet"), _("Service prescripteur"), _("État"),
              _("Fournisseur"), _("SIRET"), _("IBAN (masqué)"), _("Montant TTC (€)"),
              _("Agent du centre"), _("Déposée le"), _("Échéance (fin de journée)"),
              _("En retard"),
              _("Close le"), _("Circuits de la convention")]
    return [*common, _("Annotations privées")] if centre else common


def prepare(queryset, *, centre: bool = False):
    relations = [*QUEUE_ROW_RELATIONS, "private_annotations"] if centre else QUEUE_ROW_RELATIONS
    return queryset.select_related(*relations)


def rows(queryset, progress: Callable[[int], None] | None = None, *, centre: bool = False
         ) -> Iterator[list]:
    """One list of values per case: money as Decimal (None, an empty cell, for a request
    without an amount), dates as aware datetimes.
    `progress(rows so far)` is called every CHUNK rows."""
    now = timezone.now()
    for count, case in enumerate(prepare(queryset, centre=centre).iterator(chunk_size=CHUNK),
                                 start=1):
        if progress is not None and count % CHUNK == 0:
            progress(count)
        name, siret, iban = _supplier(case)
        assignee = case.assigned_to
        row = [case.display_reference, case.get_kind_display(), case.subject,
               case.requesting_service.code, case.get_state_display(), name, siret,
               mask(iban) if iban else "", case.amount_shown,
               (assignee.get_full_name() or assignee.get_username()) if assignee else "",
               case.submitted_at, sla.due_day(case.due_at),
               _("oui") if case_is_overdue(case, now) else _("non"), case.completed_at,
               kinds.circuits_label(case)]
        if centre:
            row.append(annotations_text(case))
        yield row


def csv_lines(queryset, progress=None, *, centre: bool = False) -> Iterator[str]:
    return french_csv(headers(centre=centre), rows(queryset, progress, centre=centre))


def xlsx_file(queryset, progress=None, *, centre: bool = False):
    """The workbook, written row by row (write-only mode) to a temporary file."""
    workbook = xlsx_workbook(_("Dossiers"), headers(centre=centre),
                             rows(queryset, progress, centre=centre))
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


# --- what is exported, and large exports as a task ------------------------------------------


class ExportRefused(ValueError):
    """The filters do not validate; the message is for the user."""


def export_queryset(*, user, scope: str, query: str):
    """The cases a person exports: the queue as filtered, or their service's requests."""
    from django.http import QueryDict

    from portal.models import CENTRE_ROLES, SP_ROLES
    from portal.selectors import has_role_somewhere

    from . import selectors
    from .filters import OPEN, CaseQueueFilter
    from .workflow import State

    params = QueryDict(query)
    if scope == "queue":
        if not has_role_somewhere(user, CENTRE_ROLES):
            raise ExportRefused(_("Vous n'êtes membre d'aucun centre."))
        data = params.copy()
        data.setdefault("sort", "due_at")
        data.setdefault("state", OPEN)
        case_filter = CaseQueueFilter(data, queryset=selectors.case_queue_for_user(user=user),
                                      user=user)
        if not case_filter.is_valid():
            raise ExportRefused(_("Corrigez les filtres avant d'exporter."))
        return case_filter.qs
    if not has_role_somewhere(user, SP_ROLES):
        raise ExportRefused(_("Vous n'êtes agent d'aucun service prescripteur."))
    cases = selectors.cases_of_requesting_services(user=user)
    if params.get("etat") in State.values:
        cases = cases.filter(state=params["etat"])
    return cases
