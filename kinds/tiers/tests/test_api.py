"""The tiers request through the REST API: the content checked by the wizard's own forms (a
refused identifier named at its field, in French), the RIB attached apart and required at
submission, an update, and nothing written when refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, CaseKind
from cases.workflow import State
from kinds.tiers.models import TiersRequest
from tests.factories import valid_iban, valid_siret

pytestmark = pytest.mark.django_db
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
SIRET, IBAN = valid_siret(5151), valid_iban(5151)
CONTENT = {"operation": "creation", "category": "company", "name": "Menuiserie Durand",
           "siret": SIRET, "address": "3 rue des Lilas", "postcode": "57000", "city": "Metz",
           "email": "contact@durand.fr", "iban": IBAN, "bic": "CEPAFRPP751"}


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def test_a_tiers_request_is_created_updated_and_submitted(sp, sp_agent, foreign_sp_agent):
    api = api_for(sp_agent)
    created = api.post("/api/cases/", {"kind": CaseKind.TIERS, "service": sp.code,
                                       "content": {**CONTENT, "rib": "x"}}, format="json")
    assert created.status_code == 400 and created.json()["field"] == "content.rib"
    assert "attachments" in created.json()["detail"]
    created = api.post("/api/cases/", {"kind": CaseKind.TIERS, "service": sp.code,
                                       "content": CONTENT}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["subject"] == "Création du tiers Menuiserie Durand"
    assert TiersRequest.objects.get(case_id=pk).siret == SIRET

    bad = api.patch(f"/api/cases/{pk}/content/", {"content": {"siret": "12345678901234"}},
                    format="json")
    assert bad.status_code == 400
    assert bad.json()["field"] == "content.siret"
    assert "SIRET" in bad.json()["detail"] or "clé" in bad.json()["detail"]
    assert TiersRequest.objects.get(case_id=pk).siret == SIRET  # nothing half-written
    assert api_for(foreign_sp_agent).patch(f"/api/cases/{pk}/content/",
                                           {"content": {"name": "X"}},
                                           format="json").status_code == 404
    renamed = api.patch(f"/api/cases/{pk}/content/", {"content": {"name": "Durand et fils"}},
                        format="json")
    assert renamed.status_code == 200, renamed.json()
    assert TiersRequest.objects.get(case_id=pk).name == "Durand et fils"

    missing_rib = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert missing_rib.status_code == 400
    assert missing_rib.json() == {"detail": "Joignez le RIB du tiers.", "field": "rib",
                                  "errors": {"rib": ["Joignez le RIB du tiers."]}}
    upload = api.post(f"/api/cases/{pk}/attachments/",
                      {"kind": "rib", "file": SimpleUploadedFile("rib.pdf", PDF)},
                      format="multipart")
    assert upload.status_code == 201
    submitted = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == State.SUBMITTED
    assert submitted.json()["reference"].startswith("TI-")


def test_a_field_of_another_category_is_dropped_and_an_unknown_one_refused(sp, sp_agent):
    api = api_for(sp_agent)
    unknown = api.post("/api/cases/", {"kind": CaseKind.TIERS, "service": sp.code,
                                       "content": {**CONTENT, "sirett": "1"}}, format="json")
    assert unknown.status_code == 400 and unknown.json()["field"] == "content.sirett"
    assert not Case.objects.filter(kind=CaseKind.TIERS).exists()
    created = api.post("/api/cases/", {"kind": CaseKind.TIERS, "service": sp.code,
                                       "content": {**CONTENT, "nir": "forged"}}, format="json")
    assert created.status_code == 201, created.json()
    assert "forged" not in str(Case.objects.get(pk=created.json()["id"]).wizard_state)
