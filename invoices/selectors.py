"""Reads on invoices: who sees which (an SP its own services', a centre agent its centre's),
the ones waiting for service done with their delay and estimated cost, the restitutions'
figures."""

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from portal.models import Service
from portal.selectors import centres_of, prescribing_services_of

from .models import Invoice, MoratoriumRate


def rates() -> list[tuple[date, Decimal]]:
    """The ECB rates as (valid from, rate), read once per page or run."""
    return list(MoratoriumRate.objects.values_list("valid_from", "ecb_rate"))


def visible_invoices(user):
    """The invoices of the user's prescribing services and of the centres they work in."""
    return Invoice.objects.filter(
        Q(requesting_service__in=prescribing_services_of(user))
        | Q(processing_centre__in=centres_of(user)))


def invoice_services(user) -> list[Service]:
    """The services whose invoices the user sees (the list's service filter), by code."""
    return list(Service.objects.filter(
        Q(pk__in=prescribing_services_of(user)) | Q(processing_centre__in=centres_of(user)))
        .order_by("code"))


def invoice_for(user, pk: int) -> Invoice | None:
    return (visible_invoices(user).select_related("requesting_service", "processing_centre",
                                                   "case").filter(pk=pk).first())


def waiting_for_services(services):
    return (Invoice.objects.waiting().filter(requesting_service__in=services)
            .select_related("case", "requesting_service").order_by("received_on", "number"))


@dataclass
class Row:
    invoice: Invoice
    delay: object  # moratorium.PaymentDelay


def with_delays(invoices, *, today: date, known_rates=None) -> list[Row]:
    known_rates = rates() if known_rates is None else known_rates
    return [Row(invoice, invoice.delay(today=today, rates=known_rates)) for invoice in invoices]


def statement_url_args(invoice: Invoice) -> dict:
    """The service-done wizard's query string preselecting the invoice's order."""
    return {"da": invoice.case_id} if invoice.case_id else {}


# --- restitutions --------------------------------------------------------------------------


@dataclass
class ServiceMonth:
    service: str
    month: date
    late: int = 0
    cost: Decimal = Decimal("0.00")


@dataclass
class InvoiceFigures:
    waiting_count: int = 0
    waiting_amount: Decimal = Decimal("0.00")
    median_wait_days: float | None = None
    late_count: int = 0
    late_cost: Decimal = Decimal("0.00")
    cost_by_service_month: list[ServiceMonth] = field(default_factory=list)

    def cost_by_service(self) -> list[tuple[str, Decimal]]:
        totals: dict[str, Decimal] = {}
        for row in self.cost_by_service_month:
            totals[row.service] = totals.get(row.service, Decimal("0.00")) + row.cost
        return sorted(totals.items())

    def cost_chart(self) -> list[tuple[str, int]]:
        """The bar chart's values: whole euros (the chart scales numbers, not Decimals)."""
        return [(service, int(cost.to_integral_value())) for service, cost
                in self.cost_by_service()]


def invoice_figures(*, services, start: date, end: date, today: date) -> InvoiceFigures:
    """Over the invoices received from `start` to `end` (inclusive) by `services`: those
    still waiting for service done (count, TTC), the median wait for service done (days from
    receipt to certification, or to today for those still waiting), the estimated cost of
    paying late by service and month of receipt."""
    invoices = (Invoice.objects.payable()
                .filter(requesting_service__in=services, received_on__gte=start,
                        received_on__lte=end)
                .select_related("requesting_service").order_by())
    figures = InvoiceFigures()
    known_rates = rates()
    waits = []
    by_key: dict[tuple[str, date], ServiceMonth] = {}
    for invoice in invoices.iterator(chunk_size=2000):
        delay = invoice.delay(today=today, rates=known_rates)
        waits.append(delay.waiting_days)
        if invoice.covered_on is None:
            figures.waiting_count += 1
            figures.waiting_amount += invoice.amount_ttc
        if delay.late:
            month = invoice.received_on.replace(day=1)
            code = invoice.requesting_service.code
            row = by_key.setdefault((code, month), ServiceMonth(code, month))
            row.late += 1
            row.cost += delay.cost
            figures.late_count += 1
            figures.late_cost += delay.cost
    figures.median_wait_days = statistics.median(waits) if waits else None
    figures.cost_by_service_month = sorted(by_key.values(), key=lambda r: (r.service, r.month))
    return figures



HOME_BLOCK_SIZE = 10


@dataclass
class WaitingBlock:
    rows: list
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def waiting_block(services, *, today: date, size: int = HOME_BLOCK_SIZE) -> WaitingBlock:
    """The SP home's block: its invoices waiting for service done, the oldest first."""
    invoices = waiting_for_services(services)
    first = list(invoices[:size])
    # Counted, and the rates read, only when there is something to count or to date.
    count = invoices.count() if len(first) == size else len(first)
    return WaitingBlock(rows=with_delays(first, today=today) if first else [], count=count)
