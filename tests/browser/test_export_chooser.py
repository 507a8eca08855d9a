"""The export chooser on a 375 px phone: a catalogue form's fields offered once it is chosen,
a template saved and applied, the page fits the screen and passes axe."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import MOBILE
from .test_keyboard_and_small_screens import assert_fits_375

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_centre_agent_chooses_columns_on_a_phone(log_in, look, csp_agent,
                                                   make_purchase_request, sp_agent):
    make_purchase_request(sp_agent, state="submitted")
    page = log_in(csp_agent, viewport=MOBILE)
    page.goto("/corbeille/")
    page.get_by_role("link", name="Export sur mesure : choisir les colonnes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export sur mesure")
    assert_fits_375(page, "export sur mesure")
    # DSFR draws the box on the label, which takes the click.
    page.locator("label", has_text=re.compile("^Objet$")).click()
    expect(page.get_by_label("Objet")).not_to_be_checked()
    page.get_by_label("Nom du modèle").fill("Mes colonnes")
    page.get_by_role("button", name="Enregistrer le modèle").click()
    expect(page.get_by_text("Modèle « Mes colonnes » enregistré.")).to_be_visible()
    expect(page.get_by_label("Objet")).not_to_be_checked()
    expect(page.get_by_label("Référence")).to_be_checked()
    assert_fits_375(page, "export sur mesure, modèle appliqué")
    look(page, "mobile-export-chooser")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^Exporter$")).click()
    assert download.value.suggested_filename.startswith("corbeille-")
