"""The convention's circuits of a purchase request: the purchasing mission (MdA) at or above
its threshold, before the centre; the budget controller's visa (CBCM) before signing."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import amounts, sla
from cases import services as case_services
from cases.models import Case, PurchaseRequest
from cases.selectors import case_queue_for_user
from cases.services import CaseError, CaseNotFound
from cases.workflow import Action, State
from conventions.models import BudgetControlThreshold
from documents.services import signing_batch_create
from portal import services as portal_services
from portal.models import Role, Service
from tests.factories import member

PARIS = timezone.get_default_timezone()
# A visa is dated between the request's arrival at the centre (today, here) and today.
TODAY = timezone.localdate()


def paris(*args) -> datetime:
    return timezone.make_aware(datetime(*args), PARIS)


def party(centre, kind, code):
    return portal_services.service_get_or_create(
        code=code, name=f"{kind} {code}", kind=kind, processing_centre=centre)


@pytest.fixture
def mission(csp):
    return party(csp, Service.Kind.PURCHASING_MISSION, "MDA1")


@pytest.fixture
def mda(mission):
    return member(mission, Role.MDA_AGENT)


@pytest.fixture
def cbcm(csp):
    return member(party(csp, Service.Kind.BUDGET_CONTROL, "CBCM1"), Role.CBCM_AGENT)


@pytest.fixture
def foreign_mda(other_csp):
    return member(party(other_csp, Service.Kind.PURCHASING_MISSION, "MDA2"), Role.MDA_AGENT)


@pytest.fixture
def foreign_cbcm(other_csp):
    return member(party(other_csp, Service.Kind.BUDGET_CONTROL, "CBCM2"), Role.CBCM_AGENT)


@pytest.fixture
def convention(sp, csp, publish_convention):
    return publish_convention(centre=csp, services=[sp],
                              budget_control_threshold_ht=Decimal("100000.00"))


@pytest.fixture
def big_buyer(sp):
    """An SP agent whose own delegation covers any amount here: submission goes on at once."""
    return member(sp, Role.SP_AGENT, ceiling="10000000")


@pytest.fixture
def request_ht(purchase_request_data, make_purchase_request):
    """A purchase request of `ht` € HT (one line, 20 % VAT), driven to `state`."""

    def make(actor, ht, *, state=State.DRAFT, **kwargs):
        line = amounts.LineData(label="Serveurs", quantity=Decimal("1"),
                                unit_price_ht=Decimal(ht), vat_rate=Decimal("20.00"))
        ttc = amounts.line_totals(line).ttc
        case = make_purchase_request(actor, amount=ttc, state=State.DRAFT, **kwargs)
        PurchaseRequest.objects.filter(case=case).update(amount_ht=Decimal(ht))
        case.refresh_from_db()
        if state != State.DRAFT:
            case = case_services.transition(case=case, action=Action.SUBMIT, actor=actor)
        return case

    return make


# --- routing at the threshold -------------------------------------------------------------------


@pytest.mark.parametrize("ht, expected", [
    ("25000.00", State.AT_MISSION),  # exactly the threshold: the mission
    ("24999.99", State.SUBMITTED),  # one cent below: straight to the centre
    ("180000.00", State.AT_MISSION),
])
def test_the_threshold_is_read_in_ht_from_the_convention(big_buyer, mda, convention, request_ht,
                                                         ht, expected):
    case = request_ht(big_buyer, ht, state=State.SUBMITTED)
    assert case.state == expected


def test_the_conventions_own_threshold_applies(sp, csp, big_buyer, mda, publish_convention,
                                               request_ht):
    publish_convention(centre=csp, services=[sp],
                       purchasing_mission_threshold_ht=Decimal("40000.00"))
    assert request_ht(big_buyer, "39999.99", state=State.SUBMITTED).state == State.SUBMITTED
    assert request_ht(big_buyer, "40000.00", state=State.SUBMITTED).state == State.AT_MISSION


def test_without_convention_or_without_mission_nothing_changes(sp, csp, big_buyer, request_ht,
                                                                publish_convention):
    # No convention in force: no threshold to apply.
    party(csp, Service.Kind.PURCHASING_MISSION, "MDA1")
    assert request_ht(big_buyer, "90000.00", state=State.SUBMITTED).state == State.SUBMITTED


def test_a_centre_without_mission_receives_the_request_directly(big_buyer, convention,
                                                               request_ht):
    assert request_ht(big_buyer, "90000.00", state=State.SUBMITTED).state == State.SUBMITTED


def test_after_the_ordonnateur_the_request_goes_to_the_mission(sp_agent, sp, mda, convention,
                                                               request_ht):
    case = request_ht(sp_agent, "30000.00", state=State.SUBMITTED)
    assert case.state == State.AWAITING_VALIDATION
    ordonnateur = member(sp, Role.ORDONNATEUR, ceiling="100000")
    case = case_services.transition(case=case, action=Action.VALIDATE, actor=ordonnateur)
    assert case.state == State.AT_MISSION
    assert case.submitted_at is None and case.due_at is None


# --- the mission decides ------------------------------------------------------------------------


def test_the_centres_delay_starts_when_the_mission_accepts(big_buyer, mda, csp_agent,
                                                           convention, request_ht):
    case = request_ht(big_buyer, "30000.00")
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=big_buyer,
                                    at=paris(2026, 12, 1, 10))  # Tuesday
    assert not case_queue_for_user(user=csp_agent).filter(pk=case.pk).exists()
    accepted_at = paris(2026, 12, 4, 15)  # Friday: three days later
    case = case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=mda,
                                    at=accepted_at, procurement_route="new_procedure")
    assert case.state == State.SUBMITTED
    assert case.submitted_at == accepted_at
    # Five working days from Friday: the following Friday, as if submitted on acceptance.
    assert sla.due_day(case.due_at) == date(2026, 12, 11)
    assert case_queue_for_user(user=csp_agent).filter(pk=case.pk).exists()
    request = PurchaseRequest.objects.get(case=case)
    assert (request.routed_to_mission, request.procurement_route) == (True, "new_procedure")


def test_an_existing_contract_needs_its_reference(big_buyer, mda, convention, request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    with pytest.raises(CaseError) as refused:
        case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=mda,
                                 procurement_route="existing_contract")
    assert refused.value.field == "contract_reference"
    with pytest.raises(CaseError) as refused:
        case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=mda)
    assert refused.value.field == "procurement_route"
    with pytest.raises(CaseError) as refused:
        case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=mda,
                                 procurement_route="gré à gré")
    assert refused.value.field == "procurement_route"
    case.refresh_from_db()
    assert case.state == State.AT_MISSION
    case = case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=mda,
                                    procurement_route="existing_contract",
                                    contract_reference="  MAR-2025-044 ")
    assert PurchaseRequest.objects.get(case=case).contract_reference == "MAR-2025-044"
    event = case.events.get(action=Action.MISSION_ACCEPT)
    assert event.data["contract_reference"] == "MAR-2025-044"


def test_the_mission_asks_and_the_service_answers_back_to_the_mission(big_buyer, mda,
                                                                       convention, request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    with pytest.raises(CaseError) as refused:  # a question classifies the anomaly
        case_services.transition(case=case, action=Action.REQUEST_INFO, actor=mda,
                                 comment="Quel marché avez-vous consulté ?")
    assert refused.value.field == "anomaly"
    case = case_services.transition(case=case, action=Action.REQUEST_INFO, actor=mda,
                                    comment="Quel marché avez-vous consulté ?",
                                    anomaly="missing_document")
    assert case.state == State.MISSION_INFO
    assert case.events.get(action=Action.REQUEST_INFO).data["anomaly"] == "missing_document"
    case = case_services.transition(case=case, action=Action.ANSWER, actor=big_buyer,
                                    comment="Le marché UGAP.")
    assert case.state == State.AT_MISSION


def test_the_service_may_cancel_a_request_the_mission_asked_about(big_buyer, mda, convention,
                                                                  request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    case = case_services.transition(case=case, action=Action.REQUEST_INFO, actor=mda,
                                    comment="Quel marché ?", anomaly="missing_document")
    case = case_services.transition(case=case, action=Action.CANCEL, actor=big_buyer,
                                    comment="Achat reporté.")
    assert case.state == State.CANCELLED


def test_the_mission_returns_the_request_to_its_author(big_buyer, mda, convention, request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    with pytest.raises(CaseError):
        case_services.transition(case=case, action=Action.RETURN, actor=mda)
    case = case_services.transition(case=case, action=Action.RETURN, actor=mda,
                                    comment="Devis périmé.", anomaly="non_compliant_quote")
    assert case.state == State.DRAFT
    # Submitted again after correction, it goes back to the mission.
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=big_buyer)
    assert case.state == State.AT_MISSION


@pytest.mark.parametrize("who", ["sp_agent", "csp_agent", "csp_head", "cbcm"])
def test_only_the_mission_decides(who, big_buyer, mda, cbcm, convention, request_ht, request):
    actor = request.getfixturevalue(who)
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    for action, inputs in ((Action.MISSION_ACCEPT, {"procurement_route": "new_procedure"}),
                           (Action.RETURN, {"comment": "Non.", "anomaly": "late"}),
                           (Action.REQUEST_INFO, {"comment": "?", "anomaly": "late"})):
        with pytest.raises(CaseError):
            case_services.transition(case=case, action=action, actor=actor, inputs=inputs)
    case.refresh_from_db()
    assert case.state == State.AT_MISSION


def test_another_centres_mission_does_not_see_the_request(big_buyer, mda, foreign_mda,
                                                          convention, request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    with pytest.raises(CaseNotFound):
        case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=foreign_mda,
                                 procurement_route="new_procedure")


def test_the_service_may_cancel_a_request_at_the_mission(big_buyer, mda, convention,
                                                         request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    case = case_services.transition(case=case, action=Action.CANCEL, actor=big_buyer,
                                    comment="Besoin abandonné.")
    assert case.state == State.CANCELLED and case.completed_at is not None


# --- the budget visa ------------------------------------------------------------------------------


@pytest.fixture
def in_progress(big_buyer, csp_agent, request_ht):
    """A request of `ht` € HT claimed by csp_agent (below the mission: no mission here)."""

    def make(ht):
        case = request_ht(big_buyer, ht, state=State.SUBMITTED)
        if case.state == State.AT_MISSION:
            mda = member(Service.objects.get(kind=Service.Kind.PURCHASING_MISSION),
                         Role.MDA_AGENT)
            case = case_services.transition(case=case, action=Action.MISSION_ACCEPT,
                                            actor=mda, procurement_route="new_procedure")
        return case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)

    return make


@pytest.mark.parametrize("ht, expected", [
    ("100000.00", State.AWAITING_VISA),
    ("99999.99", State.COMPLETED),
])
def test_an_ej_at_the_visa_threshold_waits_for_the_visa(ht, expected, convention, csp_agent,
                                                        in_progress):
    case = in_progress(ht)
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000101")
    assert case.state == expected
    assert case.awaiting_signature is (expected == State.COMPLETED)
    assert (case.completed_at is None) is (expected == State.AWAITING_VISA)


def test_a_programmes_own_threshold_wins(convention, csp_agent, in_progress):
    case = in_progress("5000.00")
    programme = int(case.purchase_request.financial_centre.code[:4])
    BudgetControlThreshold.objects.create(convention=convention, programme=programme,
                                          threshold_ht=Decimal("5000.00"))
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000102")
    assert case.state == State.AWAITING_VISA


def test_time_waiting_for_the_visa_is_not_the_centres(convention, csp_agent, cbcm,
                                                      in_progress):
    case = in_progress("150000.00")
    due_before = sla.due_day(case.due_at)
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000103",
                                    at=timezone.now())
    later = timezone.now() + timedelta(days=14)
    case = case_services.transition(case=case, action=Action.VISA_GRANT, actor=cbcm, at=later,
                                    visa_reference="V-2026-77", visa_date=date.today())
    assert case.state == State.COMPLETED and case.awaiting_signature
    # Two calendar weeks paused: the due day moved by the working days spent there.
    assert (sla.due_day(case.due_at) - due_before).days >= 14
    event = case.events.get(action=Action.VISA_GRANT)
    assert event.data["visa_reference"] == "V-2026-77"
    assert event.data["paused_working_days"] >= 9


@pytest.mark.parametrize("visa_date, field", [
    ("", "visa_date"), ("31/02/2026", "visa_date"), ("2999-01-01", "visa_date"),
    ("pas une date", "visa_date"), ("1999-12-31", "visa_date"),
])
def test_a_visa_needs_a_real_past_date(visa_date, field, convention, csp_agent, cbcm,
                                       in_progress):
    case = in_progress("150000.00")
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000104")
    with pytest.raises(CaseError) as refused:
        case_services.transition(case=case, action=Action.VISA_GRANT, actor=cbcm,
                                 visa_reference="V1", visa_date=visa_date)
    assert refused.value.field == field
    case.refresh_from_db()
    assert case.state == State.AWAITING_VISA


def test_the_agent_in_charge_may_record_the_visa_or_its_refusal(convention, csp_agent,
                                                                 in_progress):
    case = in_progress("150000.00")
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000105")
    case = case_services.transition(case=case, action=Action.VISA_REFUSE, actor=csp_agent,
                                    comment="Crédits insuffisants sur le programme.")
    assert case.state == State.IN_PROGRESS and not case.awaiting_signature
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000105")
    assert case.state == State.AWAITING_VISA
    case = case_services.transition(case=case, action=Action.VISA_GRANT, actor=csp_agent,
                                    visa_reference="V2", visa_date=TODAY.isoformat())
    assert case.state == State.COMPLETED


@pytest.mark.parametrize("who", ["sp_agent", "csp_agent2", "mda"])
def test_others_may_not_record_the_visa(who, convention, csp_agent, in_progress, request):
    actor = request.getfixturevalue(who)
    case = in_progress("150000.00")
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000106")
    with pytest.raises(CaseError):
        case_services.transition(case=case, action=Action.VISA_GRANT, actor=actor,
                                 visa_reference="V3", visa_date=TODAY.isoformat())


def test_another_centres_budget_controller_does_not_see_the_case(convention, csp_agent,
                                                                 foreign_cbcm, in_progress):
    case = in_progress("150000.00")
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000107")
    with pytest.raises(CaseNotFound):
        case_services.transition(case=case, action=Action.VISA_GRANT, actor=foreign_cbcm,
                                 visa_reference="V4", visa_date=TODAY.isoformat())


def test_signing_refuses_an_ej_without_visa(convention, csp_agent, cbcm, in_progress,
                                            give_credential):
    give_credential(csp_agent)
    case = in_progress("150000.00")
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000108")
    with pytest.raises(CaseError):
        case_services.transition(case=case, action=Action.SIGN, actor=csp_agent)
    # In bulk: the batch says why it cannot sign it.
    batch = signing_batch_create(actor=csp_agent, case_ids=[case.pk])
    item = batch.items.get()
    assert item.status == "failed" and "visa" in item.message
    # A visa recorded, then cleared (a stored case from before the rule): the guard says so.
    case = case_services.transition(case=case, action=Action.VISA_GRANT, actor=cbcm,
                                    visa_reference="V5", visa_date=TODAY.isoformat())
    PurchaseRequest.objects.filter(case=case).update(visa_reference="")
    with pytest.raises(CaseError) as refused:
        case_services.transition(case=case, action=Action.SIGN, actor=csp_agent)
    assert "visa" in refused.value.message


# --- what each party sees -----------------------------------------------------------------------


def _page(client, user, case):
    client.force_login(user)
    return client.get(case.get_absolute_url())


def test_every_party_sees_the_routing_on_the_case_page(client, big_buyer, mda, csp_agent,
                                                       convention, request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    for user in (big_buyer, mda):
        page = _page(client, user, case).content.decode()
        assert "Circuits de la convention" in page
        assert "En cours d'examen par la mission des achats" in page
    # The centre sees it once the mission accepted it: until then it is not the centre's.
    assert _page(client, csp_agent, case).status_code == 404
    case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=mda,
                             procurement_route="existing_contract",
                             contract_reference="UGAP-2026-12")
    for user in (big_buyer, mda, csp_agent):
        page = _page(client, user, case).content.decode()
        assert "Marché existant" in page and "UGAP-2026-12" in page


def test_below_the_threshold_the_case_page_says_nothing_of_circuits(client, big_buyer, mda,
                                                                    convention, request_ht):
    case = request_ht(big_buyer, "24999.99", state=State.SUBMITTED)
    assert "Circuits de la convention" not in _page(client, big_buyer, case).content.decode()


def test_the_mission_accepts_through_its_form(client, big_buyer, mda, convention, request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    client.force_login(mda)
    url = reverse("cases:action", args=[case.pk, "mission_accept"])
    refused = client.post(url, {"version": case.version, "procurement_route": "existing_contract"})
    assert refused.status_code == 400
    assert "Indiquez la référence du marché existant." in refused.content.decode()
    case.refresh_from_db()
    assert case.state == State.AT_MISSION
    done = client.post(url, {"version": case.version, "procurement_route": "new_procedure"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


def test_the_visa_is_recorded_through_its_form(client, convention, csp_agent, cbcm,
                                               in_progress):
    case = in_progress("150000.00")
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000109")
    client.force_login(cbcm)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Visa attendu" in page and 'name="visa_reference"' in page
    url = reverse("cases:action", args=[case.pk, "visa_grant"])
    refused = client.post(url, {"version": case.version, "visa_reference": "V9",
                                "visa_date": "2999-01-01"})
    assert refused.status_code == 400
    assert "La date du visa ne peut pas être dans le futur." in refused.content.decode()
    client.post(url, {"version": case.version, "visa_reference": "V9",
                      "visa_date": TODAY.isoformat()})
    case.refresh_from_db()
    assert case.state == State.COMPLETED
    assert f"Visa n° V9 du {TODAY:%d/%m/%Y}" in client.get(case.get_absolute_url()).content.decode()


@pytest.mark.parametrize("name, party", [("purchases:mission_queue", "mda"),
                                         ("purchases:visa_queue", "cbcm")])
def test_party_pages_are_their_members_own(client, name, party, sp_agent, csp_agent, mda, cbcm,
                                           request):
    for outsider in (sp_agent, csp_agent, mda if party == "cbcm" else cbcm):
        client.force_login(outsider)
        assert client.get(reverse(name)).status_code == 404
    client.force_login(request.getfixturevalue(party))
    for query in ("", "?page=abc", "?page=99999999999999999999999", "?page=-1&x=<b>"):
        assert client.get(reverse(name) + query).status_code == 200
    # A NUL character is refused by the portal's middleware, as on every page.
    assert client.get(reverse(name) + "?page=%00").status_code == 400


def test_the_missions_list_shows_its_centres_requests_only(client, big_buyer, mda, foreign_mda,
                                                           convention, request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    client.force_login(mda)
    assert case.reference in client.get(reverse("purchases:mission_queue")).content.decode()
    client.force_login(foreign_mda)
    assert case.reference not in client.get(reverse("purchases:mission_queue")).content.decode()
    assert client.get(case.get_absolute_url()).status_code == 404


def test_the_queue_shows_and_filters_the_missions_requests(client, big_buyer, mda, csp_agent,
                                                           convention, request_ht):
    routed = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    case_services.transition(case=routed, action=Action.MISSION_ACCEPT, actor=mda,
                             procurement_route="new_procedure")
    direct = request_ht(big_buyer, "1000.00", state=State.SUBMITTED)
    client.force_login(csp_agent)
    everything = client.get(reverse("cases:queue")).content.decode()
    assert routed.reference in everything and direct.reference in everything
    assert "Nouvelle procédure" in everything
    filtered = client.get(reverse("cases:queue"), {"mission": "true"}).content.decode()
    assert routed.reference in filtered and direct.reference not in filtered


def test_the_api_and_exports_give_the_circuits(client, big_buyer, mda, csp_agent, convention,
                                               request_ht):
    case = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    case_services.transition(case=case, action=Action.MISSION_ACCEPT, actor=mda,
                             procurement_route="existing_contract",
                             contract_reference="=HYPERLINK(\"x\")")
    api = APIClient()
    api.force_authenticate(csp_agent)
    detail = api.get(f"/api/cases/{case.pk}/").json()
    assert detail["circuits"]["purchasing_mission"] == {
        "routed": True, "procurement_route": "existing_contract",
        "contract_reference": "=HYPERLINK(\"x\")"}
    assert api.get("/api/cases/", {"mission": "true"}).json()["results"][0]["id"] == case.pk
    refused = api.post(f"/api/cases/{case.pk}/actions/visa_grant/", {"visa_date": "hier"},
                       format="json")
    assert refused.status_code == 400
    client.force_login(csp_agent)
    export = b"".join(client.get(reverse("cases:queue_export", args=["csv"]),
                                 {"state": "all"}).streaming_content).decode("utf-8-sig")
    assert "Circuits de la convention" in export.splitlines()[0]
    # The reference typed by the mission never starts a cell: no formula runs.
    assert '"MdA : Marché existant =HYPERLINK(""x"")"' in export
    assert ";=" not in export and ';"=' not in export


def test_a_centres_mission_is_not_one_of_its_services(client, sp, csp_head, mda, cbcm):
    """The mission and the budget control hang off the centre like its services: the
    queue's service filter and the restitutions list only the prescribing services."""
    from cases.filters import CaseQueueFilter
    from dashboards.selectors import dashboard_scope

    choices = CaseQueueFilter({}, queryset=Case.objects.none(),
                              user=csp_head).filters["requesting_service"]
    assert list(choices.queryset) == [sp]
    services, as_head = dashboard_scope(csp_head)
    assert as_head and list(services) == [sp]


def test_the_annual_review_counts_the_circuits(big_buyer, mda, csp, sp, csp_agent, cbcm,
                                               convention, request_ht, in_progress):
    from dashboards.review.figures import annual_review

    accepted = request_ht(big_buyer, "30000.00", state=State.SUBMITTED)
    case_services.transition(case=accepted, action=Action.MISSION_ACCEPT, actor=mda,
                             procurement_route="existing_contract", contract_reference="M1")
    returned = request_ht(big_buyer, "31000.00", state=State.SUBMITTED)
    case_services.transition(case=returned, action=Action.RETURN, actor=mda,
                             comment="Devis périmé.", anomaly="non_compliant_quote")
    visa = in_progress("150000.00")
    visa = case_services.transition(case=visa, action=Action.COMPLETE, actor=csp_agent,
                                    ej_number="4500000199")
    case_services.transition(case=visa, action=Action.VISA_GRANT, actor=cbcm,
                             visa_reference="V7", visa_date=TODAY.isoformat())
    review = annual_review(centre=csp, year=TODAY.year, services=[sp])
    table = next(t for t in review.tables if t.title == "Circuits de la convention")
    # in_progress() sent its 150,000 € request through the mission too (new procedure).
    assert [row[1] for row in table.rows] == [3, 1, 1, 1, 1, 1, 0]
