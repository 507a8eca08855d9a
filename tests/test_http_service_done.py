"""Service-done statements and fixed-asset requests over HTTP, as people click them: the SP
states a delivery from its purchase request, an ordonnateur validates, the centre certifies
and a signed certificate appears on both cases; a Fies request is completed with the Chorus
record number and shows in the SP's asset list."""

import html
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case, CaseKind
from cases.workflow import State
from documents.models import IssuedDocumentKind
from fixed_assets.models import FixedAssetRequest
from service_done.models import ServiceDoneStatement

from .factories import working_days_ago

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


def test_a_fies_is_completed_with_its_chorus_number_and_listed(client, completed, sp_agent,
                                                               ordonnateur, csp_agent):
    client.force_login(sp_agent)
    new = reverse("fixed_assets:new")
    response = post(client, new, "fixed_asset", "bien",
                    {"asset_kind": "fies", "label": "Serveur de calcul"})
    assert response.status_code == 302
    case = Case.objects.get(kind=CaseKind.FIXED_ASSET)
    url = reverse("fixed_assets:resume", args=[case.pk])
    response = post(client, url, "fixed_asset", "details",
                    {"commissioned_on": working_days_ago(1).isoformat(),
                     "depreciation_years": "500", "inventory_number": "inv 2026/001",
                     "purchase_requests": [completed.purchase_request.pk]},
                    files={"document": pdf("pv.pdf")})
    text = _text(response)
    assert "Au plus 50 ans." in text
    assert "Numéro d'inventaire mal formé" in text
    # The report passed its own checks: it is kept while the other fields are corrected.
    assert case.attachments.get().original_name == "pv.pdf"
    response = post(client, url, "fixed_asset", "details",
                    {"commissioned_on": working_days_ago(1).isoformat(),
                     "depreciation_years": "5", "inventory_number": "INV-2026/001",
                     "purchase_requests": [completed.purchase_request.pk]})
    assert response.status_code == 302, _text(response)[:3000]
    post(client, url, "fixed_asset", "recapitulatif", {"confirm": "on"})
    case.refresh_from_db()
    if case.state == State.AWAITING_VALIDATION:
        client.force_login(ordonnateur)
        client.post(reverse("cases:action", args=[case.pk, "validate"]),
                    {"version": case.version})
        case.refresh_from_db()
    assert case.state == State.SUBMITTED
    client.force_login(csp_agent)
    client.post(reverse("cases:action", args=[case.pk, "claim"]), {"version": case.version})
    case.refresh_from_db()
    response = client.post(reverse("cases:action", args=[case.pk, "complete"]),
                           {"version": case.version})
    assert response.status_code == 400
    assert "numéro de la fiche immobilisation" in _text(response)
    client.post(reverse("cases:action", args=[case.pk, "complete"]),
                {"version": case.version, "asset_number": "2000123456"})
    assert FixedAssetRequest.objects.get(case=case).asset_number == "2000123456"
    client.force_login(sp_agent)
    listing = _text(client.get(reverse("fixed_assets:list")))
    assert "Serveur de calcul" in listing and "2000123456" in listing
    assert "INV-2026/001" in listing


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


def test_a_fiec_keeps_several_acquisition_documents(client, completed, sp_agent):
    client.force_login(sp_agent)
    post(client, reverse("fixed_assets:new"), "fixed_asset", "bien",
         {"asset_kind": "fiec", "label": "Extension du bâtiment B"})
    case = Case.objects.get(kind=CaseKind.FIXED_ASSET)
    url = reverse("fixed_assets:resume", args=[case.pk])
    response = post(client, url, "fixed_asset", "details", {}, files={"document": pdf("acte.pdf")})
    assert "Une immobilisation en cours se rattache à au moins un EJ." in _text(response)
    post(client, url, "fixed_asset", "details",
         {"purchase_requests": [completed.purchase_request.pk]},
         files={"document": pdf("marche.pdf", PDF + b"% marche\n")})
    assert sorted(case.attachments.values_list("original_name", flat=True)) == [
        "acte.pdf", "marche.pdf"]
    post(client, url, "fixed_asset", "recapitulatif", {"confirm": "on"})
    case.refresh_from_db()
    assert case.state in (State.SUBMITTED, State.AWAITING_VALIDATION)
    assert list(FixedAssetRequest.objects.get(case=case).purchase_requests.all()) == [
        completed.purchase_request]
