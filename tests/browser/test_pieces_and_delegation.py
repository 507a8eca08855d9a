"""What the agent reads before submitting a purchase request, and what the ordonnateur reads
before validating it, in a real browser: the quote is not labelled « (Optionnel) » and every
file input says what it takes; the summary says the request will wait for an ordonnateur (the
amount beside the agent's ceiling); the ordonnateur's panel shows the amount beside their
own ceiling, covered or not. Screenshots: test-artifacts/screenshots/pieces-*.png."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests.fixtures import TINY_PDF

from .conftest import next_step

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]


def test_the_pieces_the_summary_and_the_validation_panel(
        log_in, look, shot, sp, sp_agent, ordonnateur, low_ordonnateur, referentials,
        catalogue):
    agent = log_in(sp_agent)
    agent.goto("/demandes/nouvelle/achat/")
    agent.get_by_label("Objet de la demande").fill("Renouvellement de 4 postes de travail")
    agent.get_by_label("Centre financier").select_option(
        label=str(referentials["financial_centre"]))
    agent.get_by_label("Centre de coûts").select_option(label=str(referentials["cost_centre"]))
    agent.get_by_label("Activité").select_option(label=str(referentials["activity"]))
    agent.get_by_label("Adresse de livraison").fill("3 rue de la République, 67000 Strasbourg")
    next_step(agent)
    agent.get_by_label("Rechercher un fournisseur").fill("Bureautique")
    agent.get_by_role("button", name="Rechercher").click()
    agent.locator("label", has_text="Bureautique de l'Est SAS").click()
    next_step(agent)
    line = agent.get_by_role("group", name="Ligne 1")
    line.get_by_label("Libellé").fill("Poste de travail portable")
    line.get_by_label("Quantité").fill("4")
    line.get_by_label("Prix unitaire HT (€)").fill("1500")
    next_step(agent)

    # --- the pieces: the quote is required, every input says what it takes -----------------
    shot(agent, "pieces-etape")
    quote_label = agent.locator("label[for='id_pieces-quote']")
    expect(quote_label).not_to_contain_text("Optionnel")
    for name in ("quote", "price_schedule", "market", "other"):
        expect(agent.locator(f"label[for='id_pieces-{name}']")).to_contain_text(
            re.compile(r"PDF, PNG, JPEG.*au plus"))
    look(agent, "pieces-etape")
    agent.get_by_label(re.compile("Devis du fournisseur")).set_input_files(
        files=[{"name": "devis.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}])
    next_step(agent)

    # --- the summary: 7 200 € TTC, above the agent's 5 000 € -------------------------------
    shot(agent, "pieces-recapitulatif")
    outlook = agent.locator("#submission-outlook")
    expect(outlook).to_contain_text("attendra la validation d'un ordonnateur")
    expect(outlook).to_contain_text(re.compile(r"7\s200,00\s€"))
    expect(outlook).to_contain_text(re.compile(r"5\s000,00\s€"))
    look(agent, "pieces-recapitulatif")
    agent.locator("label", has_text="Je certifie que les crédits").click()
    agent.get_by_role("button", name="Déposer la demande").click()
    expect(agent).to_have_url(re.compile(r"/dossiers/\d+/$"))
    case = Case.objects.get()

    # --- the ordonnateurs: 100 000 € covers it, 1 000 € does not ----------------------------
    for person, name, covered in ((ordonnateur, "pieces-validation-couverte", True),
                                  (low_ordonnateur, "pieces-validation-non-couverte", False)):
        page = log_in(person)
        page.goto(case.get_absolute_url())
        shot(page, name)
        panel = page.locator("#validation-panel")
        expect(panel).to_contain_text(re.compile(r"Montant à valider : 7\s200,00\s€"))
        if covered:
            expect(panel).to_contain_text("Votre délégation couvre ce montant")
            expect(page.get_by_role("button", name="Valider", exact=True)).to_be_visible()
        else:
            expect(panel).to_contain_text(re.compile(r"plafond de délégation : 1\s000,00\s€"))
            expect(panel).to_contain_text("ne couvre pas le montant")
        look(page, name)
