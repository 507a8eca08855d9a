"""The workflow door: cases.services.transition(), its refusals, references and permissions."""

import importlib
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cases import permissions, sla
from cases.kinds import transitions_of
from cases.models import Case, CaseEvent, CaseKind, PurchaseRequest
from cases.services import (
    CaseConflict,
    CaseError,
    CaseNotFound,
    case_available_actions,
    case_draft_create,
    transition,
)
from cases.workflow import Action, State
from documents.models import AttachmentKind
from documents.services import attachment_add
from kinds.purchases.services import purchase_request_fill
from portal.models import Role
from portal.services import delegation_get_or_create
from tests.factories import member
from tests.fixtures import tiny_pdf

PARIS = timezone.get_default_timezone()


def paris(*args) -> datetime:
    return timezone.make_aware(datetime(*args), PARIS)


def snapshot(case) -> dict:
    """Everything a refused transition must leave untouched."""
    fresh = Case.objects.get(pk=case.pk)
    return {
        "state": fresh.state,
        "version": fresh.version,
        "assigned_to": fresh.assigned_to_id,
        "reference": fresh.reference,
        "submitted_at": fresh.submitted_at,
        "due_at": fresh.due_at,
        "paused_at": fresh.paused_at,
        "completed_at": fresh.completed_at,
        "events": CaseEvent.objects.filter(case=fresh).count(),
        "ej_number": PurchaseRequest.objects.filter(case=fresh)
        .values_list("ej_number", flat=True).first(),
    }


def assert_refused(case, *, action, actor, exc=CaseError, match=None, **inputs) -> CaseError:
    before = snapshot(case)
    with pytest.raises(exc, match=match) as info:
        transition(case=case, action=action, actor=actor, **inputs)
    assert snapshot(case) == before
    return info.value


def last_event(case) -> CaseEvent:
    return CaseEvent.objects.filter(case=case).order_by("-pk").first()


def assert_event(case, *, action, from_state, to_state, actor, comment="") -> CaseEvent:
    event = last_event(case)
    assert (event.action, event.from_state, event.to_state, event.actor_id, event.comment) == (
        action, from_state, to_state, actor.pk, comment)
    return event


def apply(case, action, actor, **inputs):
    """transition() + the checks every accepted transition must satisfy."""
    before = snapshot(case)
    result = transition(case=case, action=action, actor=actor, **inputs)
    result.refresh_from_db()
    assert result.version == before["version"] + 1
    assert CaseEvent.objects.filter(case=result).count() == before["events"] + 1
    return result


@pytest.fixture
def plain_sp_agent(sp):
    """An SP agent without delegation: all their requests await an ordonnateur."""
    return member(sp, Role.SP_AGENT, username="plain_sp_agent")


# --- the table itself ------------------------------------------------------------------------


def test_every_purchase_request_transition_of_the_table_is_exercised():
    """Keep this file in step with the table: a new row needs a test above."""
    exercised = {
        (State.DRAFT, Action.SUBMIT, State.SUBMITTED),
        (State.DRAFT, Action.SUBMIT, State.AWAITING_VALIDATION),
        (State.AWAITING_VALIDATION, Action.VALIDATE, State.SUBMITTED),
        (State.AWAITING_VALIDATION, Action.RETURN, State.DRAFT),
        (State.SUBMITTED, Action.CLAIM, State.IN_PROGRESS),
        (State.SUBMITTED, Action.ASSIGN, State.IN_PROGRESS),
        (State.IN_PROGRESS, Action.ASSIGN, State.IN_PROGRESS),
        (State.IN_PROGRESS, Action.RELEASE, State.SUBMITTED),
        (State.IN_PROGRESS, Action.REQUEST_INFO, State.INFO_REQUESTED),
        (State.INFO_REQUESTED, Action.ANSWER, State.IN_PROGRESS),
        # documents/tests/test_order_forms.py
        (State.COMPLETED, Action.SIGN, State.COMPLETED),
        (State.IN_PROGRESS, Action.COMPLETE, State.COMPLETED),
        (State.IN_PROGRESS, Action.REJECT, State.REJECTED),
        (State.DRAFT, Action.CANCEL, State.CANCELLED),
        (State.AWAITING_VALIDATION, Action.CANCEL, State.CANCELLED),
        (State.SUBMITTED, Action.CANCEL, State.CANCELLED),
        # kinds/purchases/tests/test_circuits.py: the purchasing mission, the budget visa
        (State.DRAFT, Action.SUBMIT, State.AT_MISSION),
        (State.AWAITING_VALIDATION, Action.VALIDATE, State.AT_MISSION),
        (State.AT_MISSION, Action.MISSION_ACCEPT, State.SUBMITTED),
        (State.AT_MISSION, Action.REQUEST_INFO, State.MISSION_INFO),
        (State.MISSION_INFO, Action.ANSWER, State.AT_MISSION),
        (State.AT_MISSION, Action.RETURN, State.DRAFT),
        (State.AT_MISSION, Action.CANCEL, State.CANCELLED),
        (State.MISSION_INFO, Action.CANCEL, State.CANCELLED),
        (State.IN_PROGRESS, Action.COMPLETE, State.AWAITING_VISA),
        (State.AWAITING_VISA, Action.VISA_GRANT, State.COMPLETED),
        (State.AWAITING_VISA, Action.VISA_REFUSE, State.IN_PROGRESS),
    }
    table = {
        (source, t.action, t.target)
        for t in transitions_of(CaseKind.PURCHASE_REQUEST)
        for source in t.sources
    }
    assert table == exercised


# --- allowed transitions ---------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["1200.00", "5000.00"])
def test_submit_within_the_creators_delegation_goes_straight_to_the_centre(
        make_purchase_request, sp_agent, amount, settings):
    settings.CASE_DELAYS_WORKING_DAYS = {**settings.CASE_DELAYS_WORKING_DAYS,
                                         "purchase_request": 5}
    case = make_purchase_request(sp_agent, amount=amount, state=State.DRAFT)
    at = paris(2026, 3, 2, 10, 0)  # a Monday

    case = apply(case, Action.SUBMIT, sp_agent, at=at)

    assert case.state == State.SUBMITTED
    assert case.assigned_to is None
    assert case.submitted_at == at
    assert case.due_at == sla.end_of_day(date(2026, 3, 9))  # Monday's end, 5 days after
    assert case.reference == "DA-DRAC-2026-000001"
    event = assert_event(case, action=Action.SUBMIT, from_state=State.DRAFT,
                         to_state=State.SUBMITTED, actor=sp_agent)
    assert event.data["reference"] == case.reference
    assert event.created_at == at


@pytest.mark.parametrize("amount", ["5000.01", "8000.00"])
def test_submit_above_the_creators_delegation_awaits_an_ordonnateur(
        make_purchase_request, sp_agent, amount):
    case = make_purchase_request(sp_agent, amount=amount, state=State.DRAFT)

    case = apply(case, Action.SUBMIT, sp_agent)

    assert case.state == State.AWAITING_VALIDATION
    assert case.reference == f"DA-DRAC-{timezone.localdate().year}-000001"
    # The contractual clock only starts when the case reaches the centre.
    assert case.submitted_at is None and case.due_at is None
    assert_event(case, action=Action.SUBMIT, from_state=State.DRAFT,
                 to_state=State.AWAITING_VALIDATION, actor=sp_agent)


def test_submit_without_delegation_awaits_an_ordonnateur(make_purchase_request,
                                                         plain_sp_agent):
    case = make_purchase_request(plain_sp_agent, amount="10.00", state=State.DRAFT)
    case = apply(case, Action.SUBMIT, plain_sp_agent)
    assert case.state == State.AWAITING_VALIDATION


def test_validate_sends_the_case_to_the_centre_and_starts_the_clock(
        make_purchase_request, sp_agent, ordonnateur):
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    at = paris(2026, 3, 6, 15, 0)  # a Friday afternoon

    case = apply(case, Action.VALIDATE, ordonnateur, comment="  Bon pour accord  ", at=at)

    assert case.state == State.SUBMITTED
    assert case.assigned_to is None
    assert case.submitted_at == at
    assert case.due_at == sla.add_working_days(
        at, settings.CASE_DELAYS_WORKING_DAYS["purchase_request"])
    assert_event(case, action=Action.VALIDATE, from_state=State.AWAITING_VALIDATION,
                 to_state=State.SUBMITTED, actor=ordonnateur, comment="Bon pour accord")


def test_an_ordonnateur_may_validate_up_to_their_ceiling(make_purchase_request, plain_sp_agent,
                                                          low_ordonnateur):
    case = make_purchase_request(plain_sp_agent, amount="1000.00",
                                 state=State.AWAITING_VALIDATION)
    case = apply(case, Action.VALIDATE, low_ordonnateur)
    assert case.state == State.SUBMITTED


def test_return_sends_the_case_back_to_draft_and_it_keeps_its_reference(
        make_purchase_request, purchase_request_data, sp_agent, ordonnateur, sp):
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    reference = case.reference

    case = apply(case, Action.RETURN, ordonnateur,
                 anomaly="missing_document", comment="Le devis a expiré.")

    assert case.state == State.DRAFT
    assert case.reference == reference
    assert_event(case, action=Action.RETURN, from_state=State.AWAITING_VALIDATION,
                 to_state=State.DRAFT, actor=ordonnateur, comment="Le devis a expiré.")

    # The author may edit the draft again, then resubmit: the reference does not change
    # and no number is consumed.
    purchase_request_fill(case=case, actor=sp_agent,
                          data=purchase_request_data(sp, amount=Decimal("4800.00")))
    case = apply(case, Action.SUBMIT, sp_agent)
    assert case.state == State.SUBMITTED
    assert case.reference == reference
    other = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert other.reference == reference[:-6] + "000002"


def test_claim_assigns_the_case_to_the_agent(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)

    case = apply(case, Action.CLAIM, csp_agent)

    assert case.state == State.IN_PROGRESS
    assert case.assigned_to == csp_agent
    assert_event(case, action=Action.CLAIM, from_state=State.SUBMITTED,
                 to_state=State.IN_PROGRESS, actor=csp_agent)


def test_the_head_assigns_a_submitted_case(make_purchase_request, sp_agent, csp_head, csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)

    case = apply(case, Action.ASSIGN, csp_head, assignee=csp_agent, comment="Urgent")

    assert case.state == State.IN_PROGRESS
    assert case.assigned_to == csp_agent
    event = assert_event(case, action=Action.ASSIGN, from_state=State.SUBMITTED,
                         to_state=State.IN_PROGRESS, actor=csp_head, comment="Urgent")
    assert event.data["assignee"] == csp_agent.get_full_name()


def test_the_head_reassigns_a_case_in_progress(make_purchase_request, sp_agent, csp_head,
                                               csp_agent, csp_agent2):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)

    case = apply(case, Action.ASSIGN, csp_head, assignee=csp_agent2)

    assert case.state == State.IN_PROGRESS
    assert case.assigned_to == csp_agent2
    assert_event(case, action=Action.ASSIGN, from_state=State.IN_PROGRESS,
                 to_state=State.IN_PROGRESS, actor=csp_head)
    # The former assignee may no longer act on it; the new one may.
    assert_refused(case, action=Action.REJECT, actor=csp_agent, comment="Non")
    assert apply(case, Action.REJECT, csp_agent2,
                 anomaly="missing_document", comment="Non").state == State.REJECTED


@pytest.mark.parametrize("who", ["csp_agent", "csp_head"])
def test_release_puts_the_case_back_in_the_queue_without_restarting_the_clock(
        make_purchase_request, sp_agent, csp_agent, csp_head, who, request):
    actor = request.getfixturevalue(who)
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    submitted_at, due_at = case.submitted_at, case.due_at

    case = apply(case, Action.RELEASE, actor, comment="Congés")

    assert case.state == State.SUBMITTED
    assert case.assigned_to is None
    assert (case.submitted_at, case.due_at) == (submitted_at, due_at)
    assert_event(case, action=Action.RELEASE, from_state=State.IN_PROGRESS,
                 to_state=State.SUBMITTED, actor=actor, comment="Congés")


def test_request_info_pauses_the_clock(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    at = timezone.now() + timedelta(hours=1)

    case = apply(case, Action.REQUEST_INFO, csp_agent,
                 anomaly="missing_document", comment="Quel bâtiment ?", at=at)

    assert case.state == State.INFO_REQUESTED
    assert case.paused_at == at
    assert case.assigned_to == csp_agent
    assert_event(case, action=Action.REQUEST_INFO, from_state=State.IN_PROGRESS,
                 to_state=State.INFO_REQUESTED, actor=csp_agent, comment="Quel bâtiment ?")


@pytest.mark.parametrize(
    ("asked", "answered", "paused_days", "new_due"),
    [
        # Tuesday -> Thursday: Wednesday and Thursday given back.
        (paris(2026, 3, 3, 10, 0), paris(2026, 3, 5, 16, 0), 2, date(2026, 3, 11)),
        # Friday 16:00 -> Monday 10:00: the weekend does not count, Monday does.
        (paris(2026, 3, 6, 16, 0), paris(2026, 3, 9, 10, 0), 1, date(2026, 3, 10)),
        # Asked and answered the same day: nothing given back.
        (paris(2026, 3, 3, 10, 0), paris(2026, 3, 3, 16, 0), 0, date(2026, 3, 9)),
    ],
)
def test_answer_resumes_and_pushes_the_due_date_by_the_paused_working_days(
        make_purchase_request, sp_agent, csp_agent, asked, answered, paused_days, new_due):
    # Submitted on Monday 2 March 2026 at 10:00, due five working days later.
    case = make_purchase_request(sp_agent, state=State.SUBMITTED, at=paris(2026, 3, 2, 9, 59))
    assert case.submitted_at == paris(2026, 3, 2, 10, 0)
    assert case.due_at == sla.end_of_day(date(2026, 3, 9))
    case = apply(case, Action.CLAIM, csp_agent, at=paris(2026, 3, 2, 11, 0))
    case = apply(case, Action.REQUEST_INFO, csp_agent,
                 anomaly="missing_document", comment="Précisez", at=asked)

    case = apply(case, Action.ANSWER, sp_agent, comment="Voici la précision", at=answered)

    assert case.state == State.IN_PROGRESS
    assert case.paused_at is None
    assert case.assigned_to == csp_agent
    assert case.due_at == sla.end_of_day(new_due)
    event = assert_event(case, action=Action.ANSWER, from_state=State.INFO_REQUESTED,
                         to_state=State.IN_PROGRESS, actor=sp_agent,
                         comment="Voici la précision")
    assert event.data["paused_working_days"] == paused_days


def test_another_member_of_the_requesting_service_may_answer(make_purchase_request, sp_agent,
                                                             ordonnateur, csp_agent):
    case = make_purchase_request(sp_agent, state=State.INFO_REQUESTED, agent=csp_agent)
    case = apply(case, Action.ANSWER, ordonnateur, comment="Réponse du chef")
    assert case.state == State.IN_PROGRESS


def test_complete_stores_the_ej_number(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    at = timezone.now() + timedelta(hours=2)

    case = apply(case, Action.COMPLETE, csp_agent, ej_number=" 1300000042 ", comment="EJ saisi",
                 at=at)

    assert case.state == State.COMPLETED
    assert case.completed_at == at
    assert case.assigned_to == csp_agent
    assert PurchaseRequest.objects.get(case=case).ej_number == "1300000042"
    event = assert_event(case, action=Action.COMPLETE, from_state=State.IN_PROGRESS,
                         to_state=State.COMPLETED, actor=csp_agent, comment="EJ saisi")
    assert event.data["ej_number"] == "1300000042"


def test_reject_with_a_reason(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)

    case = apply(case, Action.REJECT, csp_agent, anomaly="missing_document", comment="Hors marché")

    assert case.state == State.REJECTED
    assert case.completed_at is not None
    assert_event(case, action=Action.REJECT, from_state=State.IN_PROGRESS,
                 to_state=State.REJECTED, actor=csp_agent, comment="Hors marché")


def test_the_creator_cancels_a_draft_without_comment(make_purchase_request, sp_agent):
    case = make_purchase_request(sp_agent, state=State.DRAFT)

    case = apply(case, Action.CANCEL, sp_agent)

    assert case.state == State.CANCELLED
    assert case.reference is None
    assert_event(case, action=Action.CANCEL, from_state=State.DRAFT,
                 to_state=State.CANCELLED, actor=sp_agent)


@pytest.mark.parametrize(("state", "amount"), [(State.AWAITING_VALIDATION, "8000.00"),
                                               (State.SUBMITTED, "1200.00")])
@pytest.mark.parametrize("who", ["sp_agent", "ordonnateur"])
def test_a_member_of_the_requesting_service_cancels_a_submitted_request(
        make_purchase_request, sp_agent, ordonnateur, state, amount, who, request):
    actor = request.getfixturevalue(who)
    case = make_purchase_request(sp_agent, amount=amount, state=state)

    case = apply(case, Action.CANCEL, actor, comment="Besoin abandonné")

    assert case.state == State.CANCELLED
    assert case.completed_at is not None
    assert_event(case, action=Action.CANCEL, from_state=state, to_state=State.CANCELLED,
                 actor=actor, comment="Besoin abandonné")


def test_expected_version_matching_the_case_is_accepted(make_purchase_request, sp_agent,
                                                        csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    case = apply(case, Action.CLAIM, csp_agent, expected_version=case.version)
    assert case.state == State.IN_PROGRESS


def test_available_actions_follow_roles(make_purchase_request, sp_agent, ordonnateur,
                                        csp_agent, csp_head, cst, foreign_csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert case_available_actions(case=case, user=csp_agent) == [Action.CLAIM]
    assert case_available_actions(case=case, user=csp_head) == [Action.CLAIM, Action.ASSIGN]
    assert case_available_actions(case=case, user=cst) == []
    assert case_available_actions(case=case, user=sp_agent) == [Action.CANCEL]
    assert case_available_actions(case=case, user=foreign_csp_agent) == []


# --- refusals: wrong state -------------------------------------------------------------------

WRONG_STATE = [
    (State.SUBMITTED, Action.COMPLETE, "csp_agent"),
    (State.SUBMITTED, Action.REQUEST_INFO, "csp_agent"),
    (State.SUBMITTED, Action.RELEASE, "csp_head"),
    (State.SUBMITTED, Action.VALIDATE, "ordonnateur"),
    (State.SUBMITTED, Action.SUBMIT, "sp_agent"),
    (State.AWAITING_VALIDATION, Action.SUBMIT, "sp_agent"),
    (State.IN_PROGRESS, Action.CLAIM, "csp_agent2"),
    (State.IN_PROGRESS, Action.ANSWER, "sp_agent"),
    (State.IN_PROGRESS, Action.CANCEL, "sp_agent"),
    (State.IN_PROGRESS, Action.RETURN, "ordonnateur"),
    (State.INFO_REQUESTED, Action.COMPLETE, "csp_agent"),
    (State.INFO_REQUESTED, Action.RELEASE, "csp_agent"),
    (State.INFO_REQUESTED, Action.CANCEL, "sp_agent"),
    (State.COMPLETED, Action.REJECT, "csp_agent"),
    (State.COMPLETED, Action.RELEASE, "csp_head"),
    (State.REJECTED, Action.CLAIM, "csp_agent"),
    (State.CANCELLED, Action.SUBMIT, "sp_agent"),
    (State.CANCELLED, Action.CANCEL, "sp_agent"),
]


@pytest.mark.parametrize(("state", "action", "who"), WRONG_STATE)
def test_an_action_from_the_wrong_state_is_refused(make_purchase_request, sp_agent, ordonnateur,
                                                   csp_agent, csp_agent2, csp_head, state,
                                                   action, who, request):
    amount = "8000.00" if state == State.AWAITING_VALIDATION else "1200.00"
    case = make_purchase_request(sp_agent, amount=amount, state=state, agent=csp_agent)
    actor = request.getfixturevalue(who)

    error = assert_refused(case, action=action, actor=actor, comment="Commentaire",
                           assignee=csp_agent, ej_number="1300000001")

    assert type(error) is CaseError
    assert "n'est pas possible" in error.message


def test_claiming_a_draft_is_refused(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.DRAFT)
    # The centre does not even see drafts.
    assert_refused(case, action=Action.CLAIM, actor=csp_agent, exc=CaseNotFound)


# --- refusals: wrong role --------------------------------------------------------------------


def test_an_sp_agent_cannot_claim(make_purchase_request, sp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert_refused(case, action=Action.CLAIM, actor=sp_agent, match="agents du centre")


def test_the_cst_cannot_claim(make_purchase_request, sp_agent, cst):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert_refused(case, action=Action.CLAIM, actor=cst, match="agents du centre")


def test_a_csp_agent_cannot_validate(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    # Not yet sent to the centre: it does not exist for the centre's agents.
    assert_refused(case, action=Action.VALIDATE, actor=csp_agent, exc=CaseNotFound)


def test_the_creator_without_ordonnateur_role_cannot_validate(make_purchase_request, sp_agent):
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    assert_refused(case, action=Action.VALIDATE, actor=sp_agent, match="ordonnateur")


def test_another_agent_cannot_act_on_a_case_assigned_to_someone_else(
        make_purchase_request, sp_agent, csp_agent, csp_agent2):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    match = "agent en charge"
    assert_refused(case, action=Action.COMPLETE, actor=csp_agent2, ej_number="1300000001",
                   match=match)
    assert_refused(case, action=Action.REQUEST_INFO, actor=csp_agent2, comment="?", match=match)
    assert_refused(case, action=Action.REJECT, actor=csp_agent2, comment="Non", match=match)
    assert_refused(case, action=Action.RELEASE, actor=csp_agent2, match=match)


def test_only_the_head_may_assign(make_purchase_request, sp_agent, csp_agent, csp_agent2):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert_refused(case, action=Action.ASSIGN, actor=csp_agent, assignee=csp_agent2,
                   match="responsable")
    assert_refused(case, action=Action.ASSIGN, actor=csp_agent, assignee=csp_agent,
                   match="responsable")


@pytest.mark.parametrize("who", ["foreign_csp_agent", "sp_agent", "cst"])
def test_the_head_assigns_only_to_agents_of_the_centre(make_purchase_request, sp_agent,
                                                       csp_head, who, request):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    error = assert_refused(case, action=Action.ASSIGN, actor=csp_head,
                           assignee=request.getfixturevalue(who))
    assert error.field == "assignee"


def test_the_centre_cannot_answer_for_the_service(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.INFO_REQUESTED, agent=csp_agent)
    assert_refused(case, action=Action.ANSWER, actor=csp_agent, comment="Réponse",
                   match="service demandeur")


def test_the_centre_cannot_cancel(make_purchase_request, sp_agent, csp_head):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert_refused(case, action=Action.CANCEL, actor=csp_head, comment="Doublon",
                   match="service demandeur")


def test_only_the_author_sees_and_submits_a_draft(make_purchase_request, sp_agent, ordonnateur):
    case = make_purchase_request(sp_agent, state=State.DRAFT)
    assert_refused(case, action=Action.SUBMIT, actor=ordonnateur, exc=CaseNotFound)
    assert_refused(case, action=Action.CANCEL, actor=ordonnateur, exc=CaseNotFound)


# --- refusals: another service ---------------------------------------------------------------


def test_a_foreign_centre_cannot_claim(make_purchase_request, sp_agent, foreign_csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert_refused(case, action=Action.CLAIM, actor=foreign_csp_agent, exc=CaseNotFound)


def test_a_foreign_service_cannot_answer(make_purchase_request, sp_agent, csp_agent,
                                        foreign_sp_agent):
    case = make_purchase_request(sp_agent, state=State.INFO_REQUESTED, agent=csp_agent)
    assert_refused(case, action=Action.ANSWER, actor=foreign_sp_agent, comment="Réponse",
                   exc=CaseNotFound)


def test_a_foreign_ordonnateur_cannot_validate(make_purchase_request, sp_agent, other_sp):
    foreign_ordonnateur = member(other_sp, Role.ORDONNATEUR, ceiling="1000000")
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    assert_refused(case, action=Action.VALIDATE, actor=foreign_ordonnateur, exc=CaseNotFound)


# --- refusals: délégation --------------------------------------------------------------------


def test_an_ordonnateur_cannot_validate_above_their_ceiling(make_purchase_request, sp_agent,
                                                            low_ordonnateur):
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    error = assert_refused(case, action=Action.VALIDATE, actor=low_ordonnateur)
    assert "délégation" in error.message


def test_an_ordonnateur_whose_delegation_expired_cannot_validate(make_purchase_request,
                                                                 sp_agent, sp):
    expired = member(sp, Role.ORDONNATEUR)
    today = timezone.localdate()
    delegation_get_or_create(user=expired, service=sp, ceiling=Decimal("1000000"),
                             valid_from=today - timedelta(days=400),
                             valid_until=today - timedelta(days=1))
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    error = assert_refused(case, action=Action.VALIDATE, actor=expired)
    assert "délégation" in error.message


def test_a_delegation_for_another_service_does_not_count(make_purchase_request, sp_agent, sp,
                                                         other_sp):
    holder = member(sp, Role.ORDONNATEUR)
    delegation_get_or_create(user=holder, service=other_sp, ceiling=Decimal("1000000"),
                             valid_from=timezone.localdate() - timedelta(days=1))
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    assert_refused(case, action=Action.VALIDATE, actor=holder, match="délégation")


# --- refusals: missing or invalid inputs -----------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   \n\t"])
@pytest.mark.parametrize(
    ("state", "action", "who"),
    [
        (State.IN_PROGRESS, Action.REJECT, "csp_agent"),
        (State.IN_PROGRESS, Action.REQUEST_INFO, "csp_agent"),
        (State.INFO_REQUESTED, Action.ANSWER, "sp_agent"),
        (State.AWAITING_VALIDATION, Action.RETURN, "ordonnateur"),
        (State.SUBMITTED, Action.CANCEL, "sp_agent"),
    ],
)
def test_a_comment_is_required(make_purchase_request, sp_agent, ordonnateur, csp_agent, state,
                               action, who, comment, request):
    amount = "8000.00" if state == State.AWAITING_VALIDATION else "1200.00"
    case = make_purchase_request(sp_agent, amount=amount, state=state, agent=csp_agent)
    error = assert_refused(case, action=action, actor=request.getfixturevalue(who),
                           comment=comment)
    assert error.field == "comment"


def test_assign_requires_an_assignee(make_purchase_request, sp_agent, csp_head):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    error = assert_refused(case, action=Action.ASSIGN, actor=csp_head)
    assert error.field == "assignee"


@pytest.mark.parametrize("ej_number", [None, "", "   ", "123456789", "12345678901",
                                       "12345ABCDE", "1234-56789", "1234567890x"])
def test_complete_requires_a_ten_digit_ej_number(make_purchase_request, sp_agent, csp_agent,
                                                 ej_number):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    error = assert_refused(case, action=Action.COMPLETE, actor=csp_agent, ej_number=ej_number)
    assert error.field == "ej_number"


@pytest.mark.parametrize("ej_number", ["１３０００００００１", "١٣٠٠٠٠٠٠٠١"],
                         ids=["fullwidth", "arabic-indic"])
def test_complete_refuses_non_ascii_digits_in_the_ej_number(make_purchase_request, sp_agent,
                                                            csp_agent, ej_number):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    error = assert_refused(case, action=Action.COMPLETE, actor=csp_agent, ej_number=ej_number)
    assert error.field == "ej_number"


def test_an_ej_number_cannot_be_used_twice(make_purchase_request, sp_agent, csp_agent):
    first = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    second = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    apply(first, Action.COMPLETE, csp_agent, ej_number="1300000077")

    error = assert_refused(second, action=Action.COMPLETE, actor=csp_agent,
                           ej_number="1300000077", match="déjà attribué")

    assert error.field == "ej_number"


def test_a_stale_version_is_a_conflict(make_purchase_request, sp_agent, csp_agent, csp_head):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    seen_version = case.version
    apply(case, Action.CLAIM, csp_agent)

    assert_refused(case, action=Action.RELEASE, actor=csp_head, expected_version=seen_version,
                   exc=CaseConflict)


def test_submit_without_a_quote_is_refused(make_purchase_request, sp_agent):
    case = make_purchase_request(sp_agent, state=State.DRAFT, with_quote=False)
    attachment_add(case=case, kind=AttachmentKind.PRICE_SCHEDULE, uploaded=tiny_pdf("bpu.pdf"),
                   actor=sp_agent)

    error = assert_refused(case, action=Action.SUBMIT, actor=sp_agent, match="devis")

    assert error.field == "quote"
    # No number was consumed by the refused submission.
    other = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert other.reference.endswith("-000001")


def test_submit_without_the_purchase_request_content_is_refused(sp, sp_agent):
    case = case_draft_create(actor=sp_agent, service=sp, kind=CaseKind.PURCHASE_REQUEST)
    attachment_add(case=case, kind=AttachmentKind.QUOTE, uploaded=tiny_pdf(), actor=sp_agent)
    assert_refused(case, action=Action.SUBMIT, actor=sp_agent, match="incomplète")


# --- references --------------------------------------------------------------------------------


def _submit(make_purchase_request, actor, at):
    case = make_purchase_request(actor, state=State.DRAFT)
    return transition(case=case, action=Action.SUBMIT, actor=actor, at=at)


def test_references_are_gapless_per_service_and_year(make_purchase_request, sp_agent,
                                                      foreign_sp_agent):
    at = paris(2026, 6, 1, 10, 0)
    # A draft never submitted takes no number.
    make_purchase_request(sp_agent, state=State.DRAFT)

    first = _submit(make_purchase_request, sp_agent, at)
    second = _submit(make_purchase_request, sp_agent, at)
    foreign = _submit(make_purchase_request, foreign_sp_agent, at)
    third = _submit(make_purchase_request, sp_agent, at)

    assert first.reference == "DA-DRAC-2026-000001"
    assert second.reference == "DA-DRAC-2026-000002"
    assert foreign.reference == "DA-DREAL-2026-000001"
    assert third.reference == "DA-DRAC-2026-000003"


def test_references_restart_each_year_in_paris_time(make_purchase_request, sp_agent):
    late_2026 = _submit(make_purchase_request, sp_agent, paris(2026, 12, 31, 23, 0))
    # 23:30 UTC on 31 December is already 2027 in Paris.
    early_2027 = _submit(make_purchase_request, sp_agent,
                         datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    again_2026 = _submit(make_purchase_request, sp_agent, paris(2026, 12, 31, 23, 45))

    assert late_2026.reference == "DA-DRAC-2026-000001"
    assert early_2027.reference == "DA-DRAC-2027-000001"
    assert again_2026.reference == "DA-DRAC-2026-000002"


def test_a_failed_submission_gives_its_number_back(make_purchase_request, sp_agent,
                                                   monkeypatch):
    case = make_purchase_request(sp_agent, state=State.DRAFT)

    def boom(case):
        raise RuntimeError("panne après l'attribution du numéro")

    monkeypatch.setattr(permissions, "grant_requesting_service", boom)
    with pytest.raises(RuntimeError):
        transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    monkeypatch.undo()

    case.refresh_from_db()
    assert (case.state, case.reference) == (State.DRAFT, None)
    case = transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert case.reference.endswith("-000001")


# --- SLA -------------------------------------------------------------------------------------


def test_due_at_is_the_contractual_delay_in_working_days(make_purchase_request, sp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    case.refresh_from_db()
    assert case.due_at == sla.add_working_days(
        case.submitted_at, settings.CASE_DELAYS_WORKING_DAYS["purchase_request"])


def test_due_at_honours_the_configured_delay(make_purchase_request, sp_agent, settings):
    settings.CASE_DELAYS_WORKING_DAYS = {**settings.CASE_DELAYS_WORKING_DAYS,
                                         "purchase_request": 2}
    # Submitted on Thursday 30 April 2026 at 10:00; 1 May is a public holiday.
    case = make_purchase_request(sp_agent, state=State.SUBMITTED, at=paris(2026, 4, 30, 9, 59))
    assert case.due_at == sla.end_of_day(date(2026, 5, 5))


# --- permissions -------------------------------------------------------------------------------


def _sees(user, case, perm=permissions.VIEW) -> bool:
    return permissions.visible_cases(user, perm).filter(pk=case.pk).exists()


def test_a_draft_is_visible_to_its_author_only(make_purchase_request, sp_agent, ordonnateur,
                                               csp_agent, csp_head):
    case = make_purchase_request(sp_agent, state=State.DRAFT)
    assert _sees(sp_agent, case)
    assert not _sees(ordonnateur, case)
    assert not _sees(csp_agent, case)
    assert not _sees(csp_head, case)


def test_awaiting_validation_is_visible_to_the_service_not_to_the_centre(
        make_purchase_request, sp_agent, ordonnateur, csp_agent):
    case = make_purchase_request(sp_agent, amount="8000.00", state=State.AWAITING_VALIDATION)
    assert _sees(ordonnateur, case)
    assert not _sees(csp_agent, case)


def test_a_submitted_case_is_visible_to_both_services_and_processed_by_the_centre(
        make_purchase_request, sp_agent, ordonnateur, csp_agent, csp_head, cst,
        foreign_sp_agent, foreign_csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)

    for user in (sp_agent, ordonnateur):
        assert _sees(user, case)
        assert not _sees(user, case, permissions.PROCESS)
    for user in (csp_agent, csp_head, cst):
        assert _sees(user, case)
        assert _sees(user, case, permissions.PROCESS)
    for user in (foreign_sp_agent, foreign_csp_agent):
        assert not _sees(user, case)
        assert not _sees(user, case, permissions.PROCESS)


# --- the audit trail is append-only ----------------------------------------------------------


@pytest.fixture
def event(make_purchase_request, sp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    return last_event(case)


def test_an_event_cannot_be_saved_again(event):
    event.comment = "réécrit"
    with pytest.raises(PermissionError):
        event.save()
    assert CaseEvent.objects.get(pk=event.pk).comment == ""


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    assert CaseEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(PermissionError):
        CaseEvent.objects.update(comment="réécrit")
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(pk=event.pk).update(comment="réécrit")
    event.comment = "réécrit"
    # bulk_update opens its own atomic block: keep the test's transaction usable.
    with pytest.raises(PermissionError), transaction.atomic():
        CaseEvent.objects.bulk_update([event], ["comment"])
    assert CaseEvent.objects.get(pk=event.pk).comment == ""


def test_events_cannot_be_deleted_in_bulk(event):
    count = CaseEvent.objects.count()
    with pytest.raises(PermissionError):
        CaseEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.count() == count


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger only on PostgreSQL")
def test_postgresql_refuses_raw_updates_and_deletes_of_events(event):
    table = CaseEvent._meta.db_table
    for sql in (f"UPDATE {table} SET comment = 'réécrit' WHERE id = %s",
                f"DELETE FROM {table} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert CaseEvent.objects.get(pk=event.pk).comment == ""


@pytest.mark.parametrize("module", ["cases.migrations.0003_caseevent_append_only",
                                    "kinds.tiers.migrations.0002_tierschange_append_only"])
def test_the_append_only_trigger_migrations_are_valid_on_postgresql(module):
    operation = importlib.import_module(module).Migration.operations[0]
    executed = []

    class PostgresSchemaEditor:
        connection = SimpleNamespace(vendor="postgresql")

        def execute(self, sql, params=()):
            executed.append((str(sql), params))

    operation.code(None, PostgresSchemaEditor())
    operation.reverse_code(None, PostgresSchemaEditor())

    assert len(executed) == 2
    for sql, params in executed:
        if params is not None:
            # With parameters (even none), every '%' must be a placeholder or '%%'.
            stray = re.sub(r"%%|%(?:\([^)]+\))?[sbt]", "", sql)
            assert "%" not in stray, sql
