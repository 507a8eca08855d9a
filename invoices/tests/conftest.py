"""Orders with an EJ, stand-in certified statements, and extracts written as Chorus Pro
writes them."""

import io
from datetime import datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Case, CaseKind
from cases.workflow import State
from invoices.services import refresh_coverage
from kinds.service_done.models import ServiceDoneStatement
from tests.factories import valid_siret

HEADER = ["Numéro de facture", "SIRET fournisseur", "Numéro EJ", "Montant HT", "Montant TTC",
          "Date de réception", "Statut"]
SIRET = valid_siret(4242)


@pytest.fixture
def order(make_purchase_request, sp_agent, csp_agent, ordonnateur):
    """A completed 1,200 € purchase request of `sp` with its EJ."""
    return make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                 agent=csp_agent, ordonnateur=ordonnateur).purchase_request


@pytest.fixture
def foreign_order(make_purchase_request, foreign_sp_agent, foreign_csp_agent):
    return make_purchase_request(foreign_sp_agent, amount="1200.00", state=State.COMPLETED,
                                 agent=foreign_csp_agent).purchase_request


def certify(order, amount, on):
    """A certified statement of `amount` TTC on `order`, certified on `on`, written directly
    (the real certification, signed, is played once in test_coverage), then the coverage
    refreshed as the import and the certification do."""
    case = Case.objects.create(
        kind=CaseKind.SERVICE_DONE, requesting_service=order.case.requesting_service,
        processing_centre=order.case.processing_centre, created_by=order.case.created_by,
        amount=Decimal(amount))
    Case.objects.filter(pk=case.pk).update(
        state=State.COMPLETED,
        completed_at=timezone.make_aware(datetime.combine(on, time(12))))
    ServiceDoneStatement.objects.create(case=case, purchase_request=order, delivered_on=on,
                                        amount_ttc=Decimal(amount))
    refresh_coverage([order.ej_number])
    return case


def extract(*rows, header=HEADER, sep=";", encoding="utf-8-sig") -> io.BytesIO:
    lines = [sep.join(header)] + [sep.join(str(cell) for cell in row) for row in rows]
    return io.BytesIO(("\r\n".join(lines) + "\r\n").encode(encoding))


def row(ej, number="F-0001", *, siret=SIRET, ht="1 000,00", ttc="1 200,00",
        received="15/03/2025", status="Mise à disposition"):
    return [number, siret, ej, ht, ttc, received, status]
