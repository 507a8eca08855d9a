"""The fixed-asset request through the REST API: Fiec or Fies, what each needs checked by the
wizard's own forms (French messages at their fields), the document attached apart."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, CaseKind
from cases.workflow import State
from kinds.fixed_assets.models import FixedAssetRequest
from kinds.service_done.tests import test_views as service_done_views
from tests.factories import working_days_ago

pytestmark = pytest.mark.django_db
completed = service_done_views.completed
PDF = service_done_views.PDF


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def test_a_fies_is_created_checked_updated_and_submitted(sp, sp_agent, completed):
    api = api_for(sp_agent)
    content = {"asset_kind": "fies", "label": "Serveur de calcul",
               "commissioned_on": working_days_ago(1).isoformat(), "depreciation_years": 500,
               "inventory_number": "inv 2026/001", "purchase_requests": [completed.pk]}
    refused = api.post("/api/cases/", {"kind": CaseKind.FIXED_ASSET, "service": sp.code,
                                       "content": content}, format="json")
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert errors["content.depreciation_years"] == ["Au plus 50 ans."]
    assert errors["content.inventory_number"][0].startswith("Numéro d'inventaire mal formé")
    assert not Case.objects.filter(kind=CaseKind.FIXED_ASSET).exists()
    created = api.post("/api/cases/", {"kind": CaseKind.FIXED_ASSET, "service": sp.code,
                                       "content": {**content, "depreciation_years": 5,
                                                   "inventory_number": "INV-2026/001"}},
                       format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert FixedAssetRequest.objects.get(case_id=pk).inventory_number == "INV-2026/001"
    put = api.put(f"/api/cases/{pk}/content/", {"content": {"asset_kind": "fiec",
                                                           "label": "Bâtiment B"}},
                  format="json")
    assert put.status_code == 400
    assert put.json()["errors"] == {"content.purchase_requests": [
        "Une immobilisation en cours se rattache à au moins un EJ."]}
    put = api.put(f"/api/cases/{pk}/content/", {"version": created.json()["version"],
                                               "content": {"asset_kind": "fiec",
                                                           "label": "Bâtiment B",
                                                           "purchase_requests": [completed.pk]}},
                  format="json")
    assert put.status_code == 200, put.json()
    stale = api.patch(f"/api/cases/{pk}/content/", {"version": created.json()["version"],
                                                   "content": {"label": "X"}}, format="json")
    assert stale.status_code == 409
    request = FixedAssetRequest.objects.get(case_id=pk)
    assert (request.asset_kind, request.label, request.inventory_number) == (
        "fiec", "Bâtiment B", "")
    refused = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "document"
    api.post(f"/api/cases/{pk}/attachments/",
             {"kind": "acquisition", "file": SimpleUploadedFile("acte.pdf", PDF)},
             format="multipart")
    submitted = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] in (State.SUBMITTED, State.AWAITING_VALIDATION)
