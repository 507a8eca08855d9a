"""The purchase-request wizard end to end over HTTP, as an SP agent clicks through it."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import BudgetImputation, Case, CaseEvent, Tiers
from cases.workflow import State
from tests.factories import PrescribingServiceFactory

pytestmark = pytest.mark.django_db

NEW_URL = reverse("purchases:new")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def step(name: str, **fields) -> dict:
    return {"purchase_request-current_step": name, **fields}


def object_step(service, **overrides) -> dict:
    imputations = {
        axis: BudgetImputation.objects.filter(service=service, axis=axis).first().pk
        for axis in ("financial_centre", "cost_centre", "activity")
    }
    data = {
        "objet-subject": "Renouvellement de 4 postes de travail",
        "objet-financial_centre": imputations["financial_centre"],
        "objet-cost_centre": imputations["cost_centre"],
        "objet-activity": imputations["activity"],
        "objet-delivery_address": "3 rue de la République, 67000 Strasbourg",
    }
    data.update(overrides)
    return step("objet", **data)


def lines_step(*lines) -> dict:
    data = {"lignes-TOTAL_FORMS": str(len(lines) + 1), "lignes-INITIAL_FORMS": "0",
            "lignes-MIN_NUM_FORMS": "1", "lignes-MAX_NUM_FORMS": "50",
            f"lignes-{len(lines)}-vat_rate": "20.00"}
    for i, (label, quantity, price, vat) in enumerate(lines):
        data.update({f"lignes-{i}-label": label, f"lignes-{i}-quantity": quantity,
                     f"lignes-{i}-unit_price_ht": price, f"lignes-{i}-vat_rate": vat})
    return step("lignes", **data)


def quote(name="devis.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def imputations(sp):
    for axis in ("financial_centre", "cost_centre", "activity", "funds"):
        BudgetImputation.objects.get_or_create(service=sp, axis=axis, code=f"{axis[:3]}-01",
                                               defaults={"label": f"Libellé {axis}"})


@pytest.fixture
def supplier():
    return Tiers.objects.filter(active=True).first() or Tiers.objects.create(
        name="Bureautique de l'Est", siret="73282932000074",
        iban="FR7630006000011234567890189", city="Nancy", postcode="54000")


@pytest.fixture
def agent_client(client, sp_agent):
    client.force_login(sp_agent)
    return client


def fill_until_summary(client, sp, supplier, lines=(("Poste portable", "2", "500", "20.00"),)):
    response = client.post(NEW_URL, object_step(sp))
    assert response.status_code == 302
    url = response["Location"]
    assert client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk})
                       ).status_code == 302
    assert client.post(url, lines_step(*lines)).status_code == 302
    assert client.post(url, step("pieces", **{"pieces-quote": quote()})).status_code == 302
    return url


def test_full_wizard_submits_a_case_with_reference_and_totals(agent_client, sp, imputations,
                                                               supplier):
    url = fill_until_summary(agent_client, sp, supplier, lines=(
        ("Poste portable", "2", "500", "20.00"), ("Livre technique", "3", "10.00", "5.50")))
    summary = agent_client.get(url).content.decode()
    # 1000 + 30 HT; VAT 200 + 1.65 → 1231.65 TTC, computed by the server.
    assert re.search(r'id="total-ttc">1\s?231,65', summary)

    response = agent_client.post(url, step("recapitulatif", **{"recapitulatif-confirm": "on"}))

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.state == State.SUBMITTED
    assert re.fullmatch(rf"DA-{sp.code}-\d{{4}}-000001", case.reference)
    assert str(case.amount) == "1231.65"
    assert case.purchase_request.lines.count() == 2
    assert case.attachments.filter(kind="quote").count() == 1
    page = agent_client.get(case.get_absolute_url()).content.decode()
    assert case.reference in page and "Demande déposée" in page


def test_amount_above_agent_ceiling_goes_to_validation(agent_client, sp, imputations, supplier):
    url = fill_until_summary(agent_client, sp, supplier,
                             lines=(("Serveur", "1", "9000", "20.00"),))
    agent_client.post(url, step("recapitulatif", **{"recapitulatif-confirm": "on"}))
    assert Case.objects.get().state == State.AWAITING_VALIDATION


def test_leaving_keeps_a_draft_that_resumes_at_the_same_step(agent_client, sp, imputations,
                                                              supplier):
    response = agent_client.post(NEW_URL, object_step(sp))
    url = response["Location"]
    agent_client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    # Type half a line, then leave with "save draft": nothing is lost.
    response = agent_client.post(url, {**lines_step(("Écran 27 pouces", "", "", "20.00")),
                                       "save_draft": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("cases:my_requests")

    case = Case.objects.get()
    assert case.state == State.DRAFT and case.subject.startswith("Renouvellement")
    listing = agent_client.get(reverse("cases:my_requests")).content.decode()
    assert f"Brouillon n° {case.pk}" in listing

    resumed = agent_client.get(url).content.decode()
    assert "Lignes de commande" in resumed
    assert "Écran 27 pouces" in resumed


def test_previous_step_keeps_what_was_typed(agent_client, sp, imputations, supplier):
    url = agent_client.post(NEW_URL, object_step(sp))["Location"]
    agent_client.post(url, {**step("fournisseur", **{"fournisseur-tiers": supplier.pk}),
                            "wizard_goto_step": "objet"})
    page = agent_client.get(url).content.decode()
    assert "Renouvellement de 4 postes" in page
    assert Case.objects.get().wizard_state["step"] == "objet"


def test_negative_quantity_shows_a_field_error(agent_client, sp, imputations, supplier):
    url = agent_client.post(NEW_URL, object_step(sp))["Location"]
    agent_client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    response = agent_client.post(url, lines_step(("Poste", "-2", "500", "20.00")))
    assert response.status_code == 200
    assert "La quantité doit être strictement positive." in response.content.decode()
    assert Case.objects.get().wizard_state["step"] == "lignes"


def test_no_line_at_all_is_refused_in_french(agent_client, sp, imputations, supplier):
    url = agent_client.post(NEW_URL, object_step(sp))["Location"]
    agent_client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    response = agent_client.post(url, lines_step())
    assert "Ajoutez au moins une ligne de commande." in response.content.decode()


def test_missing_imputation_shows_a_field_error(agent_client, sp, imputations):
    response = agent_client.post(NEW_URL, object_step(sp, **{"objet-activity": ""}))
    assert response.status_code == 200
    assert "Cette imputation budgétaire est obligatoire." in response.content.decode()
    assert not Case.objects.exists()


def test_imputation_of_another_service_is_refused(agent_client, sp, other_sp, imputations):
    foreign = BudgetImputation.objects.create(service=other_sp, axis="activity", code="X",
                                              label="Activité d'un autre service")
    response = agent_client.post(NEW_URL, object_step(sp, **{"objet-activity": foreign.pk}))
    assert "Choisissez une valeur du référentiel de votre service." in response.content.decode()


def test_no_quote_shows_a_field_error_and_blocks_submission(agent_client, sp, imputations,
                                                            supplier):
    url = agent_client.post(NEW_URL, object_step(sp))["Location"]
    agent_client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    agent_client.post(url, lines_step(("Poste", "1", "100", "20.00")))
    response = agent_client.post(url, step("pieces"))
    assert response.status_code == 200
    assert "Joignez le devis du fournisseur." in response.content.decode()


def test_disguised_file_is_refused(agent_client, sp, imputations, supplier):
    url = agent_client.post(NEW_URL, object_step(sp))["Location"]
    agent_client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    agent_client.post(url, lines_step(("Poste", "1", "100", "20.00")))
    fake = quote("devis.pdf", b"<html><script>alert(1)</script></html>")
    response = agent_client.post(url, step("pieces", **{"pieces-quote": fake}))
    assert "ne correspond pas à son extension" in response.content.decode()
    assert not Case.objects.get().attachments.exists()


def test_replayed_final_submit_creates_one_submission(agent_client, sp, imputations, supplier):
    url = fill_until_summary(agent_client, sp, supplier)
    final = step("recapitulatif", **{"recapitulatif-confirm": "on"})
    agent_client.post(url, final)
    second = agent_client.post(url, final)
    assert second.status_code == 302  # the submitted case's page, not a second submission
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(action="submit").count() == 1


def test_someone_elses_draft_is_a_404(client, sp, imputations, sp_agent, ordonnateur,
                                      foreign_sp_agent):
    client.force_login(sp_agent)
    url = client.post(NEW_URL, object_step(sp))["Location"]
    for intruder in (ordonnateur, foreign_sp_agent):
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        assert client.post(url, object_step(sp)).status_code == 404


def test_centre_agent_cannot_open_the_wizard(client, csp_agent):
    client.force_login(csp_agent)
    assert client.get(NEW_URL).status_code == 404


def test_supplier_step_lists_a_page_of_results_but_accepts_any_active_supplier(
        agent_client, sp, imputations):
    from tests.factories import TiersFactory

    suppliers = [TiersFactory(name=f"Fournisseur {i:02d}") for i in range(30)]
    url = agent_client.post(NEW_URL, object_step(sp))["Location"]
    page = agent_client.get(url).content.decode()
    assert page.count('name="fournisseur-tiers"') == 20
    searched = agent_client.get(url, {"q": "Fournisseur 29"}).content.decode()
    assert searched.count('name="fournisseur-tiers"') == 1
    response = agent_client.post(url, step("fournisseur",
                                           **{"fournisseur-tiers": suppliers[-1].pk}))
    assert response.status_code == 302
    suppliers[0].active = False
    suppliers[0].save()
    agent_client.post(url, {"wizard_goto_step": "fournisseur",
                            **step("lignes", **{"lignes-TOTAL_FORMS": "0"})})
    refused = agent_client.post(url, step("fournisseur",
                                          **{"fournisseur-tiers": suppliers[0].pk}))
    assert "Ce fournisseur n'existe pas ou n'est plus actif." in html.unescape(
        refused.content.decode())


def test_quote_removed_before_submission_sends_back_to_the_attachments_step(
        agent_client, sp, imputations, supplier):
    url = fill_until_summary(agent_client, sp, supplier)
    case = Case.objects.get()
    attachment = case.attachments.get()
    agent_client.post(reverse("cases:draft_attachment_remove", args=[case.pk, attachment.pk]))
    response = agent_client.post(url, step("recapitulatif", **{"recapitulatif-confirm": "on"}))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DRAFT
    assert case.wizard_state["step"] == "pieces"
    # Nothing typed before is lost.
    assert case.wizard_state["step_data"]["lignes"]["lignes-0-label"] == ["Poste portable"]
    assert "Joignez le devis" in agent_client.get(url).content.decode()


# What each request of a complete submission may cost in SQL queries (the session, the user,
# the menu's count and the site's configuration included). A step's POST validates its form
# once (formtools built and validated it a second time) and saves the draft without reading
# its state first, the four imputation lists come from one query, and the last step fills
# and submits in one transaction. Before: 16, 22, 11, 13, 9, 9, 10, 17, 18 and 29.
STEP_QUERIES = {
    ("GET", "objet"): 13, ("POST", "objet"): 16,
    ("GET", "fournisseur"): 10, ("POST", "fournisseur"): 9,
    ("GET", "lignes"): 9, ("POST", "lignes"): 8,
    ("GET", "pieces"): 10, ("POST", "pieces"): 15,
    ("GET", "recapitulatif"): 13, ("POST", "recapitulatif"): 24,
}


def test_each_request_of_a_submission_has_a_query_budget(
        agent_client, sp, imputations, supplier, django_assert_max_num_queries):
    posts = {
        "objet": object_step(sp),
        "fournisseur": step("fournisseur", **{"fournisseur-tiers": supplier.pk}),
        "lignes": lines_step(("Poste portable", "2", "500", "20.00")),
        "pieces": step("pieces", **{"pieces-quote": quote()}),
        "recapitulatif": step("recapitulatif", **{"recapitulatif-confirm": "on"}),
    }
    url = NEW_URL
    for name, data in posts.items():
        with django_assert_max_num_queries(STEP_QUERIES["GET", name]):
            page = agent_client.get(url)
        assert page.status_code == 200
        assert f'value="{name}"' in page.content.decode()
        with django_assert_max_num_queries(STEP_QUERIES["POST", name]):
            response = agent_client.post(url, data)
        assert response.status_code == 302
        url = response["Location"]
    case = Case.objects.get()
    assert url == case.get_absolute_url() and case.state == State.SUBMITTED


def test_the_last_step_still_checks_every_stored_step_again(agent_client, sp, imputations,
                                                            supplier):
    url = fill_until_summary(agent_client, sp, supplier)
    case = Case.objects.get()
    # The stored first step now names another service's imputation (a forged draft, or a
    # referential changed since): the submission is refused at that step.
    foreign = BudgetImputation.objects.create(
        service=PrescribingServiceFactory(processing_centre=sp.processing_centre),
        axis="financial_centre", code="fin-99", label="Ailleurs")
    state = case.wizard_state
    state["step_data"]["objet"]["objet-financial_centre"] = [str(foreign.pk)]
    Case.objects.filter(pk=case.pk).update(wizard_state=state)

    response = agent_client.post(url, step("recapitulatif", **{"recapitulatif-confirm": "on"}))

    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert case.state == State.DRAFT and case.wizard_state["step"] == "objet"
    page = agent_client.get(url)
    assert any("Une étape est incomplète" in str(m) for m in page.context["messages"])
