"""Coverage through the services: a real certification (signed) covers its EJ's invoices
in the certification's transaction; a partial one covers only what it pays for."""

from datetime import date

import pytest
from django.utils import timezone

from cases.workflow import Action
from invoices.importer import import_stream
from invoices.models import Invoice
from kinds.service_done.tests.test_services import act, draft, in_progress

from .conftest import certify, extract, row

pytestmark = pytest.mark.django_db


def test_certifying_the_statement_covers_the_invoice_the_same_day(
        order, sp_agent, ordonnateur, csp_agent, give_credential):
    import_stream(extract(row(order.ej_number, received="01/03/2025")))
    assert Invoice.objects.waiting().count() == 1
    give_credential(csp_agent)
    case = in_progress(draft(sp_agent, order, "1"), sp_agent, ordonnateur, csp_agent)
    assert Invoice.objects.get().covered_on is None  # stated, not yet certified
    act(case, Action.CERTIFY, csp_agent)
    invoice = Invoice.objects.get()
    assert invoice.covered_on == timezone.localdate()
    assert not invoice.waiting and not Invoice.objects.waiting().exists()


def test_a_partial_statement_covers_the_first_invoice_only(order):
    import_stream(extract(row(order.ej_number, "F-1", ht="583,33", ttc="700,00",
                              received="01/03/2025"),
                          row(order.ej_number, "F-2", ht="416,67", ttc="500,00",
                              received="02/03/2025")))
    certify(order, "699.99", date(2025, 3, 10))
    assert set(Invoice.objects.waiting().values_list("number", flat=True)) == {"F-1", "F-2"}
    certify(order, "0.01", date(2025, 3, 11))
    assert dict(Invoice.objects.values_list("number", "covered_on")) == {
        "F-1": date(2025, 3, 11), "F-2": None}
    certify(order, "500.00", date(2025, 3, 12))
    assert dict(Invoice.objects.values_list("number", "covered_on")) == {
        "F-1": date(2025, 3, 11), "F-2": date(2025, 3, 12)}


def test_a_rejected_invoice_never_waits_nor_costs(order):
    import_stream(extract(row(order.ej_number, status="REJETEE", received="01/03/2025")))
    assert Invoice.objects.count() == 1 and not Invoice.objects.waiting().exists()
    delay = Invoice.objects.get().delay(today=date(2025, 12, 1), rates=[])
    assert (delay.waiting_days, delay.days_late, delay.cost) == (0, 0, 0)
