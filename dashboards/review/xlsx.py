"""The annual review as a workbook: one sheet per table, the same figures as the PDF."""

import io

from django.utils.translation import gettext as _

from documents.spreadsheets import sheet_title, xlsx_cell

from .figures import AnnualReview, Table, month_label


def _sheet(workbook, table: Table, used: set[str]) -> None:
    # Room left to make it unique: a sheet title has at most 31 characters.
    title = sheet_title(table.title, 28)
    while title in used:
        title = title[:26] + f" {len(used)}"
    used.add(title)
    sheet = workbook.create_sheet(title)
    sheet.append([xlsx_cell(sheet, value) for value in table.header])
    for row in table.rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    if table.note:
        sheet.append([])
        sheet.append([xlsx_cell(sheet, table.note)])


def review_xlsx(review: AnnualReview) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    _sheet(workbook, Table(review.title, [_("Parties"), _("Année")],
                           [[review.parties, review.scope.year]]), used)
    _sheet(workbook, Table(_("Demandes reçues par mois"), [_("Mois"), _("Reçues")],
                           [[month_label(i), n] for i, n in enumerate(review.monthly)]), used)
    for table in review.tables:
        _sheet(workbook, table, used)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
