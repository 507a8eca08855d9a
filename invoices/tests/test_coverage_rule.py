"""The covered rule on plain values (invoices.coverage): cumulative TTC, in order of
receipt, against the EJ's certified statements."""

from datetime import date
from decimal import Decimal

from invoices.coverage import InvoiceAmount, coverage_dates


def inv(key, received, amount, payable=True):
    return InvoiceAmount(key=key, received_on=received, number=key, amount_ttc=Decimal(amount),
                         payable=payable)


def test_a_certified_amount_equal_to_the_invoice_covers_it_one_cent_less_does_not():
    invoices = [inv("A", date(2025, 3, 1), "1200.00")]
    assert coverage_dates(invoices, [(date(2025, 3, 5), Decimal("1200.00"))]) == {
        "A": date(2025, 3, 5)}
    assert coverage_dates(invoices, [(date(2025, 3, 5), Decimal("1199.99"))]) == {"A": None}


def test_invoices_of_one_ej_are_covered_in_the_order_they_were_received():
    invoices = [inv("second", date(2025, 4, 1), "500.00"), inv("first", date(2025, 3, 1),
                                                                  "700.00")]
    certified = [(date(2025, 3, 10), Decimal("700.00"))]
    assert coverage_dates(invoices, certified) == {"first": date(2025, 3, 10), "second": None}
    certified.append((date(2025, 4, 20), Decimal("500.00")))
    assert coverage_dates(invoices, certified) == {"first": date(2025, 3, 10),
                                                   "second": date(2025, 4, 20)}


def test_the_coverage_date_is_the_certification_that_reached_the_amount():
    invoices = [inv("A", date(2025, 3, 1), "1000.00")]
    certified = [(date(2025, 5, 2), Decimal("400.00")), (date(2025, 4, 1), Decimal("600.00"))]
    assert coverage_dates(invoices, certified) == {"A": date(2025, 5, 2)}


def test_a_rejected_invoice_takes_no_share_of_the_certified_amount():
    invoices = [inv("rejected", date(2025, 3, 1), "700.00", payable=False),
                inv("good", date(2025, 3, 2), "700.00")]
    assert coverage_dates(invoices, [(date(2025, 3, 5), Decimal("700.00"))]) == {
        "rejected": None, "good": date(2025, 3, 5)}


def test_no_statement_covers_nothing():
    assert coverage_dates([inv("A", date(2025, 3, 1), "1.00")], []) == {"A": None}
