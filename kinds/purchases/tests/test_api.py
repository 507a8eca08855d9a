"""The purchase request through the REST API: lines checked by the wizard's own formset (a
refused line named at its place, in French), an update, nothing written when refused."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, CaseKind, PurchaseRequest
from tests.factories import ActivityFactory, CostCentreFactory, FinancialCentreFactory, TiersFactory

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def test_a_purchase_request_is_checked_by_the_wizards_forms(sp, sp_agent):
    api = api_for(sp_agent)
    content = {"subject": "Cartouches", "financial_centre": FinancialCentreFactory(
        service=sp).code, "cost_centre": CostCentreFactory(service=sp).code,
        "activity": ActivityFactory(service=sp).code, "tiers": TiersFactory().pk,
        "lines": [{"label": "Cartouche", "quantity": "4", "unit_price_ht": "25.00",
                   "vat_rate": 20},
                  {"label": "Toner", "quantity": "0", "unit_price_ht": "1",
                   "vat_rate": "7"}]}
    refused = api.post("/api/cases/", {"kind": CaseKind.PURCHASE_REQUEST, "service": sp.code,
                                       "content": content}, format="json")
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert set(errors) == {"content.lines.1.quantity", "content.lines.1.vat_rate"}
    assert not Case.objects.exists()
    none = api.post("/api/cases/", {"kind": CaseKind.PURCHASE_REQUEST, "service": sp.code,
                                    "content": {**content, "lines": []}}, format="json")
    assert none.json()["errors"] == {"content.lines": ["Ajoutez au moins une ligne de "
                                                       "commande."]}
    created = api.post("/api/cases/", {"kind": CaseKind.PURCHASE_REQUEST, "service": sp.code,
                                       "content": {**content, "lines": content["lines"][:1]}},
                       format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    # The delivery address is the service's, as the web form fills it in.
    assert PurchaseRequest.objects.get(case_id=pk).delivery_address == sp.address
    updated = api.patch(f"/api/cases/{pk}/content/", {"content": {"lines": [
        {"label": "Cartouche", "quantity": "10", "unit_price_ht": "25", "vat_rate": "20"}]}},
        format="json")
    assert updated.status_code == 200, updated.json()
    assert updated.json()["amount"] == "300.00"
    assert updated.json()["subject"] == "Cartouches"
