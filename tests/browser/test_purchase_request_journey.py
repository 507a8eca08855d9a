"""A purchase request from the first click to the signed order form, as the people click it:
the SP agent fills every wizard step, leaves, comes back to the draft and submits; the
ordonnateur validates; the CSP agent filters the queue, claims and asks a question; the SP
answers; the CSP completes and signs; the SP downloads the signed order form."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from cases.models import Case
from cases.workflow import State
from documents.tests.test_order_forms import signature_status
from tests.fixtures import TINY_PDF

from .conftest import next_step

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

SUBJECT = "Renouvellement de 4 postes de travail"


def test_a_purchase_request_from_the_wizard_to_the_signed_order_form(
        log_in, look, shot, sp, sp_agent, ordonnateur, csp_agent, referentials, catalogue,
        give_credential, tmp_path):
    # --- the SP agent: home, catalogue, then every wizard step ---------------------------------
    agent = log_in(sp_agent, check_login_page=True)
    look(agent, "accueil")
    catalogue_section = agent.locator("section", has=agent.get_by_role(
        "heading", name="Faire une demande"))
    expect(catalogue_section.get_by_role("link", name="Demande d'achat")).to_be_visible()
    catalogue_section.screenshot(path=str(_path("catalogue")))

    catalogue_section.get_by_role("link", name="Demande d'achat").click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text("demande d'achat",
                                                                  ignore_case=True)
    look(agent, "assistant-1-objet")
    agent.get_by_label("Objet de la demande").fill(SUBJECT)
    agent.get_by_label("Centre financier").select_option(
        label=str(referentials["financial_centre"]))
    agent.get_by_label("Centre de coûts").select_option(label=str(referentials["cost_centre"]))
    agent.get_by_label("Activité").select_option(label=str(referentials["activity"]))
    agent.get_by_label("Adresse de livraison").fill("3 rue de la République, 67000 Strasbourg")
    next_step(agent)

    expect(agent.get_by_role("heading", level=1)).to_contain_text("Brouillon")
    look(agent, "assistant-2-fournisseur")
    agent.get_by_label("Rechercher un fournisseur").fill("Bureautique")
    agent.get_by_role("button", name="Rechercher").click()
    # DSFR radios are drawn by their label, which is what a person clicks.
    agent.locator("label", has_text="Bureautique de l'Est SAS").click()
    expect(agent.get_by_label(re.compile("Bureautique de l'Est SAS"))).to_be_checked()
    next_step(agent)

    look(agent, "assistant-3-lignes")
    line = agent.get_by_role("group", name="Ligne 1")
    line.get_by_label("Libellé").fill("Poste de travail portable")
    line.get_by_label("Quantité").fill("4")
    line.get_by_label("Prix unitaire HT (€)").fill("1500")
    next_step(agent)

    # --- leave at the attachments step, come back to the draft ----------------------------------
    expect(agent.get_by_label("Devis du fournisseur")).to_be_visible()
    look(agent, "assistant-4-pieces")
    agent.get_by_role("button", name="Enregistrer le brouillon et quitter").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Mes demandes")
    look(agent, "mes-demandes")
    draft = Case.objects.get()
    assert draft.state == State.DRAFT and draft.subject == SUBJECT
    agent.get_by_role("link", name=f"Brouillon n° {draft.pk}").click()
    expect(agent.get_by_label("Devis du fournisseur")).to_be_visible()  # where it was left

    agent.get_by_label("Devis du fournisseur").set_input_files(
        files=[{"name": "devis.pdf", "mimeType": "application/pdf", "buffer": TINY_PDF}])
    next_step(agent)

    # 4 × 1 500 € HT at 20 % = 7 200 € TTC, above the agent's 5 000 € delegation.
    expect(agent.locator("#total-ttc")).to_contain_text(re.compile(r"7\s?200,00"))
    look(agent, "assistant-5-recapitulatif")
    agent.locator("label", has_text="Je certifie que les crédits").click()
    agent.get_by_role("button", name="Déposer la demande").click()

    expect(agent).to_have_url(re.compile(r"/dossiers/\d+/$"))  # submitted: the case page
    case = Case.objects.get()
    expect(agent.get_by_role("heading", level=1)).to_contain_text(case.reference)
    expect(agent.get_by_text("En attente de validation").first).to_be_visible()
    look(agent, "dossier-service-depose")

    # --- the ordonnateur validates ----------------------------------------------------------
    ordo = log_in(ordonnateur)
    ordo.locator("h3:has-text('À valider') + ul").get_by_role("link", name=case.reference).click()
    look(ordo, "dossier-ordonnateur")
    ordo.get_by_role("button", name="Valider", exact=True).click()
    expect(ordo.get_by_text("Demande validée par l'ordonnateur", exact=True)).to_be_visible()
    case.refresh_from_db()
    assert case.state == State.SUBMITTED

    # --- the CSP agent filters the queue, claims and asks a question ---------------------------
    centre = log_in(csp_agent)
    centre.get_by_role("link", name=re.compile("^Corbeille du centre")).first.click()
    centre.get_by_label("Type", exact=True).select_option(label="Demande d'achat")
    centre.get_by_label("Recherche").fill(case.reference)
    centre.get_by_role("button", name="Filtrer").click()
    expect(centre.get_by_role("table")).to_contain_text(case.reference)
    look(centre, "corbeille")
    centre.get_by_role("link", name=case.reference).click()
    centre.get_by_role("button", name="Prendre en charge").click()
    expect(centre.get_by_text("Dossier pris en charge", exact=True)).to_be_visible()
    question = centre.get_by_role("form", name="Demander une information")
    question.get_by_label("Type d'anomalie").select_option(label="Devis non conforme")
    question.get_by_label("Question posée au service").fill(
        "Le devis mentionne-t-il la garantie de trois ans ?")
    centre.get_by_role("button", name="Demander une information").click()
    expect(centre.get_by_text("Délai suspendu")).to_be_visible()

    # --- the SP answers ---------------------------------------------------------------------
    agent.goto(case.get_absolute_url())
    expect(agent.get_by_text("Le devis mentionne-t-il la garantie")).to_be_visible()
    expect(agent.get_by_text("Type d'anomalie : Devis non conforme")).to_be_visible()
    look(agent, "dossier-service-question")
    agent.get_by_label("Votre réponse").fill("Oui, page 2 du devis.")
    agent.get_by_role("button", name="Répondre").click()
    expect(agent.get_by_text("Réponse du service", exact=True)).to_be_visible()

    # --- the CSP completes with the EJ number and signs ---------------------------------------
    give_credential(csp_agent)
    centre.reload()
    expect(centre.get_by_text("Oui, page 2 du devis.")).to_be_visible()
    centre.get_by_label("Numéro d'engagement juridique (EJ)").fill("4500012345")
    centre.get_by_role("button", name="Terminer").click()
    expect(centre.get_by_text("Dossier terminé", exact=True)).to_be_visible()
    look(centre, "dossier-centre-a-signer")
    centre.get_by_role("button", name="Signer le bon de commande").click()
    expect(centre.get_by_role("link", name="Bon de commande signé (PDF)")).to_be_visible()
    look(centre, "dossier-centre")

    # --- the SP downloads the signed order form ----------------------------------------------
    agent.reload()
    look(agent, "dossier-service-termine")
    with agent.expect_download() as download_info:
        agent.get_by_role("link", name="Bon de commande signé (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "bon-de-commande-4500012345.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    content = target.read_bytes()
    assert content.startswith(b"%PDF")
    # pyHanko validates with asyncio.run(), impossible beside Playwright's running loop:
    # it runs in a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        status = pool.submit(signature_status, content).result()
    assert status.intact and status.valid and status.trusted

    # --- the dashboard ------------------------------------------------------------------------
    agent.get_by_role("link", name="Restitutions").first.click()
    expect(agent.get_by_role("heading", level=1)).to_be_visible()
    look(agent, "restitutions")
    shot(agent, "restitutions")


def _path(name):
    from .plugin import SCREENSHOTS_DIR

    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS_DIR / f"{name}.png"
