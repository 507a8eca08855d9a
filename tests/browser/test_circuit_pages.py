"""The purchasing mission's list and decision, and the annual review's page, on a 375 px
phone: each fits the screen and passes axe; the mission accepts a request with its radio
buttons and the contract reference, and the case then shows the route."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cases import services as case_services
from cases.models import PurchaseRequest
from cases.workflow import Action, State
from portal.models import Role, Service
from portal.services import service_get_or_create
from tests.factories import member

from .conftest import MOBILE
from .test_keyboard_and_small_screens import assert_fits_375, assert_tables_reachable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def at_mission(sp, csp, publish_convention, make_purchase_request):
    """A request of 30,000 € HT waiting at the mission of the centre, and its member."""
    mission = service_get_or_create(code="MDAB", name="Mission des achats", kind=Service.Kind
                                    .PURCHASING_MISSION, processing_centre=csp)
    mda = member(mission, Role.MDA_AGENT)
    publish_convention(centre=csp, services=[sp])
    buyer = member(sp, Role.SP_AGENT, ceiling="1000000")
    case = make_purchase_request(buyer, amount="36000.00", state=State.DRAFT)
    PurchaseRequest.objects.filter(case=case).update(amount_ht=Decimal("30000.00"))
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=buyer)
    assert case.state == State.AT_MISSION
    return case, mda


def test_the_mission_decides_on_a_phone(log_in, look, at_mission):
    case, mda = at_mission
    page = log_in(mda, viewport=MOBILE)
    page.goto("/mission-des-achats/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mission des achats")
    assert_fits_375(page, "mission des achats")
    assert_tables_reachable(page, "mission des achats")
    look(page, "mobile-mission-list")
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_text("En cours d'examen par la mission des achats")).to_be_visible()
    form = page.locator("form", has=page.get_by_role("button", name=re.compile(
        "Accepter pour la mission des achats")))
    form.get_by_text("Marché existant", exact=True).click()
    form.get_by_role("button", name=re.compile("Accepter")).click()
    expect(page.get_by_text("Indiquez la référence du marché existant.")).to_be_visible()
    assert_fits_375(page, "dossier à la mission, erreur")
    form = page.locator("form", has=page.get_by_role("button", name=re.compile(
        "Accepter pour la mission des achats")))
    form.get_by_text("Marché existant", exact=True).click()
    form.get_by_role("textbox", name=re.compile("Référence du marché existant")).fill("UGAP-26")
    form.get_by_role("button", name=re.compile("Accepter")).click()
    expect(page.get_by_text(re.compile("Marché existant"))).to_be_visible()
    expect(page.get_by_text("UGAP-26", exact=False)).to_be_visible()
    look(page, "mobile-mission-accepted")


def test_the_annual_review_page_fits_a_phone(log_in, look, sp, csp_head):
    page = log_in(csp_head, viewport=MOBILE)
    page.goto("/restitutions/bilan-annuel/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan annuel de la convention")
    assert_fits_375(page, "bilan annuel")
    # The download buttons were cut (« Bilan (PD… ») in a button group at 375 px.
    look(page, "mobile-annual-review")
    # A year not begun: the server says so next to the field (the browser checks the minimum).
    page.get_by_role("spinbutton", name="Année").fill("9999")
    page.get_by_role("button", name="Bilan (PDF)").click()
    expect(page.get_by_text("Cette année n'a pas commencé.")).to_be_visible()
    assert_fits_375(page, "bilan annuel, erreur")
