"""Concurrent submissions of one service get unique, gapless references (PostgreSQL only)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from cases.models import Case
from cases.services import transition
from cases.workflow import Action, State

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL: SQLite serialises every writer"),
]


def submit_concurrently(case_ids, actor_id):
    """Submit every draft from its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(case_ids))
    errors: list[Exception] = []

    def worker(case_id):
        try:
            actor = get_user_model().objects.get(pk=actor_id)  # one instance per thread
            case = Case.objects.get(pk=case_id)
            barrier.wait(timeout=30)
            transition(case=case, action=Action.SUBMIT, actor=actor)
        except Exception as exc:  # reported by the main thread
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(pk,)) for pk in case_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    assert not errors, errors


@pytest.mark.parametrize("count", [2, 20])
def test_concurrent_submissions_get_gapless_references(transactional_db, make_purchase_request,
                                                       sp_agent, sp, count):
    drafts = [make_purchase_request(sp_agent, state=State.DRAFT) for _ in range(count)]

    submit_concurrently([draft.pk for draft in drafts], sp_agent.pk)

    cases = Case.objects.filter(pk__in=[draft.pk for draft in drafts])
    assert {case.state for case in cases} == {State.SUBMITTED}
    year = timezone.localdate().year
    expected = [f"DA-{sp.code}-{year}-{n:06d}" for n in range(1, count + 1)]
    assert sorted(case.reference for case in cases) == expected
