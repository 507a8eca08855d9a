"""Streaming import of a Chorus Pro invoice extract (CSV), in constant memory but for the
keys already seen (to report a duplicate line).

Separator « ; » (Chorus Pro, French spreadsheets) or « , », sniffed on the header; UTF-8
(with or without BOM) or Windows-1252. Lines are read one at a time and written by batches:
an invoice is known by its supplier's SIRET and number, so a re-import of the same file
changes nothing and a newer extract updates what changed (a status, mostly).

Each bad line is reported with its number and the reason, and not stored: malformed amount,
date, SIRET, EJ or status; a line repeating an invoice seen earlier in the file; an EJ the
portal does not know, or (importing for a centre) one of another centre's orders. An unknown
EJ is NOT stored unmatched: nobody in the portal could act on the invoice (no service to
state the service done, no centre); it will be imported by the next extract once its order
is in the portal.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import PurchaseRequest
from portal.models import Service

from . import parsing
from .models import Invoice
from .services import payment_delay_days, refresh_coverage

BATCH = 500
MAX_REPORTED_ERRORS = 1000
# Fields an extract may change on an invoice already imported.
UPDATED_FIELDS = ["ej_number", "amount_ht", "amount_ttc", "received_on", "status", "case",
                  "requesting_service", "processing_centre"]


@dataclass
class ImportReport:
    total: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append((line, message))

    def summary(self) -> str:
        return (_("%(rows)s ligne(s) lue(s) : %(created)s facture(s) nouvelle(s), %(updated)s "
                  "mise(s) à jour, %(unchanged)s inchangée(s), %(errors)s ligne(s) en erreur.")
                % {"rows": self.rows, "created": self.created, "updated": self.updated,
                   "unchanged": self.unchanged, "errors": self.error_count})


def _encoding(raw) -> str:
    head = raw.read(65536)
    raw.seek(0)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a character cut by the sample's end
            return "cp1252"
    return "utf-8-sig"


def _count_lines(raw) -> int:
    count = 0
    while chunk := raw.read(1 << 20):
        count += chunk.count(b"\n")
    raw.seek(0)
    return count


class _Batch:
    def __init__(self, centre: Service | None, report: ImportReport):
        self.centre = centre
        self.report = report
        self.lines: list[parsing.InvoiceLine] = []
        self.delays: dict = {}

    def flush(self) -> None:
        if not self.lines:
            return
        with transaction.atomic():
            self._write()
        self.lines.clear()

    def _order_of(self, line, orders):
        order = orders.get(line.ej_number)
        if order is None:
            self.report.error(line.line, _("EJ %(ej)s inconnu du portail : facture non "
                                           "importée.") % {"ej": line.ej_number})
            return None
        if self.centre is not None and order.case.processing_centre_id != self.centre.pk:
            self.report.error(line.line, _("L'EJ %(ej)s relève d'un autre centre : facture "
                                           "non importée.") % {"ej": line.ej_number})
            return None
        return order

    def _delay(self, order, received_on: date) -> int:
        case = order.case
        key = (case.requesting_service_id, case.processing_centre_id, received_on)
        if key not in self.delays:
            self.delays[key] = payment_delay_days(case.requesting_service,
                                                  case.processing_centre, received_on)
        return self.delays[key]

    def _write(self) -> None:
        now = timezone.now()
        orders = {order.ej_number: order for order in PurchaseRequest.objects.filter(
            ej_number__in={line.ej_number for line in self.lines})
            .select_related("case__requesting_service", "case__processing_centre")}
        existing = {(invoice.supplier_siret, invoice.number): invoice
                    for invoice in Invoice.objects.filter(
                        number__in={line.number for line in self.lines},
                        supplier_siret__in={line.supplier_siret for line in self.lines})}
        new, changed, touched = [], [], set()
        for line in self.lines:
            order = self._order_of(line, orders)
            if order is None:
                continue
            values = {"ej_number": line.ej_number, "amount_ht": line.amount_ht,
                      "amount_ttc": line.amount_ttc, "received_on": line.received_on,
                      "status": line.status, "case_id": order.case_id,
                      "requesting_service_id": order.case.requesting_service_id,
                      "processing_centre_id": order.case.processing_centre_id}
            invoice = existing.get(line.key)
            if invoice is None:
                new.append(Invoice(number=line.number, supplier_siret=line.supplier_siret,
                                   payment_delay_days=self._delay(order, line.received_on),
                                   imported_at=now, updated_at=now, **values))
                touched.add(line.ej_number)
                continue
            differs = [name for name, value in values.items()
                       if getattr(invoice, name) != value]
            if not differs:
                self.report.unchanged += 1
                continue
            touched.update({invoice.ej_number, line.ej_number})
            for name, value in values.items():
                setattr(invoice, name, value)
            if "received_on" in differs:
                invoice.payment_delay_days = self._delay(order, line.received_on)
            invoice.updated_at = now
            changed.append(invoice)
        Invoice.objects.bulk_create(new)
        Invoice.objects.bulk_update(changed, [*UPDATED_FIELDS, "payment_delay_days",
                                              "updated_at"])
        self.report.created += len(new)
        self.report.updated += len(changed)
        refresh_coverage(touched)


def import_stream(raw, *, centre: Service | None = None,
                  progress: Callable[[int, int], None] | None = None,
                  today: date | None = None) -> ImportReport:
    """Import the binary file object `raw`; `progress(lines_done, lines_total)` after each
    batch. ValueError (French message) when it is not an invoice extract at all."""
    today = today or timezone.localdate()
    report = ImportReport(total=max(_count_lines(raw) - 1, 0))
    text = io.TextIOWrapper(raw, encoding=_encoding(raw), newline="", errors="replace")
    try:
        header_line = text.readline()
        if not header_line.strip():
            raise ValueError(_("Le fichier est vide."))
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
        columns = parsing.column_map(next(csv.reader([header_line], delimiter=delimiter)))
        reader = csv.reader(text, delimiter=delimiter)
        batch = _Batch(centre, report)
        seen: dict[tuple[str, str], int] = {}
        line_number = 1
        try:
            for row in reader:
                line_number = reader.line_num + 1  # the header was read before the reader
                if not any(cell.strip() for cell in row):
                    continue
                report.rows += 1
                try:
                    line = parsing.read_line(line_number, row, columns, today)
                except parsing.LineError as exc:
                    report.error(line_number, str(exc))
                    continue
                if line.key in seen:
                    report.error(line_number, _("Facture %(number)s déjà présente ligne "
                                                "%(first)s : ligne en double ignorée.")
                                 % {"number": line.number, "first": seen[line.key]})
                    continue
                seen[line.key] = line_number
                batch.lines.append(line)
                if len(batch.lines) >= BATCH:
                    batch.flush()
                    if progress:
                        progress(min(report.rows, report.total), report.total)
        except csv.Error as exc:
            raise ValueError(_("Fichier CSV illisible ligne %(line)s : %(why)s")
                             % {"line": line_number, "why": exc}) from None
        batch.flush()
        report.errors.sort()
        if progress:
            progress(report.total, report.total)
    finally:
        text.detach()
    return report


def import_file(path: Path, **kwargs) -> ImportReport:
    with path.open("rb") as raw:
        return import_stream(raw, **kwargs)
