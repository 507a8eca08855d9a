"""Service-done statements over HTTP, as people click them: the SP states a delivery from its
purchase request, an ordonnateur validates, the centre certifies and a signed certificate
appears on both cases. (Fixed-asset requests over HTTP: fixed_assets/tests/test_views.py.)"""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseKind
from cases.workflow import State
from documents.models import IssuedDocumentKind
from kinds.service_done.models import ServiceDoneStatement
from tests.factories import working_days_ago

pytestmark = pytest.mark.django_db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _text(response):
    return html.unescape(response.content.decode())


def pdf(name="bl.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post(client, url, prefix, step, data, files=None):
    payload = {f"{prefix}-current_step": step, **{f"{step}-{k}": v for k, v in data.items()}}
    payload.update({f"{step}-{k}": v for k, v in (files or {}).items()})
    return client.post(url, payload)


@pytest.fixture
def completed(make_purchase_request, sp_agent, csp_agent, ordonnateur):
    return make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                 agent=csp_agent, ordonnateur=ordonnateur)


def state_delivery(client, purchase_request, *, delivered_on, quantity="1"):
    new = reverse("service_done:new")
    response = post(client, new, "service_done", "livraison",
                    {"purchase_request": purchase_request.pk,
                     "delivered_on": delivered_on.isoformat(), "invoice_reference": "F-12"},
                    files={"proof": pdf()})
    assert response.status_code == 302, _text(response)[:3000]
    case = Case.objects.filter(kind=CaseKind.SERVICE_DONE).latest("pk")
    url = reverse("service_done:resume", args=[case.pk])
    line = purchase_request.lines.get()
    response = post(client, url, "service_done", "quantites", {f"line_{line.pk}": quantity})
    assert response.status_code == 302, _text(response)[:3000]
    return case, url


def test_a_statement_goes_from_the_sp_to_a_signed_certificate(
        client, completed, sp_agent, ordonnateur, csp_agent, give_credential):
    purchase_request = completed.purchase_request
    client.force_login(sp_agent)
    page = _text(client.get(completed.get_absolute_url()))
    assert "Déclarer un service fait" in page and "Ouvert : aucun service fait" in page
    case, url = state_delivery(client, purchase_request, delivered_on=working_days_ago(2))
    assert "Motif du retard" not in _text(client.get(url))  # on time: no lateness step
    response = post(client, url, "service_done", "recapitulatif", {"confirm": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.AWAITING_VALIDATION  # always an ordonnateur
    statement = ServiceDoneStatement.objects.get(case=case)
    assert (statement.amount_ttc, statement.late) == (Decimal("1200.00"), False)

    client.force_login(ordonnateur)
    client.post(reverse("cases:action", args=[case.pk, "validate"]), {"version": case.version})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    client.force_login(csp_agent)
    client.post(reverse("cases:action", args=[case.pk, "claim"]), {"version": case.version})
    case.refresh_from_db()
    give_credential(csp_agent)
    response = client.post(reverse("cases:action", args=[case.pk, "certify"]),
                           {"version": case.version})
    assert response.status_code == 302, _text(response)[:3000]
    case.refresh_from_db()
    assert case.state == State.COMPLETED
    certificate = case.issued_documents.get(kind=IssuedDocumentKind.SERVICE_DONE_CERTIFICATE)
    client.force_login(sp_agent)
    page = _text(client.get(completed.get_absolute_url()))
    assert "Entièrement certifié" in page
    assert certificate.get_absolute_url() in page
    assert "Déclarer un service fait" not in page  # nothing left to state
    download = client.get(certificate.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_late_statement_asks_why_and_supplier_fault_means_penalties(
        client, completed, sp_agent, csp_agent):
    client.force_login(sp_agent)
    case, url = state_delivery(client, completed.purchase_request,
                               delivered_on=working_days_ago(9))
    page = _text(client.get(url))
    assert "Motif du retard" in page and "9 jours ouvrés après la livraison" in page
    response = post(client, url, "service_done", "retard", {"lateness_reason": "other"})
    assert "Précisez le motif du retard." in _text(response)
    post(client, url, "service_done", "retard", {"lateness_reason": "supplier"})
    post(client, url, "service_done", "recapitulatif", {"confirm": "on"})
    statement = ServiceDoneStatement.objects.get(case=case)
    assert (statement.late, statement.penalties, statement.working_days_after_delivery) == (
        True, True, 9)


def test_a_statement_cannot_exceed_what_is_left(client, completed, sp_agent):
    client.force_login(sp_agent)
    line = completed.purchase_request.lines.get()
    new = reverse("service_done:new")
    post(client, new, "service_done", "livraison",
         {"purchase_request": completed.purchase_request.pk,
          "delivered_on": working_days_ago(1).isoformat()}, files={"proof": pdf()})
    url = reverse("service_done:resume", args=[Case.objects.get(kind="service_done").pk])
    response = post(client, url, "service_done", "quantites", {f"line_{line.pk}": "2"})
    assert response.status_code == 200
    assert "Il reste 1 à constater sur cette ligne." in _text(response)




def test_another_service_sees_nothing_of_statements_and_assets(
        client, completed, sp_agent, foreign_sp_agent, foreign_csp_agent):
    client.force_login(sp_agent)
    case, url = state_delivery(client, completed.purchase_request,
                               delivered_on=working_days_ago(1))
    post(client, url, "service_done", "recapitulatif", {"confirm": "on"})
    for user in (foreign_sp_agent, foreign_csp_agent):
        client.force_login(user)
        assert client.get(case.get_absolute_url()).status_code == 404
        assert client.get(url).status_code == 404
        assert client.get(completed.get_absolute_url()).status_code == 404
        assert client.post(reverse("cases:action", args=[case.pk, "certify"]),
                           {"version": case.version}).status_code == 404
    client.force_login(foreign_sp_agent)
    # Another service's order is not offered, and cannot be forced in.
    response = client.get(reverse("service_done:new") + f"?da={completed.purchase_request.pk}")
    assert completed.purchase_request.case.reference not in _text(response)
    response = post(client, reverse("service_done:new"), "service_done", "livraison",
                    {"purchase_request": completed.purchase_request.pk,
                     "delivered_on": working_days_ago(1).isoformat()}, files={"proof": pdf()})
    assert response.status_code == 200
    assert "Choisissez une commande terminée de votre service" in _text(response)
