"""One set of limits for a purchase request's lines (cases.limits): the web wizard's line
forms, the API's serializers and the filling service accept exactly the same lines — none
the web refuses gets through the API — and a refused request writes nothing."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import amounts, limits, services
from cases.models import Case, CaseKind, PurchaseLine, PurchaseRequest
from kinds.purchases import services as purchases
from kinds.purchases.api import PurchaseRequestDraft
from kinds.purchases.forms import LineFormSet
from tests.factories import ActivityFactory, CostCentreFactory, FinancialCentreFactory, TiersFactory

pytestmark = pytest.mark.django_db

QUANTITIES = st.one_of(
    st.decimals(min_value=Decimal("-1"), max_value=Decimal("2e9"), places=3),
    st.sampled_from([Decimal("0"), limits.MIN_QUANTITY, Decimal("999999999"),
                     limits.MAX_QUANTITY, limits.MAX_QUANTITY + Decimal("0.001"),
                     Decimal("1.0001"), Decimal("1e11")]))
PRICES = st.one_of(
    st.decimals(min_value=Decimal("-1"), max_value=Decimal("2e12"), places=2),
    st.sampled_from([Decimal("0"), Decimal("0.01"), limits.MAX_UNIT_PRICE,
                     limits.MAX_UNIT_PRICE + Decimal("0.01"), Decimal("999999999999.99"),
                     Decimal("10.001")]))
RATES = st.sampled_from([*limits.VAT_RATES, Decimal("7.00"), Decimal("19.60"),
                         Decimal("99.99"), Decimal("-5.50")])
LINES = st.lists(st.tuples(QUANTITIES, PRICES, RATES), min_size=1, max_size=3)


def _within_limits(lines) -> bool:
    """The rule, written from the bounds themselves."""
    for quantity, price, rate in lines:
        if not (limits.MIN_QUANTITY <= quantity <= limits.MAX_QUANTITY
                and quantity == quantity.quantize(Decimal("0.001"))
                and limits.MIN_UNIT_PRICE <= price <= limits.MAX_UNIT_PRICE
                and price == price.quantize(Decimal("0.01")) and rate in limits.VAT_RATES):
            return False
        if (quantity * price).quantize(Decimal("0.01"), ROUND_HALF_UP) > limits.MAX_AMOUNT:
            return False
    data = [amounts.LineData("Article", q, p, r) for q, p, r in lines]
    return amounts.purchase_totals(data).ttc <= limits.MAX_AMOUNT


def _plain(value: Decimal) -> str:
    return format(value, "f")


def _web_accepts(lines) -> bool:
    data = {"lignes-TOTAL_FORMS": str(len(lines)), "lignes-INITIAL_FORMS": "0",
            "lignes-MIN_NUM_FORMS": "1", "lignes-MAX_NUM_FORMS": "50"}
    for i, (quantity, price, rate) in enumerate(lines):
        # As people type them in French: a decimal comma.
        data.update({f"lignes-{i}-label": "Article",
                     f"lignes-{i}-quantity": _plain(quantity).replace(".", ","),
                     f"lignes-{i}-unit_price_ht": _plain(price).replace(".", ","),
                     f"lignes-{i}-vat_rate": _plain(rate)})
    return LineFormSet(data=data, prefix="lignes").is_valid()


def _api_accepts(lines) -> bool:
    """The API's lines (JSON, a decimal point) become the data of the wizard's own formset
    (kinds.purchases.api), which checks them."""
    errors = {}
    rows = PurchaseRequestDraft().lines_data(
        [{"label": "Article", "quantity": _plain(q), "unit_price_ht": _plain(p),
          "vat_rate": _plain(r)} for q, p, r in lines], errors)
    assert not errors, errors
    data = MultiValueDict({f"lignes-{name}": values for name, values in rows.items()})
    return LineFormSet(data=data, prefix="lignes").is_valid()


def _snapshot(case):
    case.refresh_from_db()
    request = PurchaseRequest.objects.filter(case=case).values().first()
    lines = list(PurchaseLine.objects.filter(purchase_request_id=case.pk).values_list(
        "quantity", "unit_price_ht", "vat_rate"))
    return case.amount, case.version, request, lines


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines=LINES)
def test_the_web_form_the_api_and_the_service_accept_the_same_lines(sp, sp_agent, lines):
    draft = services.case_draft_create(actor=sp_agent, service=sp,
                                       kind=CaseKind.PURCHASE_REQUEST)
    data = purchases.PurchaseRequestData(
        subject="Achat", financial_centre=FinancialCentreFactory(service=sp),
        cost_centre=CostCentreFactory(service=sp), activity=ActivityFactory(service=sp),
        funds=None, tiers=TiersFactory(),
        lines=[amounts.LineData("Article", q, p, r) for q, p, r in lines])
    before = _snapshot(draft)
    try:
        purchases.purchase_request_fill(case=draft, actor=sp_agent, data=data)
        service_accepts = True
    except services.CaseError as exc:
        service_accepts = False
        assert exc.field == "lines"
        assert _snapshot(draft) == before, "a refused request wrote something"
    expected = _within_limits(lines)
    assert (_web_accepts(lines), _api_accepts(lines), service_accepts) == (expected,) * 3


def test_the_number_of_lines_is_bounded_everywhere(sp, sp_agent):
    line = ("Article", Decimal("1"), Decimal("1.00"), Decimal("20.00"))
    for count, accepted in ((0, False), (1, True), (limits.MAX_LINES, True),
                            (limits.MAX_LINES + 1, False)):
        lines = [line[1:]] * count
        assert _api_accepts(lines) is accepted
        draft = services.case_draft_create(actor=sp_agent, service=sp,
                                           kind=CaseKind.PURCHASE_REQUEST)
        data = purchases.PurchaseRequestData(
            subject="Achat", financial_centre=FinancialCentreFactory(service=sp),
            cost_centre=CostCentreFactory(service=sp), activity=ActivityFactory(service=sp),
            funds=None, tiers=TiersFactory(), lines=[amounts.LineData(*line)] * count)
        if accepted:
            purchases.purchase_request_fill(case=draft, actor=sp_agent, data=data)
        else:
            with pytest.raises(services.CaseError):
                purchases.purchase_request_fill(case=draft, actor=sp_agent, data=data)
        if count:
            assert _web_accepts(lines) is accepted


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize(("lines", "field"), [
    # The audit's line: 999,999,999 × 999,999,999,999.99 €.
    ([("999999999", "999999999999.99")], "content.lines.0.unit_price_ht"),
    # Lines each within bounds whose total is 600 billion € TTC.
    ([("500", "999999999.99")] * 2 + [("1", "1.00")], "content.lines.0.unit_price_ht"),
    ([("1", "999999999.99")] * 50, "content.lines"),
])
def test_the_api_refuses_out_of_bounds_amounts_and_writes_nothing(sp, sp_agent, lines, field):
    body = {"kind": "purchase_request", "service": sp.code, "content": {
        "subject": "Achat démesuré", "financial_centre": FinancialCentreFactory(service=sp).code,
        "cost_centre": CostCentreFactory(service=sp).code,
        "activity": ActivityFactory(service=sp).code, "tiers": TiersFactory().pk,
        "lines": [{"label": "Article", "quantity": q, "unit_price_ht": p, "vat_rate": "20.00"}
                  for q, p in lines]}}
    response = _api(sp_agent).post("/api/cases/", body, format="json")
    assert response.status_code == 400, response.content
    refusal = response.json()
    assert refusal["field"] == field
    assert "dépasse" in refusal["detail"]
    assert not Case.objects.exists() and not PurchaseLine.objects.exists()
