"""The centre's queue and the SP's "Mes demandes" over HTTP."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.workflow import State
from kinds.service_done.tests import test_services as test_service_done_services
from kinds.service_done.tests.test_services import draft, in_progress
from kinds.tiers.tests import test_services as test_tiers_services
from kinds.tiers.tests.test_services import company
from tests.factories import working_days_ago

pytestmark = pytest.mark.django_db
QUEUE = reverse("cases:queue")
# Fixtures of those modules: a completed request with given lines, a tiers request in a state.
make_ej = test_service_done_services.make_ej
tiers_case = test_tiers_services.tiers_case


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


def test_each_row_names_its_supplier_and_flags_the_statements_calling_for_penalties(
        client, csp_agent, sp_agent, ordonnateur, make_purchase_request, make_ej, tiers_case):
    request = make_purchase_request(sp_agent, state=State.SUBMITTED)
    ej = make_ej(("2", "500.00", "20"))
    late = draft(sp_agent, ej, "1", delivered_on=working_days_ago(9), reason="supplier")
    late = in_progress(late, sp_agent, ordonnateur, csp_agent)
    on_time = draft(sp_agent, ej, "1", delivered_on=working_days_ago(1))
    on_time = in_progress(on_time, sp_agent, ordonnateur, csp_agent)
    tiers = tiers_case(company(7), state=State.SUBMITTED)
    client.force_login(csp_agent)

    response = client.get(QUEUE)

    rows = {row.reference: row for row in response.context["page_obj"]}
    assert rows[request.reference].supplier_name == request.purchase_request.tiers.name
    assert rows[late.reference].supplier_name == ej.tiers.name
    assert rows[on_time.reference].supplier_name == ej.tiers.name
    assert rows[tiers.reference].supplier_name == "Menuiserie Durand 7 SARL"
    assert [ref for ref, row in rows.items() if row.has_penalties] == [late.reference]
    page = response.content.decode()
    assert page.count("Pénalités</span>") == 1
    assert ej.tiers.name in page and "Menuiserie Durand 7 SARL" in page
    assert response.context["counts"]["penalties"] == 1
    assert refs(client.get(QUEUE, {"penalties": "true"})) == {late.reference}


def test_the_number_of_cases_listed_is_that_of_the_filter_shown(
        client, csp_agent, csp_agent2, sp_agent, make_purchase_request):
    for agent in (None, csp_agent, csp_agent2):
        make_purchase_request(sp_agent, state=State.SUBMITTED if agent is None
                              else State.IN_PROGRESS, agent=agent)
    make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    client.force_login(csp_agent)

    def listed(**query) -> int:
        response = client.get(QUEUE, query)
        assert len(response.context["page_obj"]) == response.context["page_obj"].paginator.count
        return response.context["page_obj"].paginator.count

    assert listed() == 3  # every open case: the open tab's count, not a second count
    default = client.get(QUEUE).context
    assert default["counts"]["open"] == 3 and default["filter"].lists_every_open_case()
    assert not client.get(QUEUE, {"mine": "true"}).context["filter"].lists_every_open_case()
    assert listed(mine="true") == 1
    assert listed(state="submitted") == 1
    assert listed(state="all") == 4
    assert listed(sort="-amount") == 3
