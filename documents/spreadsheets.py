"""Every CSV and XLSX file the portal writes goes through here, so that none carries a formula.

A case subject, a supplier name or a comment is typed by someone; a spreadsheet opening the
export would run `=HYPERLINK(...)`, `+cmd|...`, `@SUM(...)` as a formula (CSV/DDE injection).
Text is therefore written as text: any value a spreadsheet could read as a formula gets a
leading apostrophe, and in XLSX every text cell is stored as a string (openpyxl would turn
a value starting with "=" into a live formula). Numbers, dates and amounts keep their type:
they come from the database, never from free text, and a negative amount stays a number.

French conventions: ";" separator, decimal comma, dd/mm/yyyy dates, a BOM so that the CSV
is read as UTF-8.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection"): the four
# operators, their full-width forms (some spreadsheets fold them), and tab / carriage
# return / line feed, after which some importers re-read the rest of the cell.
FORMULA_OPERATORS = frozenset("=+-@＝＋－＠")
CONTROL_STARTS = frozenset("\t\r\n")
# What a spreadsheet (or the XLSX writer, for control characters) may drop or skip before
# deciding that a cell is a formula.
_LEADING_BLANKS = "".join(map(chr, range(0x20))) + " \u00a0\u3000"
# Characters XML 1.0 (so XLSX) cannot hold at all: openpyxl refuses a cell containing one.
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

MONEY_FORMAT = "#,##0.00"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
DATE_FORMAT = "DD/MM/YYYY"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def starts_formula(text: str) -> bool:
    if not text:
        return False
    if text[0] in CONTROL_STARTS:
        return True
    return text.lstrip(_LEADING_BLANKS)[:1] in FORMULA_OPERATORS


def safe_text(value) -> str:
    """The text as a spreadsheet must show it: with a leading apostrophe when it would
    otherwise start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if starts_formula(text) else text


# --- CSV ----------------------------------------------------------------------------------------


def _csv_value(value) -> str:
    """One cell of a French CSV: amounts with a decimal comma, dates dd/mm/yyyy, text made
    safe. Numbers are written by this module, so a negative amount stays "-12,50"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int | float):
        return str(value).replace(".", ",")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return safe_text(value)


class _Echo:
    """csv.writer writes to it; the line comes back to be streamed."""

    def write(self, value):
        return value


def french_csv(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV, line by line (to stream it): the header, then one line per row. Values keep
    their Python type until here: Decimal, datetime, date, int, or text (made safe)."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([_csv_value(value) for value in header])
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


# --- XLSX ---------------------------------------------------------------------------------------


def xlsx_cell(sheet, value):
    """A write-only cell: numbers and dates typed and formatted, anything else a string."""
    # Imported here: pyHanko, reportlab and openpyxl weigh ~30 MB, loaded only by the
    # processes that use them.
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    if isinstance(value, int | float) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    text = safe_text(_ILLEGAL_IN_XLSX.sub("", str(value)))
    if not text:
        return WriteOnlyCell(sheet, value=None)  # an empty cell, not an empty string
    cell = WriteOnlyCell(sheet, value=text)
    # Stated, not inferred: openpyxl infers a formula from "=", an error from "#N/A".
    cell.data_type = "s"
    return cell


def sheet_title(title: str, length: int = 31) -> str:
    """A sheet's title: without []:*?/\\ and at most 31 characters (or `length`)."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:length]


def xlsx_workbook(title: str, header: list[str], rows: Iterable[list], *, freeze_header=True):
    """A one-sheet workbook written row by row (write-only mode: memory stays flat whatever
    the number of rows). Returns the openpyxl Workbook, to be saved by the caller."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    if freeze_header:
        sheet.freeze_panes = "A2"
    sheet.append([xlsx_cell(sheet, value) for value in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    return workbook
