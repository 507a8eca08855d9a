"""The restitutions' block on invoices waiting for service done."""

import html

import pytest
from django.urls import reverse

from invoices.importer import import_stream
from invoices.tests.conftest import extract, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(make_purchase_request, sp_agent, csp_agent, ordonnateur):
    from cases.workflow import State

    return make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                 agent=csp_agent, ordonnateur=ordonnateur).purchase_request


def test_the_restitutions_show_waiting_invoices_and_the_late_payment_cost(client, csp_head,
                                                                          order, sp):
    # Received 10/01/2025, still waiting on 31/12/2025 (the period's end is only a filter
    # on receipt; the wait runs to today).
    import_stream(extract(row(order.ej_number, received="10/01/2025")))
    client.force_login(csp_head)
    page = html.unescape(client.get(reverse("dashboards:restitutions"),
                                    {"start": "2025-01-01", "end": "2025-12-31"})
                         .content.decode())
    assert "Sans service fait : 1 facture(s), 1\u00a0200,00\u00a0€ TTC." in page
    assert 'id="chart-late-cost"' in page
    assert f"<th scope=\"row\">{sp.code}</th>" in page
    assert "janvier 2025" in page
