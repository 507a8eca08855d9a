"""A repetition block of a catalogue form in the wizard on a 375 px wide phone: rows added and
removed with the buttons (server-side, no JavaScript needed), a row's field error shown next
to it, nothing wider than the screen; the screenshot goes with issue 22's closing note."""

import re

import pytest
from playwright.sync_api import expect

from conventions.services import editorial_setup
from forms_catalog.models import ProcedureFormPage

from .conftest import MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _field(kind, label, *, required=True, **settings):
    return (kind, {"label": label, "help_text": "", "required": required, **settings})


def _sub(kind, label, *, required=True, **settings):
    return {"type": kind, "value": {"label": label, "help_text": "", "required": required,
                                    **settings}}


@pytest.fixture
def training_form(db, sp):
    editorial = editorial_setup()
    page = ProcedureFormPage(title="Inscription à une formation", form_kind="generic", fields=[
        _field("text", "Intitulé de la session"),
        _field("repetition", "Stagiaires", min_rows=1, max_rows=3,
               fields=[_sub("text", "Nom et prénom"), _sub("email", "Adresse électronique"),
                       _sub("choice", "Profil", required=False,
                            choices=["Consultation", "Saisie"])]),
    ])
    page.services = [sp]
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    return page


def test_a_repetition_block_in_the_wizard_at_375_px(log_in, look, sp_agent, training_form):
    page = log_in(sp_agent, viewport=MOBILE)
    page.goto(f"/catalogue/{training_form.pk}/nouvelle/")
    page.get_by_label("Intitulé de la session").fill("Chorus Formulaires — avril")
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("Adresse électronique").fill("camille.martin@drac.gouv.fr")

    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(page.get_by_text("Ligne 2", exact=True)).to_be_visible()
    # What was typed is kept across the round trip.
    expect(page.get_by_label("Intitulé de la session")).to_have_value(
        "Chorus Formulaires — avril")
    names = page.get_by_label("Nom et prénom")
    expect(names.first).to_have_value("Camille Martin")
    names.nth(1).fill("Dominique Bernard")
    page.get_by_label("Adresse électronique").nth(1).fill("pas-une-adresse")
    page.get_by_role("button", name="Ajouter une ligne").click()
    expect(page.get_by_text("Ligne 3", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Ajouter une ligne")).to_have_count(0)  # maximum
    page.get_by_role("button", name="Supprimer la ligne 3").click()
    expect(page.get_by_text("Ligne 3", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Étape suivante").click()
    # The faulty row's error is next to its field, the rows are still there.
    expect(page.get_by_text(re.compile("adresse e-mail valide"))).to_be_visible()
    expect(page.get_by_label("Nom et prénom").nth(1)).to_have_value("Dominique Bernard")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"la page déborde : {width} px"
    look(page, "wizard-repetition")
