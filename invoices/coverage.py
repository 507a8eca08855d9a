"""Which invoices of an EJ the certified service done covers, and since when.

The rule (amounts, TTC on both sides: statements state TTC amounts): the invoices of one EJ
are covered in the order they were received (then by number); an invoice is covered once
the certified statements of the EJ add up to at least the TTC of that invoice plus the
invoices received before it. Its coverage date is the certification that made the sum reach
it. So a 1,200 € order invoiced 700 € then 500 €: a first 700 € statement covers the first
invoice only; a 699.99 € one covers none. Invoices rejected or cancelled in Chorus Pro take
no part (`payable=False`).

Pure: plain values in, plain values out.
"""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class InvoiceAmount:
    key: Hashable
    received_on: date
    number: str
    amount_ttc: Decimal
    payable: bool = True


def coverage_dates(invoices: Iterable[InvoiceAmount],
                   certified: Iterable[tuple[date, Decimal]]) -> dict:
    """{invoice key: date covered or None} for the invoices of ONE EJ, given its certified
    statements as (certification date, amount TTC)."""
    steps: list[tuple[date, Decimal]] = []
    running = Decimal("0")
    for certified_on, amount in sorted(certified, key=lambda item: item[0]):
        running += amount
        steps.append((certified_on, running))
    result = {}
    invoiced = Decimal("0")
    for invoice in sorted(invoices, key=lambda i: (i.received_on, i.number)):
        if not invoice.payable:
            result[invoice.key] = None
            continue
        invoiced += invoice.amount_ttc
        result[invoice.key] = next((on for on, total in steps if total >= invoiced), None)
    return result
