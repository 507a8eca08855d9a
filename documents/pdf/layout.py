"""What every PDF of the portal shares: A4 page, French formats, safe text, "page n/N"."""

import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from xml.sax.saxutils import escape

from django.utils import dateformat, timezone, translation
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from cases.identifiers import mask
from common.dates import long_date

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
# SimpleDocTemplate's frame keeps 6 pt of padding on each side.
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN - 12
NBSP = "\u00a0"
BLUE_FRANCE = colors.HexColor("#000091")
GREY_LINE = colors.HexColor("#929292")
GREY_FILL = colors.HexColor("#eeeeee")

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.5)
LABEL = ParagraphStyle("label", parent=BODY, fontName="Helvetica-Bold")
RIGHT = ParagraphStyle("right", parent=BODY, alignment=TA_RIGHT)
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=15,
                       leading=19, textColor=BLUE_FRANCE, spaceAfter=2 * mm)
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=10.5,
                         leading=13, spaceBefore=4 * mm, spaceAfter=1.5 * mm,
                         textColor=BLUE_FRANCE)


# Control and format characters that cp1252 can encode but that must not reach a PDF.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\xad]")


def pdf_text(value) -> str:
    """Text the standard PDF fonts can draw: no control characters, WinAnsi only.

    Characters outside the font's encoding keep their base letter when they have one
    ("ő" -> "o") and become "?" otherwise, so that no user input can break a document.
    """
    text = "" if value is None else str(value)
    try:
        text.encode("cp1252")
        if not _CONTROL.search(text):
            return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
            continue
        if unicodedata.category(ch)[0] == "C":
            continue
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if not unicodedata.combining(c))
            try:
                base.encode("cp1252")
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def para(value, style=BODY) -> Paragraph:
    """A paragraph of user text: escaped (Paragraph reads markup) and line breaks kept."""
    return Paragraph(escape(pdf_text(value)).replace("\n", "<br/>"), style)


def cell(value, width: float, style=BODY):
    """A table cell of user text for a column `width` points wide: a plain string when it
    fits on one line (reportlab draws those far faster than a Paragraph), a wrapping
    paragraph otherwise."""
    text = pdf_text(value)
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - 2 * 6:
        return text
    return para(text, style)


def markup(trusted_markup: str, style=BODY) -> Paragraph:
    """A paragraph whose markup is ours; any user value inside must go through `esc`."""
    return Paragraph(trusted_markup, style)


def esc(value) -> str:
    return escape(pdf_text(value))


def fr_number(value: Decimal | int, places: int = 2) -> str:
    quantum = Decimal(1).scaleb(-places)
    # Within as many digits as the value has: a stored amount of any size is written (the
    # default 28 digits raised InvalidOperation on one stored before cases.limits).
    value = Decimal(value)
    digits = max(value.adjusted(), 0) + places + 2
    value = value.quantize(quantum, ROUND_HALF_UP, context=Context(prec=digits))
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{value.copy_abs():f}".partition(".")  # abs() would round
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = NBSP.join(groups) or "0"
    return f"{sign}{text},{fraction}" if places else f"{sign}{text}"


def fr_quantity(value: Decimal) -> str:
    text = fr_number(value, 3).rstrip("0")
    return text.rstrip(",")


def fr_money(value: Decimal) -> str:
    return f"{fr_number(value)}{NBSP}€"


def fr_date(value: date | datetime) -> str:
    """« 1er janvier 2026 »: the portal's one way of writing a date in words."""
    return long_date(value)


def fr_datetime(value: datetime) -> str:
    with translation.override("fr"):
        return dateformat.format(timezone.localtime(value), "d/m/Y à H:i")


def mask_iban(iban: str) -> str:
    """Only the last 4 characters of an IBAN are printed on documents."""
    return mask(iban)


def grid(rows, col_widths, header_rows: int = 1, zebra: bool = False) -> Table:
    # splitInRow: a cell of user text taller than a page continues on the next one.
    table = Table(rows, colWidths=col_widths, repeatRows=header_rows, splitInRow=1)
    style = [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, GREY_LINE),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header_rows:
        style += [("BACKGROUND", (0, 0), (-1, header_rows - 1), GREY_FILL),
                  ("FONT", (0, 0), (-1, header_rows - 1), "Helvetica-Bold", 8.5)]
    table.setStyle(TableStyle(style))
    return table


def facts(pairs: list[tuple[str, object]], label_width: float = 45 * mm) -> Table:
    """Label/value rows (values are user text)."""
    rows = [[label, cell(value, CONTENT_WIDTH - label_width)] for label, value in pairs]
    table = Table(rows, colWidths=[label_width, CONTENT_WIDTH - label_width], splitInRow=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (0, -1), LABEL.fontName, LABEL.fontSize),
        ("FONT", (1, 0), (1, -1), BODY.fontName, BODY.fontSize),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]))
    return table


class _NumberedCanvas(canvas.Canvas):
    """Defers page output until the end so that every page can say "page n/N"."""

    footer: Callable[[canvas.Canvas, int, int], None]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self.footer(self, number, total)
            super().showPage()
        super().save()


@dataclass(frozen=True)
class PageFrame:
    """The running header and footer drawn on every page."""

    header_left: str
    header_right: str
    footer_left: str

    def draw_header(self, pdf: canvas.Canvas, doc) -> None:
        pdf.saveState()
        y = PAGE_HEIGHT - MARGIN + 6 * mm
        pdf.setFont("Helvetica-Bold", 8)
        pdf.setFillColor(BLUE_FRANCE)
        pdf.drawString(MARGIN, y, pdf_text(self.header_left))
        pdf.setFont("Helvetica", 8)
        pdf.setFillColor(colors.black)
        pdf.drawRightString(PAGE_WIDTH - MARGIN, y, pdf_text(self.header_right)[:110])
        pdf.setStrokeColor(GREY_LINE)
        pdf.setLineWidth(0.5)
        pdf.line(MARGIN, y - 2 * mm, PAGE_WIDTH - MARGIN, y - 2 * mm)
        pdf.restoreState()

    def draw_footer(self, pdf: canvas.Canvas, number: int, total: int) -> None:
        pdf.saveState()
        pdf.setFont("Helvetica", 7.5)
        pdf.drawString(MARGIN, MARGIN - 8 * mm, pdf_text(self.footer_left))
        pdf.drawRightString(PAGE_WIDTH - MARGIN, MARGIN - 8 * mm, f"Page {number}/{total}")
        pdf.restoreState()


def build(story: list[Flowable], frame: PageFrame, *, title: str, author: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + 6 * mm, bottomMargin=MARGIN,
                            title=pdf_text(title), author=pdf_text(author),
                            creator="Portail des centres de services partagés")

    def numbered_canvas(*args, **kwargs):
        pdf = _NumberedCanvas(*args, **kwargs)
        pdf.footer = frame.draw_footer
        return pdf

    doc.build(story, onFirstPage=frame.draw_header, onLaterPages=frame.draw_header,
              canvasmaker=numbered_canvas)
    return buffer.getvalue()
