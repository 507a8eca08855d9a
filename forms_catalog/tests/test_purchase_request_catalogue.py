"""The purchase-request wizard takes the editor's fields and settings from its catalogue page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from cases.tests.test_wizard import NEW_URL, lines_step, object_step, step
from cases.workflow import State
from conventions.demo_content import _field
from conventions.services import editorial_setup
from forms_catalog.models import ProcedureFormPage
from tests.factories import ActivityFactory, CostCentreFactory, FinancialCentreFactory, TiersFactory
from tests.fixtures import TINY_PDF

URGENT = "Commande urgente ?"
REASON = "Motif de l'urgence"


@pytest.fixture
def imputations(sp):
    for factory in (FinancialCentreFactory, CostCentreFactory, ActivityFactory):
        factory(service=sp)


@pytest.fixture
def supplier(db):
    return TiersFactory()


@pytest.fixture
def da_page(db, sp):
    editorial = editorial_setup()
    page = ProcedureFormPage(
        title="Demande d'achat", slug="da", form_kind="purchase_request",
        required_attachments=["quote", "price_schedule"],
        fields=[_field("yes_no", URGENT),
                _field("text", REASON, show_if=(URGENT, "oui"))])
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    return ProcedureFormPage.objects.get(pk=page.pk)


def keys(page) -> dict:
    return {item["label"]: item["key"] for s in page.field_schema["steps"]
            for item in s["items"]}


def pdf(name):
    return SimpleUploadedFile(name, TINY_PDF + name.encode(), content_type="application/pdf")


def test_editor_fields_become_a_step_after_the_built_in_ones(client, sp_agent, sp, supplier,
                                                             imputations, da_page):
    client.force_login(sp_agent)
    url = client.post(NEW_URL, object_step(sp))["Location"]
    case = Case.objects.get()
    assert case.procedure == da_page and case.procedure_revision == da_page.live_revision
    client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    client.post(url, lines_step(("Poste", "1", "100", "20.00")))

    # The page requires a price schedule as well as the quote.
    response = client.post(url, step("pieces", **{"pieces-quote": pdf("devis.pdf")}))
    assert response.status_code == 200
    assert "Cette pièce est obligatoire." in response.content.decode()
    response = client.post(url, step("pieces", **{"pieces-price_schedule": pdf("bpu.pdf")}))
    assert response.status_code == 302

    k = keys(da_page)
    page = client.get(url).content.decode()
    assert "Informations complémentaires" in page and URGENT in page
    response = client.post(url, step("etape-1", **{f"etape-1-{k[URGENT]}": "oui"}))
    assert response.status_code == 200  # the reason is required once "oui" is chosen
    response = client.post(url, step("etape-1", **{f"etape-1-{k[URGENT]}": "oui",
                                                   f"etape-1-{k[REASON]}": "Rentrée scolaire"}))
    assert response.status_code == 302
    assert client.get(url).content.decode().count("Rentrée scolaire") == 1  # on the summary

    response = client.post(url, step("recapitulatif", **{"recapitulatif-confirm": "on"}))
    case.refresh_from_db()
    assert response.status_code == 302 and case.state != State.DRAFT
    assert case.extra["answers"][k[URGENT]] == "oui"
    assert "Rentrée scolaire" in client.get(case.get_absolute_url()).content.decode()


def test_a_draft_keeps_the_fields_it_was_started_with(client, sp_agent, sp, imputations,
                                                       da_page):
    client.force_login(sp_agent)
    client.post(NEW_URL, object_step(sp))
    case = Case.objects.get()
    da_page.fields = [_field("text", "Nouveau champ obligatoire")]
    da_page.save_revision().publish()

    labels = [item["label"] for s in case.extra["schema"]["steps"] for item in s["items"]]
    assert labels == [URGENT, REASON]
    page = client.get(case.get_resume_url()).content.decode()
    assert "Nouveau champ obligatoire" not in page


def test_the_case_summary_pdf_shows_the_answers_with_the_cases_own_labels(
        sp_agent, sp, da_page, make_purchase_request):
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from documents.pdf.case_summary import render_case_summary

    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    case.extra = {"schema": da_page.field_schema, "answers": {keys(da_page)[URGENT]: "non"}}
    case.save()
    da_page.fields = [_field("yes_no", "Libellé modifié depuis")]
    da_page.save_revision().publish()

    content = render_case_summary(case, attachments=[], issued_documents=[], events=[])
    reader = PdfFileReader(io.BytesIO(content))
    text = b"".join(page.get_object()["/Contents"].get_object().data
                    for page in reader.root["/Pages"]["/Kids"])
    assert b"Commande urgente" in text and b"depuis" not in text


@pytest.mark.parametrize("unit_price, shown", [("24999.99", False), ("25000.00", True)])
def test_the_summary_flags_a_purchase_at_the_conventions_mission_threshold(
        client, sp_agent, sp, csp, supplier, imputations, unit_price, shown):
    from datetime import date

    from conventions.models import ConventionPage

    editorial = editorial_setup()
    convention = ConventionPage(title="Convention", slug="convention", centre=csp,
                                valid_from=date(2020, 1, 1))
    convention.services = [sp]
    editorial.sections["conventions"].add_child(instance=convention)
    convention.save_revision().publish()
    client.force_login(sp_agent)
    url = client.post(NEW_URL, object_step(sp))["Location"]
    client.post(url, step("fournisseur", **{"fournisseur-tiers": supplier.pk}))
    client.post(url, lines_step(("Travaux", "1", unit_price, "20.00")))
    client.post(url, step("pieces", **{"pieces-quote": pdf("devis.pdf")}))

    page = client.get(url).content.decode()
    assert ("seuil de la mission des achats" in page) is shown
