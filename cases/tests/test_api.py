"""The cases API: token authentication, the same visibility and refusals as the web pages,
a draft created and submitted through the API, cursor pagination, the OpenAPI schema."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.workflow import State
from tests.factories import ActivityFactory, CostCentreFactory, FinancialCentreFactory, TiersFactory

pytestmark = pytest.mark.django_db
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def api_for(user) -> APIClient:
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def cases(make_purchase_request, sp_agent, foreign_sp_agent):
    return {"own": make_purchase_request(sp_agent, state=State.SUBMITTED),
            "foreign": make_purchase_request(foreign_sp_agent, state=State.SUBMITTED)}


def test_anonymous_and_bad_tokens_are_refused(cases):
    assert APIClient().get("/api/cases/").status_code in (401, 403)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert client.get("/api/cases/").status_code == 401


def test_lists_and_details_follow_the_web_permissions(cases, csp_agent, foreign_csp_agent,
                                                      sp_agent):
    api = api_for(csp_agent)
    listed = api.get("/api/cases/", {"state": "all"}).json()
    assert [c["reference"] for c in listed["results"]] == [cases["own"].reference]
    detail = api.get(f"/api/cases/{cases['own'].pk}/").json()
    assert "claim" in detail["available_actions"]
    assert api.get(f"/api/cases/{cases['foreign'].pk}/").status_code == 404
    assert api_for(sp_agent).get(f"/api/cases/{cases['own'].pk}/").json()[
        "available_actions"] == ["cancel"]
    bad = api.get("/api/cases/", {"amount_min": "9", "amount_max": "1"})
    assert bad.status_code == 400 and "amount_max" in bad.json()["errors"]


def test_actions_go_through_the_workflow(cases, csp_agent, csp_agent2, foreign_csp_agent):
    case = cases["own"]
    api = api_for(csp_agent)
    response = api.post(f"/api/cases/{case.pk}/actions/claim/", {"version": case.version})
    assert response.status_code == 200 and response.json()["state"] == "in_progress"
    stale = api.post(f"/api/cases/{case.pk}/actions/request_info/",
                     {"version": case.version, "comment": "?"})
    assert stale.status_code == 409
    missing = api.post(f"/api/cases/{case.pk}/actions/request_info/", {})
    assert missing.status_code == 400 and missing.json()["field"] == "comment"
    refused = api_for(csp_agent2).post(f"/api/cases/{case.pk}/actions/reject/",
                                       {"comment": "Non"})
    assert refused.status_code == 400
    assert "agent en charge" in refused.json()["detail"]
    assert api_for(foreign_csp_agent).post(
        f"/api/cases/{case.pk}/actions/claim/", {}).status_code == 404


def test_an_agent_creates_fills_and_submits_a_request(sp, sp_agent):
    api = api_for(sp_agent)
    tiers = TiersFactory()
    body = {"kind": "purchase_request", "service": sp.code, "content": {
        "subject": "Cartouches d'encre", "financial_centre": FinancialCentreFactory(
            service=sp).code, "cost_centre": CostCentreFactory(service=sp).code,
        "activity": ActivityFactory(service=sp).code, "tiers": tiers.pk,
        "lines": [{"label": "Cartouche noire", "quantity": "4", "unit_price_ht": "25.00",
                   "vat_rate": "20.00"}]}}
    created = api.post("/api/cases/", body, format="json")
    assert created.status_code == 201, created.json()
    case = created.json()
    assert (case["state"], case["amount"]) == ("draft", "120.00")
    refused = api.post(f"/api/cases/{case['id']}/actions/submit/", {})
    assert refused.status_code == 400 and refused.json()["field"] == "quote"
    upload = api.post(f"/api/cases/{case['id']}/attachments/",
                      {"kind": "quote", "file": SimpleUploadedFile("devis.pdf", PDF)},
                      format="multipart")
    assert upload.status_code == 201
    submitted = api.post(f"/api/cases/{case['id']}/actions/submit/", {})
    assert submitted.status_code == 200
    assert submitted.json()["reference"].startswith("DA-")
    bad = dict(body, content=dict(body["content"], financial_centre="INCONNU"))
    response = api.post("/api/cases/", bad, format="json")
    # Refused by the wizard's own form, with its message, at the field's place in the body.
    assert response.status_code == 400 and response.json()["field"] == "content.financial_centre"
    assert response.json()["detail"] == "Choisissez une valeur du référentiel de votre service."


def test_cursor_pagination(make_purchase_request, sp_agent, csp_agent, monkeypatch):
    from cases import api as cases_api

    monkeypatch.setattr(cases_api.CasesPagination, "page_size", 2)
    for _ in range(3):
        make_purchase_request(sp_agent, state=State.SUBMITTED)
    api = api_for(csp_agent)
    first = api.get("/api/cases/").json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1
    seen = {c["id"] for c in first["results"]} | {c["id"] for c in second["results"]}
    assert len(seen) == 3


def test_session_authentication_needs_the_csrf_token(client, sp_agent, sp):
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(sp_agent)
    response = csrf_client.post("/api/cases/", {"kind": "purchase_request", "service": sp.code},
                                format="json")
    assert response.status_code == 403


def test_the_schema_and_its_documentation(client, sp_agent):
    schema = client.get(reverse("api_schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/cases/{id}/actions/{action}/" in paths and "/api/v2/pages/" not in paths
    assert {"put", "patch"} <= set(paths["/api/cases/{id}/content/"])
    assert "/api/cases/forms/" in paths and "/api/cases/forms/{id}/schema/" in paths
    client.force_login(sp_agent)
    docs = client.get(reverse("api_docs"))
    assert docs.status_code == 200 and b"cdn" not in docs.content.lower()


def test_the_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--urlconf", "cases.api_urls", "--validate", "--fail-on-warn",
                 "--file", str(tmp_path / "schema.yaml"))
    assert "/api/cases/" in (tmp_path / "schema.yaml").read_text()


def test_a_person_creates_and_replaces_their_token(client, sp_agent):
    client.force_login(sp_agent)
    client.post(reverse("api_token"))
    first = Token.objects.get(user=sp_agent).key
    page = client.get(reverse("api_token")).content.decode()
    assert first in page
    assert first not in client.get(reverse("api_token")).content.decode()  # shown once
    client.post(reverse("api_token"))
    assert Token.objects.get(user=sp_agent).key != first
