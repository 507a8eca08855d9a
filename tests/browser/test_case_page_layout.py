"""The case page and the home page's catalogue cards as drawn by chromium, on a desktop and at
375 px: one « Demande d'achat » heading, the request's own facts before the editor's extra
fields, a VAT rate on one line, an actions panel that lists « Déclarer un service fait »
instead of « Aucune action possible », and cards whose title comes first with no internal
kind label. Screenshots: case-page-{desktop,375}.png, home-cards-{desktop,375}.png."""

import pytest
from playwright.sync_api import expect

from cases.workflow import State
from conventions.demo_content import _field
from forms_catalog.models import ProcedureFormPage

from .conftest import DESKTOP, MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

URGENT = "Commande urgente ?"

# Line boxes of each VAT-rate cell's text: 1 when « 20 % » stays on one line.
VAT_LINE_BOXES = """() => [...document.querySelectorAll('td')]
    .filter(td => /%\\s*$/.test(td.textContent))
    .map(td => { const r = document.createRange(); r.selectNodeContents(td);
                 const tops = new Set([...r.getClientRects()].map(b => Math.round(b.top)));
                 return [td.textContent, tops.size]; })"""


@pytest.fixture
def completed_with_extra_fields(catalogue, make_purchase_request, sp, sp_agent, csp_agent):
    page = ProcedureFormPage.objects.get(form_kind="purchase_request")
    page.fields = [_field("yes_no", URGENT)]
    page.save_revision().publish()
    page.refresh_from_db()
    case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    schema = page.field_schema
    key = next(item["key"] for step in schema["steps"] for item in step["items"]
               if item["label"] == URGENT)
    case.extra = {**case.extra, "procedure_title": page.title, "schema": schema,
                  "answers": {key: "oui"}}
    case.save(update_fields=["extra"])
    return case


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (MOBILE, "375")])
def test_the_case_page_reads_in_order_and_offers_its_actions(log_in, look, sp_agent,
                                                             completed_with_extra_fields,
                                                             viewport, name):
    case = completed_with_extra_fields
    page = log_in(sp_agent, viewport=viewport)
    page.goto(case.get_absolute_url())
    expect(page.get_by_role("heading", name="Demande d'achat", exact=True)).to_have_count(1)
    headings = page.get_by_role("heading").all_inner_texts()
    order = [" ".join(text.split()) for text in headings]
    assert order.index("Demande d'achat") < order.index("Informations complémentaires"), order

    cells = page.evaluate(VAT_LINE_BOXES)
    assert cells, "no VAT rate on the page"
    assert all(lines == 1 for _, lines in cells), cells

    panel = page.locator("aside[aria-labelledby='actions-title']")
    expect(panel.get_by_role("link", name="Déclarer un service fait")).to_be_visible()
    expect(panel).not_to_contain_text("Aucune action possible")
    look(page, f"case-page-{name}")


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (MOBILE, "375")])
def test_home_cards_show_their_title_first_and_no_internal_label(log_in, look, sp, sp_agent,
                                                                 catalogue, viewport, name):
    for form in catalogue:
        form.services = [sp]
        form.save_revision().publish()
    page = log_in(sp_agent, viewport=viewport)
    cards = page.locator(".fr-card")
    expect(cards).to_have_count(len(catalogue))
    for index in range(len(catalogue)):
        card = cards.nth(index)
        title = card.locator(".fr-card__title").bounding_box()
        for part in card.locator(".fr-card__content > *").all():
            box = part.bounding_box()
            assert box is None or box["y"] >= title["y"], (part.inner_text(), box, title)
    expect(page.locator("main, body").first).not_to_contain_text("Demande générique")
    look(page, f"home-cards-{name}")
