"""Real concurrency on PostgreSQL (threads, one connection each): a claim raced by 20 agents
has one winner, two completions with the same EJ number keep one, a double-clicked
submission makes one reference and one event."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from cases.models import Case, CaseEvent
from cases.services import CaseError, transition
from cases.workflow import Action, State
from portal.models import Role
from tests.factories import member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite serialises every writer"),
]


def race(calls):
    """Run each (case_id, actor_id, kwargs) from its own thread, all released at once;
    return (successes, refusals) — any other exception fails the test."""
    barrier = threading.Barrier(len(calls))
    won, refused, errors = [], [], []

    def worker(case_id, actor_id, kwargs):
        try:
            actor = get_user_model().objects.get(pk=actor_id)
            case = Case.objects.get(pk=case_id)
            barrier.wait(timeout=30)
            transition(case=case, actor=actor, **kwargs)
            won.append(actor_id)
        except CaseError as exc:
            refused.append(exc.message)
        except Exception as exc:  # reported below
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a transition hung"
    assert not errors, errors
    return won, refused


def test_twenty_agents_claim_the_same_case_and_one_wins(transactional_db, make_purchase_request,
                                                        sp_agent, csp, csp_agent, ordonnateur):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED, ordonnateur=ordonnateur)
    agents = [csp_agent] + [member(csp, Role.CSP_AGENT, username=f"agent{n}")
                            for n in range(19)]
    won, refused = race([(case.pk, agent.pk, {"action": Action.CLAIM}) for agent in agents])
    assert len(won) == 1 and len(refused) == 19
    assert all("n'est pas possible" in message for message in refused)
    case.refresh_from_db()
    assert (case.state, case.assigned_to_id) == (State.IN_PROGRESS, won[0])
    assert CaseEvent.objects.filter(case=case, action=Action.CLAIM).count() == 1


def test_two_completions_with_the_same_ej_number_keep_one(transactional_db,
                                                          make_purchase_request, sp_agent,
                                                          csp_agent, ordonnateur):
    cases = [make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                   ordonnateur=ordonnateur) for _ in range(2)]
    won, refused = race([(case.pk, csp_agent.pk, {"action": Action.COMPLETE,
                                                   "ej_number": "4599999999"})
                         for case in cases])
    assert len(won) == 1 and len(refused) == 1
    assert "déjà attribué" in refused[0]
    states = sorted(Case.objects.filter(pk__in=[c.pk for c in cases])
                    .values_list("state", flat=True))
    assert states == [State.COMPLETED, State.IN_PROGRESS]


def test_a_double_clicked_submission_makes_one_reference_and_one_event(
        transactional_db, make_purchase_request, sp_agent):
    draft = make_purchase_request(sp_agent, state=State.DRAFT)
    won, refused = race([(draft.pk, sp_agent.pk, {"action": Action.SUBMIT})] * 2)
    assert len(won) == 1 and len(refused) == 1
    draft.refresh_from_db()
    assert draft.reference and draft.state != State.DRAFT
    assert CaseEvent.objects.filter(case=draft, action=Action.SUBMIT).count() == 1
