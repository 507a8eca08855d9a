"""The service-done statement through the REST API: the order and quantities checked by the
wizard's own forms (what is left on the line, in French, at the line's place), the proof
attached apart, the lateness reason asked only when late, submission as the wizard does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import CaseKind
from cases.workflow import State
from kinds.service_done.models import ServiceDoneStatement
from kinds.service_done.tests import test_views as service_done_views
from tests.factories import working_days_ago

pytestmark = pytest.mark.django_db
completed = service_done_views.completed
PDF = service_done_views.PDF


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
    return client


def body(sp, completed, **content):
    return {"kind": CaseKind.SERVICE_DONE, "service": sp.code, "content": {
        "purchase_request": completed.pk, "delivered_on": working_days_ago(2).isoformat(),
        "invoice_reference": "F-12", "lines": ["1"], **content}}


def test_a_statement_is_created_checked_and_submitted(sp, sp_agent, completed,
                                                      foreign_sp_agent, other_sp):
    api = api_for(sp_agent)
    over = api.post("/api/cases/", body(sp, completed, lines=["2"]), format="json")
    assert over.status_code == 400
    assert over.json()["errors"] == {"content.lines.0": ["Il reste 1 à constater sur cette "
                                                         "ligne."]}
    count = api.post("/api/cases/", body(sp, completed, lines=["1", "1"]), format="json")
    assert count.json()["field"] == "content.lines"
    foreign = api_for(foreign_sp_agent).post("/api/cases/", body(other_sp, completed),
                                             format="json")
    assert foreign.json()["field"] == "content.purchase_request"
    assert not ServiceDoneStatement.objects.exists()

    # On time: a lateness reason sent anyway is dropped, as the wizard has no such step.
    created = api.post("/api/cases/", body(sp, completed, lateness_reason="supplier"),
                       format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    statement = ServiceDoneStatement.objects.get(case_id=pk)
    assert (str(statement.amount_ttc), statement.lateness_reason) == ("1200.00", "")
    late = api.patch(f"/api/cases/{pk}/content/",
                     {"content": {"delivered_on": working_days_ago(9).isoformat()}},
                     format="json")
    assert late.status_code == 400
    assert late.json()["field"] == "content.lateness_reason"
    late = api.patch(f"/api/cases/{pk}/content/",
                     {"content": {"delivered_on": working_days_ago(9).isoformat(),
                                  "lateness_reason": "supplier"}}, format="json")
    assert late.status_code == 200, late.json()
    refused = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "proof"
    api.post(f"/api/cases/{pk}/attachments/",
             {"kind": "delivery_proof", "file": SimpleUploadedFile("bl.pdf", PDF)},
             format="multipart")
    submitted = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == State.AWAITING_VALIDATION
    statement.refresh_from_db()
    assert (statement.late, statement.penalties) == (True, True)
