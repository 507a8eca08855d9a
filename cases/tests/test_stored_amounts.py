"""No stored amount takes a page down. SQLite enforces no max_digits: a draft posted before the
limits (cases.limits) kept 1.2e21 € in its row, and from then on reading it raised in
Django's decimal converter — every page of its creator and of the centre answered 500 and
the CSV export stopped mid-stream. Such a row is written here directly, as the old API did,
and every page listing it is read."""

from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, PurchaseLine, PurchaseRequest
from cases.workflow import State

pytestmark = pytest.mark.django_db

AMOUNTS = [
    # The largest the columns hold (beyond today's limits, within numeric(14, 2)).
    Decimal("999999999999.99"),
    # What the audit's request stored on SQLite.
    Decimal("1200000000000000000000.00"),
]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.parametrize("amount", AMOUNTS)
def test_pages_exports_and_the_api_show_any_stored_amount(client, make_purchase_request,
                                                          sp_agent, csp_agent, amount):
    if amount >= Decimal("1e12") and connection.vendor != "sqlite":
        pytest.skip("numeric(14, 2) refuses to store it: no such row can exist")
    submitted = make_purchase_request(sp_agent, state=State.SUBMITTED)
    draft = make_purchase_request(sp_agent, state=State.DRAFT)
    for case in (submitted, draft):
        Case.objects.filter(pk=case.pk).update(amount=amount)
        PurchaseRequest.objects.filter(case=case).update(
            amount_ht=amount, amount_vat=amount, amount_ttc=amount)
        PurchaseLine.objects.filter(purchase_request_id=case.pk).update(
            quantity=Decimal("999999999.999"), unit_price_ht=amount)
    pages = {
        sp_agent: ["/", "/demandes/", f"/dossiers/{submitted.pk}/",
                   f"/dossiers/{submitted.pk}/recapitulatif.pdf",
                   "/demandes/export.csv", "/demandes/export.xlsx"],
        csp_agent: ["/", "/corbeille/", "/corbeille/?state=all", f"/dossiers/{submitted.pk}/",
                    f"/dossiers/{submitted.pk}/recapitulatif.pdf",
                    "/corbeille/export.csv", "/corbeille/export.xlsx"],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            body = _body(response)
            assert response.status_code == 200, (user.username, url, response.status_code)
            if url.endswith(".csv"):
                # The whole export, the case's row included, not cut mid-stream.
                assert submitted.reference.encode() in body
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        listed = api.get("/api/cases/", {"state": "all"})
        assert listed.status_code == 200
        amounts = {row["id"]: row["amount"] for row in listed.json()["results"]}
        assert Decimal(amounts[submitted.pk]) == amount
        detail = api.get(f"/api/cases/{submitted.pk}/")
        assert detail.status_code == 200 and Decimal(detail.json()["amount"]) == amount
