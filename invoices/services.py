"""Writes on invoices: their coverage by certified service done, refreshed on import and on
each certification."""

from datetime import date

from django.conf import settings
from django.utils import timezone

from cases.workflow import Action, State
from conventions.selectors import convention_in_force
from kinds.service_done.models import ServiceDoneStatement

from .coverage import InvoiceAmount, coverage_dates
from .models import Invoice


def payment_delay_days(service, centre, on: date) -> int:
    """Calendar days to pay an invoice received on `on`: the convention's, else the
    setting (30, the State's legal delay)."""
    convention = convention_in_force(service=service, centre=centre, on=on)
    if convention is not None:
        return convention.payment_delay_days
    return settings.INVOICE_PAYMENT_DELAY_DAYS


def refresh_coverage(ej_numbers) -> int:
    """Recompute `covered_on` of the invoices of these EJs (invoices.coverage's rule);
    returns how many changed."""
    ej_numbers = set(ej_numbers)
    if not ej_numbers:
        return 0
    invoices: dict[str, list[Invoice]] = {}
    for invoice in Invoice.objects.filter(ej_number__in=ej_numbers).only(
            "pk", "ej_number", "number", "received_on", "amount_ttc", "status", "covered_on"):
        invoices.setdefault(invoice.ej_number, []).append(invoice)
    certified: dict[str, list] = {}
    for ej, completed_at, amount in ServiceDoneStatement.objects.filter(
            purchase_request__ej_number__in=invoices, case__state=State.COMPLETED,
            case__completed_at__isnull=False).values_list(
            "purchase_request__ej_number", "case__completed_at", "amount_ttc"):
        certified.setdefault(ej, []).append((timezone.localdate(completed_at), amount))
    changed = []
    for ej, group in invoices.items():
        dates = coverage_dates(
            [InvoiceAmount(key=invoice.pk, received_on=invoice.received_on,
                           number=invoice.number, amount_ttc=invoice.amount_ttc,
                           payable=invoice.payable) for invoice in group],
            certified.get(ej, []))
        for invoice in group:
            if invoice.covered_on != dates[invoice.pk]:
                invoice.covered_on = dates[invoice.pk]
                changed.append(invoice)
    Invoice.objects.bulk_update(changed, ["covered_on"])
    return len(changed)


def coverage_on_certification(sender, event, **kwargs) -> None:
    """case_transitioned receiver: a certified statement may cover its EJ's invoices (in the
    certification's transaction)."""
    if event.action != Action.CERTIFY:
        return
    ej = (ServiceDoneStatement.objects.filter(case_id=event.case_id)
          .values_list("purchase_request__ej_number", flat=True).first())
    if ej:
        refresh_coverage([ej])
