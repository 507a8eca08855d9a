"""The centre's queue selector (cases.selectors.case_queue_for_user): which cases it holds, in
which order."""

from cases.selectors import case_queue_for_user
from cases.tests.test_workflow import paris
from cases.workflow import State

# --- queue selector ----------------------------------------------------------------------------


def test_the_queue_shows_the_centres_cases_once_they_reached_it(
        make_purchase_request, sp_agent, csp_agent, csp_agent2, csp_head, foreign_sp_agent,
        foreign_csp_agent):
    draft = make_purchase_request(sp_agent, state=State.DRAFT)
    awaiting = make_purchase_request(sp_agent, amount="8000.00",
                                     state=State.AWAITING_VALIDATION)
    submitted = make_purchase_request(sp_agent, state=State.SUBMITTED)
    in_progress = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    foreign = make_purchase_request(foreign_sp_agent, state=State.SUBMITTED)

    expected = {submitted.pk, in_progress.pk}
    for user in (csp_agent, csp_agent2, csp_head):
        queue = set(case_queue_for_user(user=user).values_list("pk", flat=True))
        assert queue == expected
        assert not queue & {draft.pk, awaiting.pk, foreign.pk}
    assert set(case_queue_for_user(user=foreign_csp_agent).values_list("pk", flat=True)) == {
        foreign.pk}
    assert not case_queue_for_user(user=sp_agent).exists()


def test_the_queue_is_ordered_by_due_date(make_purchase_request, sp_agent, csp_agent):
    later = make_purchase_request(sp_agent, state=State.SUBMITTED, at=paris(2026, 3, 4, 10, 0))
    sooner = make_purchase_request(sp_agent, state=State.SUBMITTED, at=paris(2026, 3, 2, 10, 0))
    assert list(case_queue_for_user(user=csp_agent)) == [sooner, later]
