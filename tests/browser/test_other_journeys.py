"""The other journeys, as people click them: a tiers creation refused for its SIRET key then
accepted; a late service-done statement and its lateness step; an editor adding a field to
a catalogue form in the Wagtail admin, seen by the SP in the wizard."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseKind
from cases.workflow import State
from conventions.services import editorial_setup
from kinds.service_done.models import ServiceDoneStatement
from kinds.tiers.models import TiersRequest
from portal.models import Role
from tests.factories import member, valid_iban, valid_siret, working_days_ago
from tests.fixtures import TINY_PDF

from .conftest import next_step

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True)]

SIRET = valid_siret(4242)
BAD_SIRET = SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10)


def pdf(name):
    return [{"name": name, "mimeType": "application/pdf", "buffer": TINY_PDF}]


def field_error(page, label, message):
    """The DSFR way: the field's group is in error, the message is beside it, and the
    field points at it with aria-describedby."""
    field = page.get_by_label(re.compile(rf"^\s*{label}\b"))
    group = page.locator(".fr-input-group", has=field)
    expect(group).to_have_class(re.compile(r"\bfr-input-group--error\b"))
    error = group.locator(".fr-error-text")
    expect(error).to_contain_text(message)
    described_by = (field.get_attribute("aria-describedby") or "").split()
    error_ids = group.locator("[id]").evaluate_all(
        "els => els.filter(e => e.querySelector('.fr-error-text') || "
        "e.classList.contains('fr-error-text')).map(e => e.id)")
    assert set(described_by) & set(error_ids), (
        f"« {label} » : aria-describedby={described_by}, ids des erreurs {error_ids}")
    expect(field).to_have_attribute("aria-invalid", "true")


def test_a_tiers_creation_refuses_a_wrong_siret_beside_its_field_then_accepts_it(
        log_in, look, sp_agent):
    page = log_in(sp_agent)
    page.get_by_role("link", name="Demande de tiers").click()
    look(page, "tiers-1-nature")
    page.locator("label", has_text="Création").click()
    page.locator("label", has_text=re.compile(r"^\s*Entreprise")).click()
    next_step(page)

    page.get_by_label("Raison sociale").fill("Menuiserie Durand SARL")
    page.get_by_label(re.compile(r"^\s*SIRET\b")).fill(BAD_SIRET)
    next_step(page)
    field_error(page, "SIRET", "Clé de contrôle")
    look(page, "tiers-2-identite-erreur")

    page.get_by_label(re.compile(r"^\s*SIRET\b")).fill(SIRET)
    next_step(page)
    expect(page.get_by_label("Commune")).to_be_visible()
    look(page, "tiers-3-adresse")
    page.get_by_label("Adresse (numéro et voie)").fill("3 rue des Lilas")
    page.get_by_label("Code postal").fill("57000")
    page.get_by_label("Commune").fill("Metz")
    page.get_by_label(re.compile("Courriel de contact")).fill("contact@durand.fr")
    next_step(page)
    look(page, "tiers-4-banque")
    page.get_by_label(re.compile(r"^\s*IBAN\b")).fill(valid_iban(4242))
    page.get_by_label(re.compile(r"^\s*BIC\b")).fill("CEPAFRPP751")
    page.get_by_label(re.compile("Relevé d'identité bancaire")).set_input_files(pdf("rib.pdf"))
    next_step(page)
    look(page, "tiers-5-recapitulatif")
    page.locator("label", has_text="Je certifie que les informations").click()
    page.get_by_role("button", name="Déposer la demande").click()

    expect(page).to_have_url(re.compile(r"/dossiers/\d+/$"))  # submitted: the case page
    case = Case.objects.get(kind=CaseKind.TIERS)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    assert case.state == State.SUBMITTED
    assert TiersRequest.objects.get(case=case).siret == SIRET
    look(page, "tiers-dossier")


def test_a_late_service_done_statement_asks_why(log_in, look, make_purchase_request, sp_agent,
                                                 csp_agent):
    order = make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                  agent=csp_agent)
    ej = order.purchase_request.ej_number
    page = log_in(sp_agent)
    page.get_by_role("link", name="Constater un service fait").click()
    look(page, "service-fait-1-livraison")
    page.get_by_label("Commande (EJ) concernée").select_option(index=1)
    assert ej in page.get_by_label("Commande (EJ) concernée").locator(
        "option:checked").inner_text()
    page.get_by_label(re.compile("Date de livraison")).fill(working_days_ago(9).isoformat())
    page.get_by_label(re.compile("Référence de la facture")).fill("F-2026-12")
    page.get_by_label(re.compile("Bon de livraison ou procès-verbal")).set_input_files(
        pdf("bl.pdf"))
    next_step(page)
    look(page, "service-fait-2-quantites")
    page.get_by_label("Fournitures").fill("1")
    next_step(page)

    # 9 working days after the delivery: the lateness step appears.
    expect(page.get_by_text("Motif du retard").first).to_be_visible()
    expect(page.get_by_text(re.compile("9 jours ouvrés après la livraison")).first).to_be_visible()
    look(page, "service-fait-3-retard")
    page.locator("label", has_text="Du fait du fournisseur").click()
    next_step(page)
    look(page, "service-fait-4-recapitulatif")
    page.locator("label", has_text="Je certifie que les biens").click()
    page.get_by_role("button", name="Déposer la demande").click()

    expect(page).to_have_url(re.compile(r"/dossiers/\d+/$"))  # submitted: the case page
    case = Case.objects.get(kind=CaseKind.SERVICE_DONE)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    statement = ServiceDoneStatement.objects.get(case=case)
    assert statement.late and statement.lateness_reason == "supplier"
    assert case.state == State.AWAITING_VALIDATION
    look(page, "service-fait-dossier")


NEW_FIELD = "Numéro de poste téléphonique"


def test_an_editor_adds_a_field_in_wagtail_and_the_sp_sees_it(log_in, a11y, shot, sp_agent,
                                                                catalogue, sp):
    generic = catalogue[1]
    editor = member(sp, Role.SP_AGENT, username="editrice")
    editor.groups.add(editorial_setup().editors)

    cms = log_in(editor)
    cms.goto(f"/cms/pages/{generic.pk}/edit/")
    expect(cms.get_by_role("heading", level=1)).to_contain_text(generic.title)
    shot(cms, "cms-edition")
    cms.get_by_role("button", name=re.compile("Insérer un bloc")).first.click()
    cms.get_by_role("option", name="Téléphone").click()
    # The first "insert" button puts the new block first, before "Motif de la demande".
    cms.get_by_label(re.compile(r"^\s*Libellé")).first.fill(NEW_FIELD)
    cms.get_by_role("button", name="Plus d'actions").click()
    cms.get_by_role("button", name="Publier").click()
    expect(cms.get_by_text(re.compile("a été publiée"))).to_be_visible()
    a11y(cms, "cms-publiee")
    shot(cms, "cms-publiee")

    agent = log_in(sp_agent)
    agent.get_by_role("link", name=generic.title).click()
    expect(agent.get_by_label(NEW_FIELD)).to_be_visible()
    a11y(agent, "generique-champ-ajoute")
    shot(agent, "generique-champ-ajoute")
