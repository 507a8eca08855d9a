"""Amounts of order lines: pure arithmetic on Decimal, shared by the services, the forms, the
API and the PDFs (no model, no query)."""

from dataclasses import dataclass
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext

CENT = Decimal("0.01")
# Exact whatever the figures: a line stored before cases.limits (or one being checked against
# them) may exceed the default context's 28 digits, where rounding to the cent would raise
# InvalidOperation and take its page down.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@dataclass(frozen=True)
class LineData:
    label: str
    quantity: Decimal
    unit_price_ht: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class Totals:
    ht: Decimal
    vat: Decimal
    ttc: Decimal


def line_totals(line: LineData) -> Totals:
    with localcontext(EXACT):
        ht = (line.quantity * line.unit_price_ht).quantize(CENT, ROUND_HALF_UP)
        vat = (ht * line.vat_rate / 100).quantize(CENT, ROUND_HALF_UP)
        return Totals(ht=ht, vat=vat, ttc=ht + vat)


def purchase_totals(lines: list[LineData]) -> Totals:
    per_line = [line_totals(line) for line in lines]
    with localcontext(EXACT):
        ht = sum((t.ht for t in per_line), Decimal("0.00"))
        vat = sum((t.vat for t in per_line), Decimal("0.00"))
        return Totals(ht=ht, vat=vat, ttc=ht + vat)
