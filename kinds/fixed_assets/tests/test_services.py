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
from kinds.fixed_assets.models import FixedAssetRequest
from kinds.fixed_assets.services import (
    AssetData,
    asset_record_number,
    asset_request_fill,
    inventory_number_release,
    inventory_number_taken,
)
from kinds.service_done.tests import test_services as service_done_services
from kinds.service_done.tests.test_services import act, service_of
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
        act(first, Action.REJECT, csp_agent,
            anomaly="missing_document", comment="Bien non immobilisable")
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


# --- the rest of fixed_assets/services.py -----------------------------------------------------


def test_only_its_author_fills_a_fixed_asset_draft(make_purchase_request, sp_agent,
                                                   ordonnateur):
    purchase = make_purchase_request(sp_agent, state=State.DRAFT)
    with pytest.raises(CaseError) as refused:
        asset_request_fill(case=purchase, actor=sp_agent, data=fies())
    assert "pas une demande de fiche immobilisation" in refused.value.message
    assert not FixedAssetRequest.objects.exists()
    case = asset_draft(sp_agent, fies(), document=AttachmentKind.COMMISSIONING)
    with pytest.raises(CaseError) as refused:  # another member of the same service
        asset_request_fill(case=case, actor=ordonnateur, data=fies(label="Par un autre"))
    assert "Seul l'auteur" in refused.value.message
    act(case, Action.SUBMIT, sp_agent)
    with pytest.raises(CaseError) as refused:  # no longer a draft
        asset_request_fill(case=case, actor=sp_agent, data=fies(label="Après le dépôt"))
    assert "Seul l'auteur" in refused.value.message
    assert FixedAssetRequest.objects.get(case=case).label == "Serveur de calcul"


def test_the_kind_and_the_label_are_required_and_the_label_names_the_case(sp_agent):
    assert refused_field(sp_agent, fies(asset_kind="fiex")) == "asset_kind"
    assert refused_field(sp_agent, fies(label="   ")) == "label"
    case = asset_draft(sp_agent)
    version = case.version
    long_label = "  " + "Serveur de calcul " * 15
    asset_request_fill(case=case, actor=sp_agent, data=fies(label=long_label))
    request = FixedAssetRequest.objects.get(case=case)
    assert request.label == long_label.strip()[:200] and len(request.label) == 200
    case.refresh_from_db()
    assert case.subject == f"Fies — {request.label}"[:200]
    assert case.version == version + 1


def test_a_commissioning_date_before_2000_is_refused(sp_agent):
    assert refused_field(sp_agent, fies(commissioned_on=date(1999, 12, 31))) == "commissioned_on"
    case = asset_draft(sp_agent, fies(commissioned_on=date(2000, 1, 1)))
    assert FixedAssetRequest.objects.get(case=case).commissioned_on == date(2000, 1, 1)


def test_a_linked_ej_must_be_a_completed_request(make_purchase_request, sp_agent, csp_agent):
    open_request = make_purchase_request(sp_agent, state=State.IN_PROGRESS,
                                         agent=csp_agent).purchase_request
    fiec = AssetData(asset_kind="fiec", label="Bâtiment", purchase_requests=[open_request])
    assert refused_field(sp_agent, fiec) == "purchase_requests"
    assert refused_field(sp_agent, fies(purchase_requests=[open_request])) == "purchase_requests"


def test_a_fies_puts_into_service_only_an_open_fiec_of_its_own_service(
        make_purchase_request, sp_agent, ej_1200, foreign_sp_agent, foreign_csp_agent):
    own_case = asset_draft(sp_agent, AssetData(asset_kind="fiec", label="Bâtiment B",
                                               purchase_requests=[ej_1200]))
    own_fiec = FixedAssetRequest.objects.get(case=own_case)
    foreign_ej = make_purchase_request(foreign_sp_agent, state=State.COMPLETED,
                                       agent=foreign_csp_agent).purchase_request
    foreign_fiec = FixedAssetRequest.objects.get(case=asset_draft(
        foreign_sp_agent, AssetData(asset_kind="fiec", label="Bâtiment",
                                    purchase_requests=[foreign_ej])))
    assert refused_field(sp_agent, fies(under_construction=foreign_fiec)) == "under_construction"
    a_fies = FixedAssetRequest.objects.get(case=asset_draft(
        sp_agent, fies(inventory_number="INV-2026/900")))
    assert refused_field(sp_agent, fies(under_construction=a_fies)) == "under_construction"
    case = asset_draft(sp_agent, fies(under_construction=own_fiec))
    assert FixedAssetRequest.objects.get(case=case).under_construction == own_fiec
    act(own_case, Action.CANCEL, sp_agent)
    own_fiec.refresh_from_db()
    assert refused_field(sp_agent, fies(inventory_number="INV-2026/002",
                                        under_construction=own_fiec)) == "under_construction"


def test_a_fies_draft_turned_into_a_fiec_drops_its_commissioning_and_its_number(
        sp_agent, ej_1200):
    case = asset_draft(sp_agent, fies())
    asset_request_fill(case=case, actor=sp_agent, data=AssetData(
        asset_kind="fiec", label="Bâtiment", purchase_requests=[ej_1200]))
    request = FixedAssetRequest.objects.get(case=case)
    assert (request.commissioned_on, request.depreciation_years, request.inventory_number) == (
        None, None, "")
    other = asset_draft(sp_agent, fies(label="Autre serveur"))
    assert FixedAssetRequest.objects.get(case=other).inventory_number == "INV-2026/001"


def test_a_draft_never_filled_is_not_submitted(sp_agent):
    case = asset_draft(sp_agent, document=AttachmentKind.COMMISSIONING)
    with pytest.raises(CaseError) as refused:
        act(case, Action.SUBMIT, sp_agent)
    assert "incomplète" in refused.value.message
    case.refresh_from_db()
    assert case.state == State.DRAFT and not case.reference


@pytest.mark.parametrize(("typed", "stored"), [
    ("7", "7"), ("z" * 20, "Z" * 20), (" 2000ab3456\n", "2000AB3456")])
def test_the_chorus_record_number_is_1_to_20_letters_or_digits(sp_agent, typed, stored):
    case = asset_draft(sp_agent, fies())
    assert asset_record_number(case=case, number=typed) == stored
    assert FixedAssetRequest.objects.get(case=case).asset_number == stored


@pytest.mark.parametrize("typed", ["", "Z" * 21, "2000 123", "N°123", "ÉCOLE1", "12\n3"])
def test_a_malformed_chorus_record_number_is_refused_and_not_stored(sp_agent, typed):
    case = asset_draft(sp_agent, fies())
    with pytest.raises(CaseError) as refused:
        asset_record_number(case=case, number=typed)
    assert refused.value.field == "asset_number"
    assert FixedAssetRequest.objects.get(case=case).asset_number == ""


def test_a_returned_request_keeps_its_number_and_is_corrected_and_submitted_again(
        sp_agent, csp_agent):
    case = asset_draft(sp_agent, fies(), document=AttachmentKind.COMMISSIONING)
    case = act(case, Action.SUBMIT, sp_agent)
    case = act(case, Action.CLAIM, csp_agent)
    case = act(case, Action.RETURN, csp_agent,
               anomaly="missing_document", comment="Précisez la durée d'amortissement.")
    assert case.state == State.DRAFT
    assert case.submitted_at is None and case.assigned_to is None
    assert FixedAssetRequest.objects.get(case=case).holds_number
    assert refused_field(sp_agent, fies(label="Autre serveur")) == "inventory_number"
    asset_request_fill(case=case, actor=sp_agent, data=fies(depreciation_years=8))
    case = act(case, Action.SUBMIT, sp_agent)
    assert case.state == State.SUBMITTED
    request = FixedAssetRequest.objects.get(case=case)
    assert (request.depreciation_years, request.inventory_number) == (8, "INV-2026/001")


def test_a_completed_request_keeps_its_inventory_number(sp_agent, csp_agent):
    case = asset_draft(sp_agent, fies(), document=AttachmentKind.COMMISSIONING)
    case = act(case, Action.SUBMIT, sp_agent)
    case = act(case, Action.CLAIM, csp_agent)
    act(case, Action.COMPLETE, csp_agent, asset_number="2000123456")
    assert FixedAssetRequest.objects.get(case=case).holds_number
    assert refused_field(sp_agent, fies(label="Autre serveur")) == "inventory_number"


def test_the_release_frees_the_number_and_the_record_keeps_it(sp, sp_agent):
    case = asset_draft(sp_agent, fies())
    assert inventory_number_taken(sp, "INV-2026/001")
    assert not inventory_number_taken(sp, "INV-2026/001", exclude=case)
    inventory_number_release(case)
    request = FixedAssetRequest.objects.get(case=case)
    assert not request.holds_number and request.inventory_number == "INV-2026/001"
    assert not inventory_number_taken(sp, "INV-2026/001")
    other = asset_draft(sp_agent, fies(label="Nouveau serveur"))
    assert FixedAssetRequest.objects.get(case=other).holds_number
