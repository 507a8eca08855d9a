"""The satisfaction form on a completed case and the staffing page, on a 375 px phone: the
rating is given with the radio group's labels, each page fits the screen and passes axe."""

import re

import pytest
from playwright.sync_api import expect

from cases.workflow import State

from .conftest import MOBILE
from .test_keyboard_and_small_screens import assert_fits_375, assert_tables_reachable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_requester_rates_on_a_phone(log_in, look, sp_agent, csp_agent,
                                        make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    page = log_in(sp_agent, viewport=MOBILE)
    page.goto(case.get_absolute_url())
    group = page.get_by_role("group", name=re.compile("Votre note"))
    expect(group).to_be_visible()
    assert_fits_375(page, "dossier à noter")
    look(page, "mobile-satisfaction-form")
    rate = page.locator("#satisfaction").get_by_role("button", name="Noter le service")
    rate.click()
    expect(page.get_by_text("Choisissez une note de 1 à 5.")).to_be_visible()
    group.get_by_text("4", exact=True).click()
    page.get_by_role("textbox", name=re.compile("Commentaire")).fill("Traitement rapide.")
    page.locator("#satisfaction").get_by_role("button", name="Noter le service").click()
    expect(page.get_by_text("Vous avez noté ce service : 4/5")).to_be_visible()
    look(page, "mobile-satisfaction-done")


def test_the_staffing_page_fits_a_phone(log_in, look, csp_head, csp_agent,
                                        make_purchase_request, sp_agent):
    make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    page = log_in(csp_head, viewport=MOBILE)
    page.goto("/dimensionnement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dimensionnement")
    assert_fits_375(page, "dimensionnement")
    assert_tables_reachable(page, "dimensionnement")
    look(page, "mobile-dimensionnement")
