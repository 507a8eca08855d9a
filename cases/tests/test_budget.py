"""A purchase request's imputations hold together (cases.budget): one budget programme for
the centre financier, the activité and a fonds de concours naming one, all from the requesting
service's referential in force — checked by the wizard's form, by the filling service (so the
API too), and again at submission."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import amounts, services
from cases.budget import imputation_clashes, programme_of
from cases.models import BudgetImputation, CaseKind, ImputationAxis, PurchaseRequest
from cases.services import CaseError
from cases.workflow import Action, State
from documents.models import AttachmentKind
from documents.services import attachment_add
from kinds.purchases import services as purchases
from tests.factories import (
    ActivityFactory,
    CostCentreFactory,
    FinancialCentreFactory,
    FundsFactory,
    TiersFactory,
)
from tests.fixtures import tiny_pdf

pytestmark = pytest.mark.django_db

programmes = st.integers(min_value=1, max_value=9999)
# What follows the programme in each axis' Chorus code.
bop_uo = st.from_regex(r"[A-Z0-9]{2,4}-[A-Z0-9]{2,4}", fullmatch=True)
activity_tail = st.from_regex(r"[0-9]{8}", fullmatch=True)


def imputation(service, axis, code, **kwargs):
    """Unsaved: the check reads the row's fields, never the database."""
    return BudgetImputation(service=service, axis=axis, code=code, label=code, **kwargs)


def centre(service, programme, tail="DGAL-DR51"):
    return imputation(service, ImputationAxis.FINANCIAL_CENTRE, f"{programme:04d}-{tail}")


def activity(service, programme, tail="01010101"):
    return imputation(service, ImputationAxis.ACTIVITY, f"{programme:04d}{tail}")


# --- the rule ---------------------------------------------------------------------------------


@given(programmes, bop_uo, programmes, activity_tail)
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_centre_and_an_activity_clash_exactly_when_their_programmes_differ(
        sp, first, tail, second, activity_code_tail):
    fc, act = centre(sp, first, tail), activity(sp, second, activity_code_tail)
    clashes = imputation_clashes(sp, financial_centre=fc, activity=act,
                                 cost_centre=imputation(sp, "cost_centre", "AGRDRAAF01"))
    if first == second:
        assert clashes == []
        return
    [clash] = clashes
    assert clash.field == "activity"
    # The message names both codes and both programmes.
    assert clash.message.startswith(f"Le centre financier {fc.code} relève du programme "
                                    f"{first} mais l'activité {act.code} du programme {second}")


@given(programmes, programmes, programmes)
@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_fonds_de_concours_naming_a_programme_must_name_the_same(sp, first, second, third):
    funds = imputation(sp, ImputationAxis.FUNDS, f"{third:04d}-FDC-01")
    clashes = imputation_clashes(sp, financial_centre=centre(sp, first),
                                 activity=activity(sp, second), funds=funds)
    assert {c.field for c in clashes} == ({"activity"} if second != first else set()) | (
        {"funds"} if third != first else set())


@pytest.mark.parametrize("code", ["AGRDRAAF01", "CC000001", "1-2-00187", "FDC00001", "0206",
                                  "02060101010", "0206010101011", "206-DGAL-DR51", ""])
def test_codes_that_name_no_programme(code):
    assert programme_of(code) is None


@pytest.mark.parametrize("code,programme", [("0206-DGAL-DR51", 206), ("021501010101", 215),
                                            ("0354-ATES-DD49", 354)])
def test_codes_that_name_their_programme(code, programme):
    assert programme_of(code) == programme


@pytest.mark.parametrize("axis", ["financial_centre", "cost_centre", "activity", "funds"])
def test_every_axis_comes_from_the_requesting_services_referential_in_force(sp, other_sp,
                                                                           axis):
    chosen = {"financial_centre": centre(sp, 206), "activity": activity(sp, 206),
              "cost_centre": imputation(sp, "cost_centre", "AGRDRAAF01"),
              "funds": imputation(sp, "funds", "1-2-00187")}
    assert imputation_clashes(sp, **chosen) == []
    foreign = {**chosen, axis: imputation(other_sp, axis, chosen[axis].code)}
    closed = {**chosen, axis: imputation(sp, axis, chosen[axis].code, active=False)}
    for imputations in (foreign, closed):
        [clash] = imputation_clashes(sp, **imputations)
        assert clash.field == axis and chosen[axis].code in clash.message


# --- the filling service, the API, submission ------------------------------------------------


def mismatching(service):
    """A centre financier of programme 206 and an activité of programme 215."""
    return {"financial_centre": FinancialCentreFactory(service=service, code="0206-DGAL-DR51"),
            "activity": ActivityFactory(service=service, code="021501010101")}


def request_data(service, **imputations):
    base = {"financial_centre": FinancialCentreFactory(service=service),
            "cost_centre": CostCentreFactory(service=service),
            "activity": ActivityFactory(service=service), "funds": None}
    return purchases.PurchaseRequestData(
        subject="Fournitures", tiers=TiersFactory(), **{**base, **imputations},
        lines=[amounts.LineData(label="Papier", quantity=Decimal("1"),
                                 unit_price_ht=Decimal("100"), vat_rate=Decimal("20"))])


@pytest.mark.parametrize("clash", ["activity", "funds"])
def test_the_filling_service_refuses_imputations_of_two_programmes(sp, sp_agent, clash):
    case = services.case_draft_create(actor=sp_agent, service=sp,
                                      kind=CaseKind.PURCHASE_REQUEST)
    chosen = mismatching(sp)
    if clash == "funds":
        chosen = {"financial_centre": chosen["financial_centre"],
                  "activity": ActivityFactory(service=sp, code="020601010101"),
                  "funds": FundsFactory(service=sp, code="0215-FDC-01")}
    with pytest.raises(CaseError) as error:
        purchases.purchase_request_fill(case=case, actor=sp_agent, data=request_data(sp, **chosen))
    assert error.value.field == clash
    assert "programme 206" in error.value.message and "programme 215" in error.value.message
    assert not PurchaseRequest.objects.filter(case=case).exists()


def test_the_filling_service_refuses_a_cost_centre_of_another_service(sp, other_sp, sp_agent):
    case = services.case_draft_create(actor=sp_agent, service=sp,
                                      kind=CaseKind.PURCHASE_REQUEST)
    with pytest.raises(CaseError) as error:
        purchases.purchase_request_fill(case=case, actor=sp_agent, data=request_data(
            sp, cost_centre=CostCentreFactory(service=other_sp)))
    assert error.value.field == "cost_centre"


def test_submission_refuses_a_draft_whose_imputations_clash(sp, sp_agent):
    """A draft filled before the rule (or whose referential changed since) is not submitted."""
    case = services.case_draft_create(actor=sp_agent, service=sp,
                                      kind=CaseKind.PURCHASE_REQUEST)
    attachment_add(case=case, kind=AttachmentKind.QUOTE, uploaded=tiny_pdf(), actor=sp_agent)
    purchases.purchase_request_fill(case=case, actor=sp_agent, data=request_data(sp))
    PurchaseRequest.objects.filter(case=case).update(
        **{axis: value for axis, value in mismatching(sp).items()})

    with pytest.raises(CaseError) as error:
        services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert error.value.field == "activity"
    assert "0206-DGAL-DR51" in error.value.message and "021501010101" in error.value.message
    case.refresh_from_db()
    assert case.state == State.DRAFT and case.reference is None


def test_the_api_refuses_imputations_of_two_programmes(sp, sp_agent):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=sp_agent).key}")
    chosen = mismatching(sp)
    body = {"kind": "purchase_request", "service": sp.code, "content": {
        "subject": "Cartouches", "financial_centre": chosen["financial_centre"].code,
        "cost_centre": CostCentreFactory(service=sp).code,
        "activity": chosen["activity"].code, "tiers": TiersFactory().pk,
        "lines": [{"label": "Cartouche", "quantity": "1", "unit_price_ht": "25.00",
                   "vat_rate": "20.00"}]}}
    response = api.post("/api/cases/", body, format="json")
    assert response.status_code == 400, response.content
    # The wizard's form says it, beside the field, as the page does.
    assert response.json()["field"] == "content.activity"
    assert "programme 206" in response.json()["detail"]


# --- the wizard ------------------------------------------------------------------------------


@pytest.mark.parametrize("programmes", [(206, 215), (215, 206), (113, 135)])
def test_the_wizard_shows_the_clash_beside_the_activity(client, sp, sp_agent, programmes):
    first, second = programmes
    fc = FinancialCentreFactory(service=sp, code=f"{first:04d}-BOP-UO")
    act = ActivityFactory(service=sp, code=f"{second:04d}01010101")
    client.force_login(sp_agent)
    response = client.post(reverse("purchases:new"), {
        "purchase_request-current_step": "objet", "objet-subject": "Papier",
        "objet-financial_centre": fc.pk, "objet-cost_centre": CostCentreFactory(service=sp).pk,
        "objet-activity": act.pk, "objet-delivery_address": "1 rue de la Paix"})

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert (f"Le centre financier {fc.code} relève du programme {first} mais l'activité "
            f"{act.code} du programme {second}") in page
    # Beside the activity, where the clash is to be fixed.
    beside = page.split('id="id_objet-activity-desc-error"', 1)
    assert len(beside) == 2 and "relève du programme" in beside[1][:600]
