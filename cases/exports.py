"""Exports of a list of cases (a queue or "Mes demandes", with its filters) to CSV and XLSX.

Rows are read from the database in chunks and written as they come: memory stays flat
whatever the number of rows. Headers and formats are French (";" separator, decimal comma,
dd/mm/yyyy dates); bank details are masked, as everywhere outside the case page.

What each row holds is a list of columns (cases/export_columns.py): the default ones, or those
a person chose; columns only the centre may read (private annotations) are never offered to
« Mes demandes ».
"""

import tempfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from documents.spreadsheets import french_csv, xlsx_workbook

from . import export_columns
from .selectors import QUEUE_ROW_RELATIONS

# Rows read per fetch: with 2,000 cases and their related rows in memory at once, an export's
# process peaked ~20 MB higher (bench/README.md, « export »).
CHUNK = 500
JOIN, ROWS = "join", "rows"  # a repetition block's fields: joined in one cell, or one row each
JOINED_BY = " | "


def headers(columns: list[export_columns.Column]) -> list[str]:
    return [column.label for column in columns]


def prepare(queryset, columns: list[export_columns.Column] = ()):
    relations = {relation for column in columns for relation in column.relations}
    return queryset.select_related(*QUEUE_ROW_RELATIONS, *sorted(relations))


def _as_text(value) -> str:
    """One repetition's value inside a joined cell, written the French way like the cells."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _joined(values: list) -> str:
    return JOINED_BY.join(_as_text(value) for value in values)


def case_rows(case, columns: list[export_columns.Column], repetition: str = JOIN
              ) -> list[list]:
    """The export's rows for one case: one, or with ROWS one per repetition of its
    repetition blocks (the case's other cells repeated on each)."""
    cells = [column.value(case) for column in columns]
    repeated = [i for i, column in enumerate(columns) if column.repeated]
    if repetition != ROWS or not repeated:
        return [[_joined(cell or []) if i in repeated else cell for i, cell in enumerate(cells)]]
    count = max(1, *(len(cells[i] or []) for i in repeated))
    return [[(cell[n] if n < len(cell or []) else None) if i in repeated else cell
             for i, cell in enumerate(cells)] for n in range(count)]


def rows(queryset, columns: list[export_columns.Column],
         progress: Callable[[int], None] | None = None, repetition: str = JOIN
         ) -> Iterator[list]:
    """The lists of values of the cases: money as Decimal (None, an empty cell, for a
    request without an amount), dates as aware datetimes.
    `progress(cases so far)` is called every CHUNK cases."""
    for count, case in enumerate(prepare(queryset, columns).iterator(chunk_size=CHUNK),
                                 start=1):
        if progress is not None and count % CHUNK == 0:
            progress(count)
        yield from case_rows(case, columns, repetition)


def csv_lines(queryset, columns, progress=None, repetition=JOIN) -> Iterator[str]:
    return french_csv(headers(columns), rows(queryset, columns, progress, repetition))


def xlsx_file(queryset, columns, progress=None, repetition=JOIN):
    """The workbook, written row by row (write-only mode) to a temporary file."""
    workbook = xlsx_workbook(_("Dossiers"), headers(columns),
                             rows(queryset, columns, progress, repetition))
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


# --- what is exported, and large exports as a task ------------------------------------------


class ExportRefused(ValueError):
    """The filters do not validate; the message is for the user."""


def export_queryset(*, user, scope: str, query: str, procedure=None):
    """The cases a person exports: the queue as filtered, or their service's requests (only
    those filled with `procedure`, a catalogue form, when one is chosen)."""
    cases = _scope_queryset(user=user, scope=scope, query=query)
    return cases.filter(procedure=procedure) if procedure is not None else cases


def _scope_queryset(*, user, scope: str, query: str):
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
