"""Fixed-asset requests (Fiec/Fies) through their services (fixed_assets/services.py): the
draft's checks, the inventory number (well formed, unique per service, released when the
request closes), the document its kind needs at submission, the Chorus record number at
completion."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import CaseKind
from cases.services import CaseError, case_draft_create
from cases.workflow import Action, State
from documents.models import AttachmentKind
from documents.services import attachment_add
from fixed_assets.models import FixedAssetRequest
from fixed_assets.services import AssetData, asset_request_fill
from service_done.tests import test_services as service_done_services
from service_done.tests.test_services import act, service_of
from tests.fixtures import TINY_PDF, tiny_pdf

pytestmark = pytest.mark.django_db
# A fixture of that module: a completed 1200 € purchase request.
ej_1200 = service_done_services.ej_1200


def fies(**changes):
    values = {"asset_kind": "fies", "label": "Serveur de calcul",
              "commissioned_on": date(2026, 6, 1), "depreciation_years": 5,
              "inventory_number": "INV-2026/001"}
    return AssetData(**{**values, **changes})


def asset_draft(actor, data=None, *, document=None):
    case = case_draft_create(actor=actor, service=service_of(actor),
                             kind=CaseKind.FIXED_ASSET)
    if document:
        attachment_add(case=case, kind=document, uploaded=tiny_pdf("pv.pdf"), actor=actor)
    if data is not None:
        asset_request_fill(case=case, actor=actor, data=data)
    return case


def refused_field(actor, data):
    with pytest.raises(CaseError) as refused:
        asset_draft(actor, data)
    return refused.value.field


@pytest.mark.parametrize(("years", "accepted"), [
    (None, False), (0, False), (1, True), (settings.FIXED_ASSET_MAX_DEPRECIATION_YEARS, True),
    (settings.FIXED_ASSET_MAX_DEPRECIATION_YEARS + 1, False)])
def test_depreciation_years_run_from_one_to_the_maximum(sp_agent, years, accepted):
    if not accepted:
        assert refused_field(sp_agent, fies(depreciation_years=years)) == "depreciation_years"
    else:
        case = asset_draft(sp_agent, fies(depreciation_years=years))
        assert FixedAssetRequest.objects.get(case=case).depreciation_years == years


@pytest.mark.parametrize("number", ["", "AB", "INV 2026", "-INV2026", "INV_2026", "A" * 31,
                                    "INV-2026\n1"])
def test_malformed_inventory_numbers_are_refused(sp_agent, number):
    assert refused_field(sp_agent, fies(inventory_number=number)) == "inventory_number"


def test_inventory_numbers_are_unique_per_service(sp_agent, foreign_sp_agent):
    first = asset_draft(sp_agent, fies(inventory_number=" inv-2026/001 "))
    assert FixedAssetRequest.objects.get(case=first).inventory_number == "INV-2026/001"
    with pytest.raises(CaseError) as refused:
        asset_draft(sp_agent, fies(label="Autre serveur"))
    assert refused.value.field == "inventory_number" and "INV-2026/001" in refused.value.message
    asset_request_fill(case=first, actor=sp_agent, data=fies(label="Renommé"))  # its own
    other = asset_draft(foreign_sp_agent, fies())  # another SP: its own numbering
    assert FixedAssetRequest.objects.get(case=other).inventory_number == "INV-2026/001"


@pytest.mark.parametrize("closing", ["reject", "cancel"])
def test_a_closed_request_frees_its_inventory_number(sp_agent, csp_agent, closing):
    first = asset_draft(sp_agent, fies(), document=AttachmentKind.COMMISSIONING)
    if closing == "reject":
        first = act(first, Action.SUBMIT, sp_agent)
        first = act(first, Action.CLAIM, csp_agent)
        act(first, Action.REJECT, csp_agent, comment="Bien non immobilisable")
    else:
        act(first, Action.CANCEL, sp_agent)
    assert not FixedAssetRequest.objects.get(case=first).holds_number
    second = asset_draft(sp_agent, fies(label="Nouveau serveur"))
    assert FixedAssetRequest.objects.get(case=second).holds_number


def test_commissioning_date_and_fiec_ejs_are_checked(
        make_purchase_request, sp_agent, ej_1200, foreign_sp_agent, foreign_csp_agent):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert refused_field(sp_agent, fies(commissioned_on=tomorrow)) == "commissioned_on"
    assert refused_field(sp_agent, fies(commissioned_on=None)) == "commissioned_on"
    fiec = AssetData(asset_kind="fiec", label="Bâtiment en construction")
    assert refused_field(sp_agent, fiec) == "purchase_requests"
    foreign = make_purchase_request(foreign_sp_agent, state=State.COMPLETED,
                                    agent=foreign_csp_agent).purchase_request
    fiec = AssetData(asset_kind="fiec", label="Bâtiment", purchase_requests=[foreign])
    assert refused_field(sp_agent, fiec) == "purchase_requests"
    case = asset_draft(sp_agent, AssetData(asset_kind="fiec", label="Bâtiment",
                                           purchase_requests=[ej_1200]))
    assert list(FixedAssetRequest.objects.get(case=case).purchase_requests.all()) == [ej_1200]


@pytest.mark.parametrize(("kind", "needed", "wrong"), [
    ("fies", AttachmentKind.COMMISSIONING, AttachmentKind.ACQUISITION),
    ("fiec", AttachmentKind.ACQUISITION, AttachmentKind.COMMISSIONING)])
def test_submission_needs_the_document_of_its_kind(sp_agent, ej_1200, kind, needed, wrong):
    data = fies() if kind == "fies" else AssetData(asset_kind="fiec", label="Bâtiment",
                                                   purchase_requests=[ej_1200])
    case = asset_draft(sp_agent, data, document=wrong)
    with pytest.raises(CaseError) as refused:
        act(case, Action.SUBMIT, sp_agent)
    assert refused.value.field == needed and "manquante" in refused.value.message
    case.refresh_from_db()
    assert case.state == State.DRAFT
    other_pdf = SimpleUploadedFile("acte.pdf", TINY_PDF + b"% autre piece\n",
                                   content_type="application/pdf")
    attachment_add(case=case, kind=needed, uploaded=other_pdf, actor=sp_agent)
    assert act(case, Action.SUBMIT, sp_agent).state == State.SUBMITTED


def test_completion_needs_a_well_formed_chorus_number(sp_agent, csp_agent):
    case = asset_draft(sp_agent, fies(), document=AttachmentKind.COMMISSIONING)
    case = act(case, Action.SUBMIT, sp_agent)
    case = act(case, Action.CLAIM, csp_agent)
    for number, field in [(None, "asset_number"), ("   ", "asset_number"),
                          ("2000-123", "asset_number"), ("A" * 21, "asset_number")]:
        with pytest.raises(CaseError) as refused:
            act(case, Action.COMPLETE, csp_agent, asset_number=number)
        assert refused.value.field == field
        case.refresh_from_db()
        assert case.state == State.IN_PROGRESS and case.completed_at is None
    assert FixedAssetRequest.objects.get(case=case).asset_number == ""
    case = act(case, Action.COMPLETE, csp_agent, asset_number=" 2000ab3456 ")
    assert case.state == State.COMPLETED
    assert FixedAssetRequest.objects.get(case=case).asset_number == "2000AB3456"
