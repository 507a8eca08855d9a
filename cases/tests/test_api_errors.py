"""The cases API answers every error in JSON, in French, in its documented `Refusal` shape:
a forged pagination cursor is a 400 (it was a 500), an id that is no number or too large for
any column is a 404 (it was Django's HTML page, or a 500 on SQLite), a refused input names
its field by its path, and an unexpected fault is a JSON 500, not an HTML page."""

import base64
from urllib.parse import quote

import pytest
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases import api_errors
from cases.workflow import State

pytestmark = pytest.mark.django_db
HYPOTHESIS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
# Any text a URL can carry (lone surrogates cannot be encoded into one).
TEXT = st.characters(exclude_categories=("Cs",))


def api_for(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def assert_json_refusal(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.fixture
def listed(make_purchase_request, sp_agent, csp_agent):
    for _ in range(3):
        make_purchase_request(sp_agent, state=State.SUBMITTED)
    return csp_agent


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")


CURSORS = st.one_of(
    st.text(TEXT, max_size=40),
    st.text(TEXT, max_size=40).map(_b64),
    # Cursors shaped like the real ones, with any position, offset and direction.
    st.builds(lambda p, o, r: _b64(f"p={p}&o={o}&r={r}"),
              st.one_of(st.text(TEXT, max_size=30), st.integers().map(str),
                        st.datetimes().map(str), st.just("2026")),
              st.one_of(st.integers(), st.text(TEXT, max_size=5)),
              st.sampled_from(["0", "1", "x"])),
)


def test_the_audits_forged_cursor_is_a_400(listed):
    body = assert_json_refusal(api_for(listed).get("/api/cases/?cursor=cD0yMDI2"), 400)
    assert body["field"] == "cursor" and "curseur" in body["detail"]


@HYPOTHESIS
@given(cursor=CURSORS)
def test_no_cursor_is_a_server_error(listed, cursor):
    response = api_for(listed).get("/api/cases/", {"cursor": cursor})
    if response.status_code == 200:
        assert "results" in response.json()
    else:
        assert_json_refusal(response, 400)


def test_the_cursors_the_api_writes_still_work(listed, monkeypatch):
    from cases import api as cases_api

    monkeypatch.setattr(cases_api.CasesPagination, "page_size", 2)
    client = api_for(listed)
    first = client.get("/api/cases/").json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [c["id"] for c in back["results"]] == [c["id"] for c in first["results"]]


SEGMENTS = st.one_of(
    st.text(TEXT, min_size=1, max_size=20).filter(
        lambda s: not s.isascii() or not s.isdigit()),
    st.integers(min_value=2**63, max_value=10**30).map(str),
    st.sampled_from(["abc", "-1", "1.5", "0x10", "１２", "%00", "..", "1e3"]),
)


@HYPOTHESIS
@given(segment=SEGMENTS)
def test_an_id_that_names_no_case_is_a_json_404(listed, segment):
    client = api_for(listed)
    seg = quote(segment, safe="")
    for method, path in (("get", f"/api/cases/{seg}/"),
                         ("post", f"/api/cases/{seg}/actions/claim/"),
                         ("post", f"/api/cases/{seg}/attachments/"),
                         ("get", f"/api/cases/1/actions/{seg}/")):
        response = getattr(client, method)(path)
        # 400: a control character, refused before any lookup; 405: GET on an action.
        assert_json_refusal(response, 400, 404, 405)


def test_a_refused_input_names_its_field_by_its_path(sp, sp_agent):
    response = api_for(sp_agent).post("/api/cases/", {
        "kind": "purchase_request", "service": sp.code, "content": {
            "subject": "Achat", "financial_centre": "A", "cost_centre": "B", "activity": "C",
            "tiers": 1, "lines": [{"label": "L", "quantity": "0", "unit_price_ht": "1.00",
                                   "vat_rate": "20.00"}]}}, format="json")
    body = assert_json_refusal(response, 400)
    # Every step's form says what it refuses, in the order of the steps: the first is the
    # answer's `field` and `detail`.
    assert body["field"] == "content.financial_centre"
    assert body["detail"] == body["errors"]["content.financial_centre"][0]
    assert body["errors"]["content.lines.0.quantity"] == [
        "La quantité doit être strictement positive."]
    assert set(body["errors"]) == {"content.financial_centre", "content.cost_centre",
                                   "content.activity", "content.tiers",
                                   "content.lines.0.quantity"}
    empty = assert_json_refusal(api_for(sp_agent).post("/api/cases/", {}, format="json"), 400)
    assert set(empty["errors"]) == {"kind", "service", "content"}


def test_an_unexpected_fault_is_a_json_500(listed, monkeypatch, caplog):
    from cases import services

    def broken(**kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(services, "case_available_actions", broken)
    case_id = api_for(listed).get("/api/cases/").json()["results"][0]["id"]
    response = api_for(listed).get(f"/api/cases/{case_id}/")
    body = assert_json_refusal(response, 500)
    assert "Erreur interne" in body["detail"] and "panne" not in body["detail"]
    assert any(record.exc_info and "panne simulée" in str(record.exc_info[1])
               for record in caplog.records), "the fault must be logged"


def test_the_site_error_handlers_answer_json_under_api_only(rf: RequestFactory):
    for path, json_expected in (("/api/cases/", True), ("/api/v2/pages/", True),
                                ("/demandes/", False)):
        request = rf.get(path)
        for response in (api_errors.page_not_found(request, Exception()),
                         api_errors.server_error(request)):
            assert response["Content-Type"].startswith("application/json") is json_expected
