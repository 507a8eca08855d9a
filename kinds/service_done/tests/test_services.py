"""Service-done statements through their services: lateness, never beyond the EJ (also
concurrently, PostgreSQL), the ordonnateur's ceiling, certification and the EJ's progress,
return to the SP. (The fixed-asset requests' are in fixed_assets/tests/test_services.py.)"""

import itertools
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from cases.amounts import LineData
from cases.models import Case, CaseKind
from cases.services import (
    CaseError,
    CaseNotFound,
    case_draft_create,
)
from cases.services import transition as _transition
from cases.workflow import Action, State
from documents.models import AttachmentKind, IssuedDocument, IssuedDocumentKind
from documents.services import attachment_add
from kinds.purchases.services import purchase_request_fill
from kinds.service_done.models import ServiceDoneStatement
from kinds.service_done.selectors import committed_amount, ej_progress
from kinds.service_done.services import StatementData, is_late, statement_fill
from portal.selectors import prescribing_services_of
from tests.fixtures import tiny_pdf

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
_ej_numbers = itertools.count(4_600_000_001)


def paris(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def act(case, action, actor, **kwargs):
    return _transition(case=case, action=action, actor=actor, **kwargs)


def service_of(user):
    return prescribing_services_of(user).order_by("pk").first()


@pytest.fixture
def make_ej(purchase_request_data, sp_agent, csp_agent):
    """A completed purchase request (with an EJ) whose lines are (quantity, unit HT, VAT)."""

    def make(*lines, actor=None, agent=None):
        actor, agent = actor or sp_agent, agent or csp_agent
        service = service_of(actor)
        case = case_draft_create(actor=actor, service=service, kind=CaseKind.PURCHASE_REQUEST)
        attachment_add(case=case, kind=AttachmentKind.QUOTE, uploaded=tiny_pdf(), actor=actor)
        purchase_request_fill(case=case, actor=actor, data=purchase_request_data(
            service, lines=[LineData(f"Article {n}", Decimal(q), Decimal(u), Decimal(v))
                            for n, (q, u, v) in enumerate(lines, start=1)]))
        case = act(case, Action.SUBMIT, actor)  # within the agent's own delegation
        case = act(case, Action.CLAIM, agent)
        case = act(case, Action.COMPLETE, agent, ej_number=str(next(_ej_numbers)))
        assert case.state == State.COMPLETED
        return case.purchase_request

    return make


@pytest.fixture
def ej_1200(make_purchase_request, sp_agent, csp_agent, ordonnateur):
    """The conftest's 1200 € request: one line, quantity 1, 1000 € HT + 20 % VAT."""
    return make_purchase_request(sp_agent, amount="1200.00", state=State.COMPLETED,
                                 agent=csp_agent, ordonnateur=ordonnateur).purchase_request


def draft(actor, purchase_request, *quantities, delivered_on=None, reason="", comment="",
          proof=True):
    """A service-done draft stating `quantities` of the request's lines (in order)."""
    case = case_draft_create(actor=actor, service=service_of(actor), kind=CaseKind.SERVICE_DONE)
    if proof:
        attachment_add(case=case, kind=AttachmentKind.DELIVERY_PROOF,
                       uploaded=tiny_pdf("bl.pdf"), actor=actor)
    lines = list(purchase_request.lines.order_by("position"))
    statement_fill(case=case, actor=actor, data=StatementData(
        purchase_request=purchase_request,
        delivered_on=delivered_on or timezone.localdate(),
        lines=[(line, Decimal(q)) for line, q in zip(lines, quantities, strict=False)],
        lateness_reason=reason, lateness_comment=comment))
    case.refresh_from_db()
    return case


def in_progress(case, actor, ordonnateur, agent):
    case = act(case, Action.SUBMIT, actor)
    case = act(case, Action.VALIDATE, ordonnateur)
    return act(case, Action.CLAIM, agent)


# --- 1. lateness --------------------------------------------------------------------------


def test_is_late_counts_working_days_after_delivery():
    friday = date(2026, 6, 5)
    assert is_late(friday, date(2026, 6, 12), 5) == (False, 5)  # the next Friday
    assert is_late(friday, date(2026, 6, 15), 5) == (True, 6)  # the Monday after
    assert is_late(friday, date(2026, 6, 7), 5) == (False, 0)  # the weekend counts nothing
    assert is_late(friday, friday, 5) == (False, 0)
    # Thursday 30 April; Friday 1 May, Friday 8 May, Thursday 14 May (Ascension) are off:
    # 4, 5, 6, 7 May (4), 11 May (5), 12 May (6), 13 May (7), 15 May (8).
    thursday = date(2026, 4, 30)
    assert is_late(thursday, date(2026, 5, 11), 5) == (False, 5)
    assert is_late(thursday, date(2026, 5, 12), 5) == (True, 6)
    assert is_late(thursday, date(2026, 5, 15), 5) == (True, 8)


@pytest.mark.parametrize(("delivered_on", "at"), [
    (date(2026, 6, 5), paris(2026, 6, 12, 23, 30)),  # Friday to Friday, late in the evening
    (date(2026, 4, 30), paris(2026, 5, 11, 17)),  # across 1 and 8 May
])
def test_a_statement_on_the_fifth_working_day_is_on_time_and_keeps_no_reason(
        ej_1200, sp_agent, delivered_on, at):
    case = draft(sp_agent, ej_1200, "1", delivered_on=delivered_on, reason="supplier")
    case = act(case, Action.SUBMIT, sp_agent, at=at)
    assert case.state == State.AWAITING_VALIDATION
    statement = ServiceDoneStatement.objects.get(case=case)
    assert (statement.late, statement.working_days_after_delivery) == (False, 5)
    assert (statement.lateness_reason, statement.penalties) == ("", False)


def test_a_late_statement_without_a_reason_is_refused_and_stays_a_draft(ej_1200, sp_agent):
    case = draft(sp_agent, ej_1200, "1", delivered_on=date(2026, 6, 5))
    # 00:30 on Monday 15 June in Paris is still Sunday in UTC: the Paris date counts.
    with pytest.raises(CaseError) as refused:
        act(case, Action.SUBMIT, sp_agent, at=paris(2026, 6, 15, 0, 30))
    assert refused.value.field == "lateness_reason"
    assert "6 jours ouvrés" in refused.value.message and "motif" in refused.value.message
    case.refresh_from_db()
    assert case.state == State.DRAFT and not case.reference
    assert committed_amount(ej_1200) == 0


@pytest.mark.parametrize(("reason", "comment", "penalties"), [
    ("supplier", "", True), ("service", "", False), ("other", "Grève des transports", False)])
def test_a_late_statement_with_a_reason_records_penalties_only_for_the_supplier(
        ej_1200, sp_agent, reason, comment, penalties):
    case = draft(sp_agent, ej_1200, "1", delivered_on=date(2026, 4, 30), reason=reason,
                 comment=comment)
    case = act(case, Action.SUBMIT, sp_agent, at=paris(2026, 5, 15))
    assert case.state == State.AWAITING_VALIDATION
    statement = ServiceDoneStatement.objects.get(case=case)
    assert (statement.late, statement.working_days_after_delivery) == (True, 8)
    assert (statement.lateness_reason, statement.penalties) == (reason, penalties)


def test_fill_refuses_bad_dates_and_reasons(ej_1200, sp_agent):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CaseError) as refused:
        draft(sp_agent, ej_1200, "1", delivered_on=tomorrow)
    assert refused.value.field == "delivered_on" and "futur" in refused.value.message
    with pytest.raises(CaseError) as refused:
        draft(sp_agent, ej_1200, "1", reason="weather")
    assert refused.value.field == "lateness_reason"
    with pytest.raises(CaseError) as refused:
        draft(sp_agent, ej_1200, "1", reason="other", comment="   ")
    assert refused.value.field == "lateness_comment"


def test_submission_without_delivery_proof_is_refused(ej_1200, sp_agent):
    case = draft(sp_agent, ej_1200, "1", proof=False)
    with pytest.raises(CaseError) as refused:
        act(case, Action.SUBMIT, sp_agent)
    assert refused.value.field == "proof" and "bon de livraison" in refused.value.message
    case.refresh_from_db()
    assert case.state == State.DRAFT


# --- 2. over-certification ------------------------------------------------------------------


def test_a_second_700_statement_on_a_1200_ej_is_refused_at_fill_and_at_submit(
        make_ej, sp_agent):
    purchase_request = make_ej(("12", "100.00", "0"))
    assert purchase_request.amount_ttc == Decimal("1200.00")
    early = draft(sp_agent, purchase_request, "7")  # drafts commit nothing
    first = act(draft(sp_agent, purchase_request, "7"), Action.SUBMIT, sp_agent)
    assert first.state == State.AWAITING_VALIDATION and first.amount == Decimal("700.00")
    assert committed_amount(purchase_request) == Decimal("700.00")

    with pytest.raises(CaseError) as refused:
        draft(sp_agent, purchase_request, "7")
    assert refused.value.field == "lines" and "reste" in refused.value.message
    with pytest.raises(CaseError) as refused:
        act(early, Action.SUBMIT, sp_agent)
    assert refused.value.field == "lines"
    early.refresh_from_db()
    assert early.state == State.DRAFT
    assert committed_amount(purchase_request) == Decimal("700.00")
    # What is left can still be stated.
    assert act(draft(sp_agent, purchase_request, "5"), Action.SUBMIT, sp_agent).amount == 500


@pytest.mark.parametrize("closing", ["reject", "cancel"])
def test_a_rejected_or_cancelled_statement_frees_its_amount(
        make_ej, sp_agent, ordonnateur, csp_agent, closing):
    purchase_request = make_ej(("12", "100.00", "0"))
    first = draft(sp_agent, purchase_request, "7")
    if closing == "reject":
        first = in_progress(first, sp_agent, ordonnateur, csp_agent)
        first = act(first, Action.REJECT, csp_agent,
                    anomaly="missing_document", comment="Livraison non conforme")
    else:
        first = act(first, Action.SUBMIT, sp_agent)
        first = act(first, Action.CANCEL, sp_agent, comment="Saisie en double")
    assert first.state in (State.REJECTED, State.CANCELLED)
    assert committed_amount(purchase_request) == 0
    second = act(draft(sp_agent, purchase_request, "7"), Action.SUBMIT, sp_agent)
    assert second.state == State.AWAITING_VALIDATION
    assert committed_amount(purchase_request) == Decimal("700.00")


def test_the_quantity_of_each_line_cannot_exceed_what_is_left(make_ej, sp_agent):
    purchase_request = make_ej(("10", "50.00", "20"), ("2", "100.00", "20"))
    act(draft(sp_agent, purchase_request, "6", "1"), Action.SUBMIT, sp_agent)
    with pytest.raises(CaseError) as refused:
        draft(sp_agent, purchase_request, "5")
    assert refused.value.field == "lines"
    assert "Article 1" in refused.value.message and "4" in refused.value.message
    with pytest.raises(CaseError):
        draft(sp_agent, purchase_request, "1", "2")  # line 2: one left
    with pytest.raises(CaseError):
        draft(sp_agent, purchase_request, "0", "1")  # quantities are strictly positive
    case = draft(sp_agent, purchase_request, "4", "1")
    assert case.amount == Decimal("360.00")  # 4 × 60 + 120


def test_the_same_line_twice_is_refused_with_a_case_error(make_ej, sp_agent):
    purchase_request = make_ej(("1", "100.00", "0"), ("1", "100.00", "0"))
    line = purchase_request.lines.order_by("position").first()
    case = case_draft_create(actor=sp_agent, service=service_of(sp_agent),
                             kind=CaseKind.SERVICE_DONE)
    with pytest.raises(CaseError):
        statement_fill(case=case, actor=sp_agent, data=StatementData(
            purchase_request=purchase_request, delivered_on=timezone.localdate(),
            lines=[(line, Decimal("1")), (line, Decimal("1"))]))


def test_an_ej_delivered_unit_by_unit_can_be_fully_stated(make_ej, sp_agent):
    purchase_request = make_ej(("3", "10.03", "20"))  # 30.09 HT + 6.02 VAT = 36.11
    assert purchase_request.amount_ttc == Decimal("36.11")
    for _ in range(3):  # 12.04 TTC each: 36.12 in all; the third is refused (12.03 left)
        act(draft(sp_agent, purchase_request, "1"), Action.SUBMIT, sp_agent)
    assert committed_amount(purchase_request) == Decimal("36.11")


def test_only_completed_requests_of_ones_own_service_can_be_stated(
        make_purchase_request, ej_1200, sp_agent, csp_agent, ordonnateur, foreign_sp_agent,
        foreign_csp_agent):
    foreign = make_purchase_request(foreign_sp_agent, state=State.COMPLETED,
                                    agent=foreign_csp_agent).purchase_request
    unfinished = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                       ordonnateur=ordonnateur).purchase_request
    for purchase_request in (foreign, unfinished):
        with pytest.raises(CaseError) as refused:
            draft(sp_agent, purchase_request, "1")
        assert refused.value.field == "purchase_request"
    other_line = foreign.lines.get()
    case = case_draft_create(actor=sp_agent, service=service_of(sp_agent),
                             kind=CaseKind.SERVICE_DONE)
    with pytest.raises(CaseError) as refused:  # a line of another request
        statement_fill(case=case, actor=sp_agent, data=StatementData(
            purchase_request=ej_1200, delivered_on=timezone.localdate(),
            lines=[(other_line, Decimal("1"))]))
    assert refused.value.field == "lines"
    assert not ServiceDoneStatement.objects.exists()


# --- 3. concurrent submissions (PostgreSQL) ---------------------------------------------------


def submit_concurrently(case_ids, actor_id):
    """Submit each draft from its own thread and connection, all released at once; returns
    {case id: "ok" or the exception}."""
    barrier, outcomes = threading.Barrier(len(case_ids)), {}

    def worker(case_id):
        try:
            actor, case = get_user_model().objects.get(pk=actor_id), Case.objects.get(pk=case_id)
            barrier.wait(timeout=30)
            _transition(case=case, action=Action.SUBMIT, actor=actor)
            outcomes[case_id] = "ok"
        except Exception as exc:  # judged by the main thread
            outcomes[case_id] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(pk,)) for pk in case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return outcomes


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs PostgreSQL: SQLite serialises every writer")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("count", [2, 4])
def test_concurrent_statements_never_exceed_the_ej(make_ej, sp_agent, count):
    purchase_request = make_ej(("12", "100.00", "0"))
    drafts = [draft(sp_agent, purchase_request, "7") for _ in range(count)]

    outcomes = submit_concurrently([case.pk for case in drafts], sp_agent.pk)

    assert list(outcomes.values()).count("ok") == 1, outcomes
    refusals = [o for o in outcomes.values() if o != "ok"]
    assert all(type(o) is CaseError and o.field == "lines" for o in refusals), refusals
    states = sorted(Case.objects.filter(pk__in=outcomes).values_list("state", flat=True))
    assert states == sorted([State.AWAITING_VALIDATION] + [State.DRAFT] * (count - 1))
    assert committed_amount(purchase_request) == Decimal("700.00")


# --- 4. the ordonnateur's ceiling -------------------------------------------------------------


def test_validation_needs_a_delegation_covering_the_amount(ej_1200, make_ej, sp_agent,
                                                           low_ordonnateur, ordonnateur):
    case = act(draft(sp_agent, ej_1200, "1"), Action.SUBMIT, sp_agent)
    assert case.amount == Decimal("1200.00")
    with pytest.raises(CaseError) as refused:
        act(case, Action.VALIDATE, low_ordonnateur)
    message = refused.value.message.replace("\xa0", " ")
    assert "délégation" in message and "1 000,00" in message and "1 200,00" in message
    case.refresh_from_db()
    assert case.state == State.AWAITING_VALIDATION and case.submitted_at is None
    case = act(case, Action.VALIDATE, ordonnateur)
    assert case.state == State.SUBMITTED and case.submitted_at is not None
    small = act(draft(sp_agent, make_ej(("2", "100.00", "0")), "1"), Action.SUBMIT, sp_agent)
    assert act(small, Action.VALIDATE, low_ordonnateur).state == State.SUBMITTED  # 100 €


def test_the_creator_never_skips_validation_even_with_a_large_delegation(
        make_purchase_request, ordonnateur, csp_agent):
    purchase_request = make_purchase_request(ordonnateur, amount="300.00",
                                             state=State.COMPLETED, agent=csp_agent,
                                             ordonnateur=ordonnateur).purchase_request
    case = act(draft(ordonnateur, purchase_request, "1"), Action.SUBMIT, ordonnateur)
    assert case.state == State.AWAITING_VALIDATION
    assert case.submitted_at is None and case.due_at is None


# --- 5. certification, progress of the EJ, return to the SP ------------------------------------


def test_certification_issues_one_signed_certificate_and_completes_the_ej(
        ej_1200, sp_agent, ordonnateur, csp_agent, give_credential):
    case = in_progress(draft(sp_agent, ej_1200, "1"), sp_agent, ordonnateur, csp_agent)
    progress = ej_progress(ej_1200, user=sp_agent)
    assert (progress.certified, progress.pending, progress.remaining) == (0, 1200, 0)
    assert progress.status.startswith("Ouvert") and not progress.closable
    give_credential(csp_agent)
    at = timezone.now()
    case = act(case, Action.CERTIFY, csp_agent, at=at)
    case.refresh_from_db()
    assert case.state == State.COMPLETED and case.completed_at == at
    document = IssuedDocument.objects.get(case=case)
    assert document.kind == IssuedDocumentKind.SERVICE_DONE_CERTIFICATE
    assert document.signed_by == csp_agent and document.size > 0
    progress = ej_progress(ej_1200, user=sp_agent)
    assert (progress.ordered, progress.certified, progress.pending) == (1200, 1200, 0)
    assert progress.remaining == 0 and progress.closable
    assert progress.status.startswith("Entièrement certifié")
    assert [s.case_id for s in progress.statements] == [case.pk]


def test_partial_certification(ej_1200, sp_agent, ordonnateur, csp_agent, give_credential):
    give_credential(csp_agent)
    certified = in_progress(draft(sp_agent, ej_1200, "0.5"), sp_agent, ordonnateur, csp_agent)
    act(certified, Action.CERTIFY, csp_agent)
    act(draft(sp_agent, ej_1200, "0.25"), Action.SUBMIT, sp_agent)
    draft(sp_agent, ej_1200, "0.25")  # a draft counts for nothing
    progress = ej_progress(ej_1200, user=sp_agent)
    assert (progress.certified, progress.pending, progress.remaining) == (600, 300, 300)
    assert progress.status == "Partiellement certifié" and not progress.closable


def test_certification_without_a_credential_or_by_another_agent_is_refused(
        ej_1200, sp_agent, ordonnateur, csp_agent, csp_agent2, give_credential):
    case = in_progress(draft(sp_agent, ej_1200, "1"), sp_agent, ordonnateur, csp_agent)
    version = case.version
    with pytest.raises(CaseError) as refused:
        act(case, Action.CERTIFY, csp_agent)
    assert "certificat de signature" in refused.value.message
    give_credential(csp_agent2)
    with pytest.raises(CaseError) as refused:
        act(case, Action.CERTIFY, csp_agent2)  # not the assignee
    assert "agent en charge" in refused.value.message
    case.refresh_from_db()
    assert (case.state, case.version, case.completed_at) == (State.IN_PROGRESS, version, None)
    assert not IssuedDocument.objects.filter(case=case).exists()
    assert ej_progress(ej_1200, user=sp_agent).certified == 0


def test_return_to_the_sp_clears_the_delay_and_a_resubmission_starts_a_new_one(
        ej_1200, sp_agent, ordonnateur, csp_agent):
    case = in_progress(draft(sp_agent, ej_1200, "1"), sp_agent, ordonnateur, csp_agent)
    with pytest.raises(CaseError) as refused:
        act(case, Action.RETURN, csp_agent)
    assert refused.value.field == "comment"
    case = act(case, Action.RETURN, csp_agent,
               anomaly="missing_document", comment="Joindre le PV signé")
    case.refresh_from_db()
    assert case.state == State.DRAFT
    assert (case.submitted_at, case.due_at, case.assigned_to) == (None, None, None)
    assert committed_amount(ej_1200) == 0  # a returned statement commits nothing
    later = timezone.now() + timedelta(hours=2)
    case = act(case, Action.SUBMIT, sp_agent, at=later)
    case = act(case, Action.VALIDATE, ordonnateur, at=later)
    assert case.submitted_at == later and case.due_at > later


def test_a_foreign_centre_agent_never_sees_the_statement(
        ej_1200, sp_agent, ordonnateur, csp_agent, foreign_csp_agent, give_credential):
    give_credential(foreign_csp_agent)
    case = act(act(draft(sp_agent, ej_1200, "1"), Action.SUBMIT, sp_agent), Action.VALIDATE,
               ordonnateur)
    with pytest.raises(CaseNotFound):
        act(case, Action.CLAIM, foreign_csp_agent)
    case = act(case, Action.CLAIM, csp_agent)
    for action in (Action.CERTIFY, Action.RETURN, Action.REJECT, Action.RELEASE):
        with pytest.raises(CaseNotFound):
            act(case, action, foreign_csp_agent, comment="Tentative")
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS and case.assigned_to == csp_agent
    assert not IssuedDocument.objects.exists()
