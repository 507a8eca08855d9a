"""The delegation made visible: before submission the summary says whether the request goes
straight to the centre or waits for an ordonnateur (the amount beside the author's ceiling);
on the case page an ordonnateur sees the amount beside their own ceiling. At the limit, a
ceiling equal to the amount covers it and one cent less does not — everywhere the same rule
as the submission's (cases.permissions)."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case
from cases.permissions import delegation_refusal, euros_text
from cases.templatetags.case_tags import euros
from cases.workflow import State
from portal.models import Role
from tests.factories import (
    ActivityFactory,
    CostCentreFactory,
    FinancialCentreFactory,
    TiersFactory,
    member,
)

pytestmark = pytest.mark.django_db

CENT = Decimal("0.01")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
WAITS = "attendra la validation d'un ordonnateur de votre service"
GOES_STRAIGHT = "sera transmise directement au centre de services partagés"

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.98"),
                      places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_a_ceiling_equal_to_the_amount_covers_it_and_one_cent_less_does_not(amount):
    assert delegation_refusal(amount, amount) is None
    assert delegation_refusal(amount + CENT, amount) is None
    refusal = delegation_refusal(amount - CENT, amount)
    assert refusal is not None and euros_text(amount - CENT) in refusal
    assert euros_text(amount) in refusal
    assert delegation_refusal(None, amount) is not None


def text(response) -> str:
    # Runs of ASCII blanks only: the amounts' non-breaking spaces stay as euros() writes them.
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(response.content.decode()))


def fill_until_summary(client, service, amount: Decimal) -> str:
    """A purchase request whose one line (VAT 0 %) totals `amount`, up to its summary."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("purchases:new"), {
        "purchase_request-current_step": "objet", "objet-subject": "Mobilier",
        "objet-financial_centre": FinancialCentreFactory(service=service).pk,
        "objet-cost_centre": CostCentreFactory(service=service).pk,
        "objet-activity": ActivityFactory(service=service).pk,
        "objet-delivery_address": "1 rue de la Paix"})
    assert response.status_code == 302, response.content.decode()[:2000]
    url = response["Location"]
    for data in (
            {"purchase_request-current_step": "fournisseur",
             "fournisseur-tiers": TiersFactory().pk},
            {"purchase_request-current_step": "lignes", "lignes-TOTAL_FORMS": "1",
             "lignes-INITIAL_FORMS": "0", "lignes-MIN_NUM_FORMS": "1",
             "lignes-MAX_NUM_FORMS": "50", "lignes-0-label": "Bureau",
             "lignes-0-quantity": "1", "lignes-0-unit_price_ht": str(amount),
             "lignes-0-vat_rate": "0.00"},
            {"purchase_request-current_step": "pieces",
             "pieces-quote": SimpleUploadedFile("devis.pdf", PDF)}):
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
    return url


# --- the purchase request's summary ----------------------------------------------------------


@pytest.mark.parametrize("amount,covered", [("5000.00", True), ("5000.01", False),
                                            ("4999.99", True), ("12000.00", False)])
def test_the_summary_says_before_submission_where_the_request_goes(client, sp, sp_agent,
                                                                   amount, covered):
    """sp_agent's delegation: 5,000 €."""
    amount = Decimal(amount)
    client.force_login(sp_agent)
    url = fill_until_summary(client, sp, amount)

    page = text(client.get(url))
    assert euros(amount) in page and euros(Decimal("5000")) in page
    if covered:
        assert GOES_STRAIGHT in page and WAITS not in page
    else:
        assert WAITS in page and GOES_STRAIGHT not in page
        assert "ne couvre pas le montant" in page

    # What the summary announced is what submission does.
    client.post(url, {"purchase_request-current_step": "recapitulatif",
                      "recapitulatif-confirm": "on"})
    assert Case.objects.get().state == (State.SUBMITTED if covered
                                        else State.AWAITING_VALIDATION)


def test_the_summary_of_an_agent_without_delegation_says_so(client, sp):
    agent = member(sp, Role.SP_AGENT)
    client.force_login(agent)
    page = text(client.get(fill_until_summary(client, sp, Decimal("10.00"))))
    assert WAITS in page and "aucune délégation de signature en vigueur" in page
    assert euros(Decimal("10.00")) in page


# --- the service-done statement's summary ----------------------------------------------------


def test_the_statement_summary_says_an_ordonnateur_validates_it(client, make_purchase_request,
                                                                sp_agent, csp_agent,
                                                                ordonnateur):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import working_days_ago

    completed = make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                      agent=csp_agent, ordonnateur=ordonnateur)
    client.force_login(sp_agent)
    response = client.post(reverse("service_done:new"), {
        "service_done-current_step": "livraison",
        "livraison-purchase_request": completed.purchase_request.pk,
        "livraison-delivered_on": working_days_ago(1).isoformat(),
        "livraison-proof": SimpleUploadedFile("bl.pdf", PDF)})
    assert response.status_code == 302
    url = response["Location"]
    line = completed.purchase_request.lines.get()
    client.post(url, {"service_done-current_step": "quantites",
                      f"quantites-line_{line.pk}": "1"})

    page = text(client.get(url))
    assert WAITS in page and "toujours validée par un ordonnateur" in page
    assert euros(Decimal("1200.00")) in page and euros(Decimal("5000")) in page


# --- the ordonnateur's panel on the case page ------------------------------------------------


@pytest.mark.parametrize("ceiling,covered", [("7200.00", True), ("7199.99", False),
                                             ("100000", True)])
def test_the_validation_panel_shows_the_amount_beside_the_ordonnateurs_ceiling(
        client, sp, sp_agent, make_purchase_request, ceiling, covered):
    case = make_purchase_request(sp_agent, amount="7200.00", state=State.AWAITING_VALIDATION)
    validator = member(sp, Role.ORDONNATEUR, ceiling=ceiling)
    client.force_login(validator)

    page = text(client.get(case.get_absolute_url()))
    panel = page.split('id="validation-panel"', 1)[1][:800]
    assert f"Montant à valider : {euros(Decimal('7200.00'))}" in panel
    assert f"votre plafond de délégation : {euros(Decimal(ceiling))}" in panel
    if covered:
        assert "Votre délégation couvre ce montant" in panel
        assert reverse("cases:action", args=[case.pk, "validate"]) in page
    else:
        assert "ne couvre pas le montant" in panel
        assert reverse("cases:action", args=[case.pk, "validate"]) not in page


def test_the_validation_panel_of_an_ordonnateur_without_delegation(client, sp, sp_agent,
                                                                   make_purchase_request):
    case = make_purchase_request(sp_agent, amount="7200.00", state=State.AWAITING_VALIDATION)
    client.force_login(member(sp, Role.ORDONNATEUR))
    panel = text(client.get(case.get_absolute_url())).split('id="validation-panel"', 1)[1]
    assert "aucune délégation de signature en vigueur" in panel[:800]


def test_no_validation_panel_for_the_requesting_agent(client, sp_agent, make_purchase_request):
    case = make_purchase_request(sp_agent, amount="7200.00", state=State.AWAITING_VALIDATION)
    client.force_login(sp_agent)
    assert 'id="validation-panel"' not in client.get(case.get_absolute_url()).content.decode()
