"""The centre's queue and the SP's "Mes demandes" over HTTP."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.workflow import State

pytestmark = pytest.mark.django_db
QUEUE = reverse("cases:queue")


def refs(response) -> set[str]:
    return {case.reference for case in response.context["page_obj"]}


@pytest.fixture
def cases(make_purchase_request, sp_agent, csp_agent):
    return {
        "submitted": make_purchase_request(sp_agent, state=State.SUBMITTED),
        "mine": make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent),
        "awaiting": make_purchase_request(sp_agent, amount=20000,
                                          state=State.AWAITING_VALIDATION),
        "draft": make_purchase_request(sp_agent, state=State.DRAFT),
    }


def test_queue_shows_the_centres_cases_once_they_reached_it(client, csp_agent, cases):
    client.force_login(csp_agent)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert refs(response) == {cases["submitted"].reference, cases["mine"].reference}


def test_queue_filters(client, csp_agent, cases, sp):
    client.force_login(csp_agent)
    assert refs(client.get(QUEUE, {"state": "submitted"})) == {cases["submitted"].reference}
    assert refs(client.get(QUEUE, {"mine": "true"})) == {cases["mine"].reference}
    assert refs(client.get(QUEUE, {"requesting_service": sp.pk})) == {
        cases["submitted"].reference, cases["mine"].reference}
    assert refs(client.get(QUEUE, {"q": cases["mine"].reference})) == {cases["mine"].reference}
    assert refs(client.get(QUEUE, {"overdue": "true"})) == set()


def test_overdue_filter_and_sort_by_due_date(client, csp_agent, cases):
    late = cases["submitted"]
    late.due_at = timezone.now() - timedelta(days=3)
    late.save(update_fields=["due_at"])
    client.force_login(csp_agent)
    assert refs(client.get(QUEUE, {"overdue": "true"})) == {late.reference}
    ordered = [c.reference for c in client.get(QUEUE).context["page_obj"]]
    assert ordered[0] == late.reference
    assert "En retard" in client.get(QUEUE).content.decode()


def test_invalid_filter_values_do_not_break_the_page(client, csp_agent, cases):
    client.force_login(csp_agent)
    response = client.get(QUEUE, {"state": "nope", "requesting_service": "abc", "page": "x"})
    assert response.status_code == 200


def test_foreign_centre_sees_nothing(client, foreign_csp_agent, cases):
    client.force_login(foreign_csp_agent)
    assert refs(client.get(QUEUE)) == set()


def test_sp_agent_has_no_queue(client, sp_agent):
    client.force_login(sp_agent)
    assert client.get(QUEUE).status_code == 404


def test_my_requests_lists_drafts_and_cases_and_validation_work(client, sp_agent, ordonnateur,
                                                               cases):
    client.force_login(sp_agent)
    page = client.get(reverse("cases:my_requests"))
    listed = {c.pk for c in page.context["page_obj"]}
    assert listed == {c.pk for c in cases.values()}
    client.force_login(ordonnateur)
    page = client.get(reverse("cases:my_requests"))
    assert [c.pk for c in page.context["to_validate"]] == [cases["awaiting"].pk]
    # Another agent's draft stays private.
    assert cases["draft"].pk not in {c.pk for c in page.context["page_obj"]}


def test_closed_cases_leave_the_default_queue_but_stay_under_all(client, csp_agent, sp_agent,
                                                                 cases, make_purchase_request):
    done = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    client.force_login(csp_agent)
    assert done.reference not in refs(client.get(QUEUE))
    assert done.reference in refs(client.get(QUEUE, {"state": "all"}))
    assert refs(client.get(QUEUE, {"state": "completed"})) == {done.reference}
