"""Accessibility seen by a second engine: pa11y's HTML_CodeSniffer (WCAG 2 AA) beside axe-core,
on the portal's key pages (login, both homes, the queue, « Mes demandes », a case, a wizard
step), and the filters that must wait for their button (WCAG 3.2.2)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases.workflow import State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_key_pages_pass_html_codesniffer(new_context, log_in, a11y, pa11y, sp_agent,
                                             ordonnateur, csp_agent, referentials, catalogue,
                                             make_purchase_request):
    anonymous = new_context().new_page()
    anonymous.goto(reverse("login"))
    pa11y(anonymous, "connexion")

    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    make_purchase_request(sp_agent, state=State.SUBMITTED)

    agent = log_in(sp_agent)
    pa11y(agent, "accueil service")
    agent.goto(reverse("cases:my_requests"))
    pa11y(agent, "mes demandes")
    agent.goto(case.get_absolute_url())
    pa11y(agent, "dossier, service")  # the order lines and their totals
    agent.goto(reverse("purchases:new"))
    expect(agent.get_by_label("Objet de la demande")).to_be_visible()
    pa11y(agent, "assistant, étape 1", html=True)  # the step as drawn, not a new draft

    centre = log_in(csp_agent)
    pa11y(centre, "accueil centre")
    centre.goto(reverse("cases:queue"))
    pa11y(centre, "corbeille")
    centre.goto(case.get_absolute_url())
    a11y(centre, "dossier, centre")
    pa11y(centre, "dossier, centre")


def test_no_filter_submits_on_change_and_each_has_its_button(log_in, sp_agent, csp_agent,
                                                             make_purchase_request):
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    page = log_in(sp_agent)
    page.goto(reverse("cases:my_requests"))
    state = page.get_by_label("Afficher")
    url = page.url
    state.focus()
    page.keyboard.press("ArrowDown")  # a closed select changes value with the arrows
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(500)
    # Nothing is sent, and the focus stays on the list (F36: it went back to the top).
    assert page.url == url
    assert state.evaluate("el => el === document.activeElement")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"[?&]etat=\w+"))

    # Every GET form of the lists people filter has a real submit button, visible.
    for person, address in ((sp_agent, reverse("cases:my_requests")),
                            (csp_agent, reverse("cases:queue"))):
        page = log_in(person)
        page.goto(address)
        forms = page.locator("main form[method='get']")
        assert forms.count()
        for index in range(forms.count()):
            expect(forms.nth(index).locator(
                "button[type='submit'], input[type='submit']").first).to_be_visible()
