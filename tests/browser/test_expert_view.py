"""The expert's view on a 375 px phone: the home card leads to « Avis demandés », which leads
to the one case; the question is read and answered there, once. Each page fits the screen and
passes axe; the case page is kept as test-artifacts/screenshots/expert-view.png."""

import re

import pytest
from playwright.sync_api import expect

from cases.workflow import State
from opinions.services import default_deadline, opinion_ask
from tests.factories import UserFactory

from .conftest import MOBILE
from .test_keyboard_and_small_screens import assert_fits_375

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_expert_answers_on_a_phone(log_in, look, sp_agent, csp_agent,
                                       make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    expert = UserFactory(username="referent", first_name="Karim", last_name="Haddad",
                         email="karim.haddad@mda.example.gouv.fr")
    opinion_ask(case=case, actor=csp_agent, expert_email=expert.email,
                deadline=default_deadline(),
                question="Un marché existant couvre-t-il ces fournitures ? Sinon, faut-il une "
                         "mise en concurrence ?")
    page = log_in(expert, viewport=MOBILE)
    expect(page.get_by_text("Un centre attend votre avis sur 1 dossier.")).to_be_visible()
    page.get_by_role("link", name="Voir les avis à rendre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avis demandés")
    assert_fits_375(page, "avis demandés")
    look(page, "expert-requests")
    page.get_by_role("link", name=re.compile(re.escape(case.reference))).click()
    section = page.locator("#avis")
    expect(section.get_by_text("Un marché existant couvre-t-il ces fournitures")).to_be_visible()
    assert_fits_375(page, "dossier de l'expert")
    look(page, "expert-view")
    send = section.get_by_role("button", name="Donner mon avis")
    send.click()
    expect(page.get_by_text("Écrivez votre avis.")).to_be_visible()
    page.locator("#avis").get_by_role("textbox", name=re.compile("Votre avis")).fill(
        "Le marché interministériel de fournitures (lot 2) couvre ces articles.")
    page.locator("#avis").get_by_role("button", name="Donner mon avis").click()
    expect(page.get_by_text("Votre avis est transmis au centre. Merci.")).to_be_visible()
    expect(page.locator("#avis").get_by_role("button", name="Donner mon avis")).to_have_count(0)
    assert_fits_375(page, "avis rendu")
    look(page, "expert-view-answered")
