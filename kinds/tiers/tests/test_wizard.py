"""The tiers request wizard over HTTP, as an SP agent clicks it: each step's checks, the RIB,
duplicates with "turn into a modification", submission, the way back to a purchase request,
and the centre's case page (Sirene, IBAN in full for the centre only)."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services as case_services
from cases.identifiers import mask
from cases.models import Case, CaseKind, TiersCategory
from cases.workflow import State
from documents.models import AttachmentKind
from kinds.tiers.models import PostalCode, TiersOperation, TiersRequest
from kinds.tiers.sirene.models import Establishment
from tests.factories import TiersFactory, valid_iban, valid_siret

pytestmark = pytest.mark.django_db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
NEW = reverse("suppliers:new")
SIRET = valid_siret(4242)
IBAN = valid_iban(4242)


def _text(response):
    return html.unescape(response.content.decode())


def rib(name="rib.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def step(client, url, name, data, files=None):
    payload = {"tiers-current_step": name, **{f"{name}-{k}": v for k, v in data.items()}}
    if files:
        payload.update({f"{name}-{k}": v for k, v in files.items()})
    return client.post(url, payload)


def resume_url(case):
    return reverse("suppliers:resume", args=[case.pk])


def fill_company(client, *, siret=SIRET, iban=IBAN, name="Menuiserie Durand SARL"):
    response = step(client, NEW, "nature", {"operation": "creation", "category": "company"})
    assert response.status_code == 302, _text(response)[:2000]
    case = Case.objects.filter(kind=CaseKind.TIERS).latest("pk")
    url = resume_url(case)
    response = step(client, url, "identite", {"name": name, "siret": siret})
    assert response.status_code == 302
    response = step(client, url, "adresse", {"address": "3 rue des Lilas", "postcode": "57000",
                                             "city": "Metz", "email": "contact@durand.fr"})
    assert response.status_code == 302
    response = step(client, url, "banque", {"iban": iban, "bic": "CEPAFRPP751"},
                    files={"rib": rib()})
    assert response.status_code == 302, _text(response)[:3000]
    return case, url


def test_an_agent_files_a_creation_request_that_reaches_the_centre(client, sp_agent, cst):
    client.force_login(sp_agent)
    case, url = fill_company(client)
    page = client.get(url)
    assert "Récapitulatif" in _text(page)
    assert IBAN not in _text(page)  # masked on the summary too
    response = step(client, url, "recapitulatif", {"confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.SUBMITTED  # no ordonnateur for a supplier record
    assert case.reference.startswith("TI-")
    request = TiersRequest.objects.get(case=case)
    assert (request.siret, request.siren, request.iban) == (SIRET, SIRET[:9], IBAN)
    assert case.attachments.filter(kind=AttachmentKind.RIB).count() == 1


def test_each_step_shows_precise_identifier_errors(client, sp_agent):
    client.force_login(sp_agent)
    step(client, NEW, "nature", {"operation": "creation", "category": "company"})
    url = resume_url(Case.objects.get(kind=CaseKind.TIERS))
    bad = SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10)
    response = step(client, url, "identite", {"name": "X", "siret": bad})
    assert response.status_code == 200
    assert "Clé de contrôle" in _text(response)
    step(client, url, "identite", {"name": "X", "siret": SIRET})
    response = step(client, url, "adresse", {"address": "1 rue", "postcode": "00100",
                                             "city": "Nulle part", "email": "a@b.fr"})
    assert "aucun département" in _text(response)


def test_postcode_must_serve_the_commune_when_the_referential_knows_it(client, sp_agent):
    PostalCode.objects.create(postcode="57000", insee_code="57463", commune="METZ",
                              delivery_label="METZ")
    client.force_login(sp_agent)
    step(client, NEW, "nature", {"operation": "creation", "category": "company"})
    url = resume_url(Case.objects.get(kind=CaseKind.TIERS))
    step(client, url, "identite", {"name": "X", "siret": SIRET})
    response = step(client, url, "adresse", {"address": "1 rue", "postcode": "57000",
                                             "city": "Nancy", "email": "a@b.fr"})
    assert response.status_code == 200
    assert "ne correspond pas au code postal 57000" in _text(response)
    response = step(client, url, "adresse", {"address": "1 rue", "postcode": "57000",
                                             "city": "metz", "email": "a@b.fr"})
    assert response.status_code == 302


def test_bank_step_requires_a_rib_and_a_bic_of_the_iban_country(client, sp_agent):
    client.force_login(sp_agent)
    step(client, NEW, "nature", {"operation": "creation", "category": "company"})
    url = resume_url(Case.objects.get(kind=CaseKind.TIERS))
    response = step(client, url, "banque", {"iban": IBAN, "bic": "DEUTDEFFXXX"})
    text = _text(response)
    assert "Joignez le RIB du tiers." in text
    assert "Le BIC désigne une banque du pays DE" in text


def test_a_duplicate_is_shown_and_the_request_turns_into_a_modification(client, sp_agent):
    existing = TiersFactory(siret=SIRET, name="Menuiserie Durand")
    client.force_login(sp_agent)
    case, url = fill_company(client)
    page = _text(client.get(url))
    assert "Ce tiers semble déjà exister" in page
    assert "même SIRET" in page
    refused = step(client, url, "recapitulatif", {"confirm": "on"})
    assert refused.status_code == 302
    case.refresh_from_db()
    assert case.state == State.DRAFT
    response = client.post(url, {"tiers-current_step": "recapitulatif",
                                 "to_modification": str(existing.pk)})
    assert response.status_code == 302
    page = _text(client.get(url))
    assert "Ce tiers semble déjà exister" not in page
    step(client, url, "recapitulatif", {"confirm": "on"})
    case.refresh_from_db()
    assert case.state != State.DRAFT
    request = TiersRequest.objects.get(case=case)
    assert request.operation == TiersOperation.MODIFICATION
    assert request.tiers == existing


def test_modification_prefills_the_record(client, sp_agent):
    existing = TiersFactory(name="Imprimerie Martin")
    client.force_login(sp_agent)
    response = step(client, NEW, "nature", {"operation": "modification",
                                            "tiers": str(existing.pk), "category": "company"})
    assert response.status_code == 302
    url = resume_url(Case.objects.get(kind=CaseKind.TIERS))
    page = _text(client.get(url))
    assert 'value="Imprimerie Martin"' in page
    assert existing.siret in page


def test_from_a_purchase_request_the_agent_comes_back_to_it(client, sp_agent, sp):
    draft = case_services.case_draft_create(actor=sp_agent, service=sp,
                                            kind=CaseKind.PURCHASE_REQUEST)
    client.force_login(sp_agent)
    page = _text(client.get(NEW + f"?retour={draft.pk}"))
    assert f'name="retour" value="{draft.pk}"' in page
    response = client.post(NEW, {"tiers-current_step": "nature", "retour": str(draft.pk),
                                 "nature-operation": "creation", "nature-category": "company"})
    assert response.status_code == 302
    case = Case.objects.get(kind=CaseKind.TIERS)
    url = resume_url(case)
    step(client, url, "identite", {"name": "Menuiserie Durand", "siret": SIRET})
    step(client, url, "adresse", {"address": "3 rue", "postcode": "57000", "city": "Metz",
                                  "email": "a@b.fr"})
    step(client, url, "banque", {"iban": IBAN, "bic": "CEPAFRPP751"}, files={"rib": rib()})
    response = step(client, url, "recapitulatif", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("purchases:resume", args=[draft.pk])


def test_the_centre_sees_iban_in_full_and_sirene_beside_the_request(client, sp_agent,
                                                                   csp_agent):
    Establishment.objects.create(siret=SIRET, siren=SIRET[:9], name="DURAND MENUISERIE",
                                 address="3 RUE DES LILAS", postcode="57000", city="METZ",
                                 state=Establishment.State.CLOSED)
    client.force_login(sp_agent)
    case, url = fill_company(client)
    step(client, url, "recapitulatif", {"confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    sp_page = _text(client.get(case.get_absolute_url()))
    assert IBAN not in sp_page
    assert mask(IBAN) in sp_page and mask(IBAN).replace(" ", "").endswith(IBAN[-4:])
    assert "Contrôle Sirene" not in sp_page
    client.force_login(csp_agent)
    centre_page = _text(client.get(case.get_absolute_url()))
    assert " ".join(IBAN[i:i + 4] for i in range(0, len(IBAN), 4)) in centre_page
    assert "Établissement fermé" in centre_page
    assert "DURAND MENUISERIE" in centre_page


def test_categories_ask_for_their_identifier(client, sp_agent):
    client.force_login(sp_agent)
    step(client, NEW, "nature", {"operation": "creation", "category": TiersCategory.INDIVIDUAL})
    url = resume_url(Case.objects.get(kind=CaseKind.TIERS))
    page = _text(client.get(url))
    assert "NIR" in page and "SIRET" not in page
    response = step(client, url, "identite", {"last_name": "Dupont", "first_name": "Jean",
                                              "nir": "1 84 12 76 451 089 47"})
    assert "Clé du NIR invalide" in _text(response)
    step(client, url, "nature", {"operation": "creation", "category": TiersCategory.FOREIGN})
    response = step(client, url, "identite", {"name": "Holz GmbH", "country": "DE"})
    assert "numéro de TVA intracommunautaire" in _text(response)
    response = step(client, url, "identite", {"name": "Holz GmbH", "country": "DE",
                                              "vat_number": "FR40303265045"})
    assert "celui d'un autre pays" in _text(response)
    response = step(client, url, "identite", {"name": "Holz GmbH", "country": "DE",
                                              "vat_number": "DE136695976"})
    assert response.status_code == 302


def test_the_case_summary_pdf_shows_the_request_with_the_iban_masked(client, sp_agent,
                                                                     csp_agent):
    from documents.tests.test_order_forms import _text_of, page_streams

    client.force_login(sp_agent)
    case, url = fill_company(client)
    step(client, url, "recapitulatif", {"confirm": "on"})
    for user in (sp_agent, csp_agent):
        client.force_login(user)
        response = client.get(reverse("documents:case_summary", args=[case.pk]))
        assert response.status_code == 200
        text = "".join(_text_of(s) for s in page_streams(b"".join(response.streaming_content)
                                                          if response.streaming else
                                                          response.content))
        assert "Menuiserie Durand SARL" in text and SIRET in text
        assert IBAN not in text.replace(" ", "")
        assert mask(IBAN).replace(" ", "")[-8:] in text.replace(" ", "")


def test_a_draft_saved_in_another_tab_is_not_overwritten(client, sp_agent):
    client.force_login(sp_agent)
    step(client, NEW, "nature", {"operation": "creation", "category": "company"})
    case = Case.objects.get(kind=CaseKind.TIERS)
    url = resume_url(case)
    shown = case.version  # both tabs show the identity step at this version
    first = client.post(url, {"tiers-current_step": "identite", "draft_version": shown,
                              "identite-name": "Premier onglet", "identite-siret": SIRET})
    assert first.status_code == 302
    second = client.post(url, {"tiers-current_step": "identite", "draft_version": shown,
                               "identite-name": "Second onglet", "identite-siret": SIRET})
    assert second.status_code == 409
    text = _text(second)
    assert "modifié dans un autre onglet" in text and "Second onglet" in text
    case.refresh_from_db()
    assert case.wizard_state["step_data"]["identite"]["identite-name"] == ["Premier onglet"]
