"""The annual review as a PDF: its tables, and the year's requests per month as a chart."""

from decimal import Decimal

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from documents.pdf.layout import (
    BLUE_FRANCE,
    CONTENT_WIDTH,
    HEADING,
    SMALL,
    TITLE,
    PageFrame,
    build,
    cell,
    fr_datetime,
    fr_number,
    grid,
    para,
)

from .figures import AnnualReview, Table, month_label


def _value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return fr_number(Decimal(str(value)), 1)
    if isinstance(value, Decimal):
        return fr_number(value)
    return str(value)


def _table(table: Table) -> list:
    widths = [CONTENT_WIDTH * 0.4] + [CONTENT_WIDTH * 0.6 / max(1, len(table.header) - 1)] * (
        len(table.header) - 1)
    rows = [[cell(text, width) for text, width in zip(table.header, widths, strict=True)]]
    rows += [[cell(_value(value), width) for value, width in zip(row, widths, strict=True)]
             for row in table.rows]
    story = [para(table.title, HEADING)]
    if table.rows:
        story.append(grid(rows, widths, zebra=True))
    else:
        story.append(para(_("Aucune donnée pour l'année.")))
    if table.note:
        story.append(para(table.note, SMALL))
    return story


def _chart(review: AnnualReview) -> Drawing:
    """Requests received per month; the figures are also in the table that follows."""
    drawing = Drawing(CONTENT_WIDTH, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 10 * mm
    chart.width, chart.height = CONTENT_WIDTH - 20 * mm, 42 * mm
    chart.data = [review.monthly or [0] * 12]
    chart.categoryAxis.categoryNames = [month_label(i) for i in range(12)]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE_FRANCE
    drawing.add(chart)
    drawing.add(String(0, 56 * mm, _("Demandes reçues par mois"), fontName="Helvetica-Bold",
                       fontSize=9))
    return drawing


def review_pdf(review: AnnualReview) -> bytes:
    story = [para(review.title, TITLE), para(review.parties),
             para(_("Établi le %(when)s.") % {"when": fr_datetime(review.generated_at)}, SMALL),
             Spacer(1, 4 * mm), _chart(review),
             *_table(Table(_("Demandes reçues par mois"), [_("Mois"), _("Reçues")],
                           [[month_label(i), n] for i, n in enumerate(review.monthly)]))]
    for table in review.tables:
        story += [Spacer(1, 3 * mm), *_table(table)]
    frame = PageFrame(header_left=_("Bilan annuel de la convention"),
                      header_right=review.parties,
                      footer_left=review.scope.centre.name)
    return build(story, frame, title=review.title, author=review.scope.centre.name)
