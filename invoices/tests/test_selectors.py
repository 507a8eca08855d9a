"""The restitutions' invoice figures against values worked by hand."""

from datetime import date
from decimal import Decimal

import pytest

from cases.workflow import State
from invoices.importer import import_stream
from invoices.selectors import invoice_figures

from .conftest import certify, extract, row

pytestmark = pytest.mark.django_db


def test_invoice_figures_match_hand_computed_values(order, make_purchase_request, sp_agent,
                                                    csp_agent, ordonnateur, sp,
                                                    foreign_order):
    other = make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                  agent=csp_agent, ordonnateur=ordonnateur).purchase_request
    import_stream(extract(
        row(order.ej_number, "A", received="10/01/2025"),
        row(other.ej_number, "B", received="10/03/2025"),
        row(other.ej_number, "OUT", received="10/04/2025"),  # after the period
        row(foreign_order.ej_number, "FOREIGN", received="10/01/2025"),  # another service
        row(other.ej_number, "REJ", received="11/03/2025", status="Rejetée"),  # never paid
    ))
    certify(order, "1200.00", date(2025, 3, 11))
    figures = invoice_figures(services=[sp], start=date(2025, 1, 1), end=date(2025, 3, 31),
                              today=date(2025, 3, 31))
    # B waits (1,200 € TTC). A waited 10/01 → 11/03 = 60 days, B 10/03 → 31/03 = 21:
    # median 40.5.
    assert (figures.waiting_count, figures.waiting_amount) == (1, Decimal("1200.00"))
    assert figures.median_wait_days == 40.5
    # A: due 09/02, certified 11/03: 30 days late at 3.15 + 8 = 11.15 %:
    # 1,200 × 11.15 % × 30 / 365 = 4,014 / 365 = 10.997… → 11.00 €; + 40 € = 51.00 €.
    # B is due on 09/04: not late.
    assert (figures.late_count, figures.late_cost) == (1, Decimal("51.00"))
    [month] = figures.cost_by_service_month
    assert (month.service, month.month, month.late, month.cost) == (
        sp.code, date(2025, 1, 1), 1, Decimal("51.00"))
    assert figures.cost_by_service() == [(sp.code, Decimal("51.00"))]


def test_no_invoice_no_median(sp):
    figures = invoice_figures(services=[sp], start=date(2025, 1, 1), end=date(2025, 3, 31),
                              today=date(2025, 3, 31))
    assert figures.median_wait_days is None and figures.waiting_count == 0
