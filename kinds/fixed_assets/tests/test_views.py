"""Fixed-asset requests over HTTP, as people click them: a Fies request is completed with the
Chorus record number and shows in the SP's asset list; a Fiec keeps several acquisition
documents."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseKind
from cases.workflow import State
from kinds.fixed_assets.models import FixedAssetRequest
from kinds.service_done.tests import test_views as service_done_views
from kinds.service_done.tests.test_views import PDF, _text, pdf, post
from tests.factories import working_days_ago

pytestmark = pytest.mark.django_db
# A fixture of that module: a completed 1200 € purchase request.
completed = service_done_views.completed


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
