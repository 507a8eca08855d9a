"""The cached counts (queue tabs, menu badges) equal what the permission-checked queries
answer, after every kind of change: a transition, a claim, a question and its answer, a
membership given or taken, an agent group made, joined, left or deleted, a personal grant,
a case saved outside the workflow, and time passing a due date."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases import permissions, selectors
from cases import services as case_services
from cases.workflow import Action, State
from portal import services as portal_services
from portal.models import Role

pytestmark = pytest.mark.django_db


def fresh(user):
    """The same person as a new request sees them: no per-object memo."""
    return get_user_model().objects.get(pk=user.pk)


def truth_queue(user) -> dict:
    return selectors._queue_counts(fresh(user))[0]


def truth_to_answer(user) -> int:
    return (selectors.cases_of_requesting_services(user=fresh(user)).order_by()
            .filter(state=State.INFO_REQUESTED).count())


def assert_exact(*, agents=(), requesters=()):
    for agent in agents:
        assert selectors.queue_counts(user=fresh(agent)) == truth_queue(agent), agent
    for requester in requesters:
        assert selectors.to_answer_count(user=fresh(requester)) == truth_to_answer(requester)


def test_the_counts_follow_every_kind_of_change(make_purchase_request, sp_agent, csp_agent,
                                                 csp_agent2, csp_head, csp):
    people = {"agents": (csp_agent, csp_agent2, csp_head), "requesters": (sp_agent,)}
    assert_exact(**people)  # read once: cached from here on
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert selectors.queue_counts(user=fresh(csp_agent))["to_process"] == 1
    assert_exact(**people)

    case = case_services.transition(case=case, action=Action.CLAIM, actor=fresh(csp_agent))
    assert selectors.queue_counts(user=fresh(csp_agent))["mine"] == 1
    assert_exact(**people)

    case = case_services.transition(case=case, action=Action.REQUEST_INFO,
                                    actor=fresh(csp_agent), comment="Le devis est illisible.",
                                    anomaly="missing_document")
    assert selectors.to_answer_count(user=fresh(sp_agent)) == 1
    assert_exact(**people)

    case = case_services.transition(case=case, action=Action.ANSWER, actor=fresh(sp_agent),
                                    comment="Le voici.")
    assert selectors.to_answer_count(user=fresh(sp_agent)) == 0
    assert_exact(**people)

    # A newcomer's figures, then the centre taken from them.
    newcomer = get_user_model().objects.create_user("nouvelle", password="x" * 20)
    assert_exact(agents=[newcomer])
    portal_services.membership_grant(user=newcomer, service=csp, role=Role.CSP_AGENT)
    assert selectors.queue_counts(user=fresh(newcomer))["open"] == 1
    assert_exact(agents=[newcomer])
    portal_services.membership_revoke(user=newcomer, service=csp, role=Role.CSP_AGENT)
    assert selectors.queue_counts(user=fresh(newcomer))["open"] == 0
    assert_exact(agents=[newcomer])

    # Agent groups: made, joined, the case routed to it, left, deleted.
    group = portal_services.agent_group_create(actor=csp_head, centre=csp, name="Achats")
    portal_services.agent_group_update(actor=csp_head, group=group, name="Achats",
                                       members=[csp_agent])
    assert_exact(**people)
    case.agent_group = group
    case.save(update_fields=["agent_group"])  # outside the workflow, as the admin would
    assert selectors.queue_counts(user=fresh(csp_agent))["my_groups"] == 1
    assert_exact(**people)
    fresh(csp_agent).agent_groups.remove(group)  # from the person's side
    assert "my_groups" not in selectors.queue_counts(user=fresh(csp_agent))
    assert_exact(**people)
    group.members.add(csp_agent)
    assert_exact(**people)
    portal_services.agent_group_delete(actor=csp_head, group=group)
    assert "my_groups" not in selectors.queue_counts(user=fresh(csp_agent))
    assert_exact(**people)


def test_a_case_falling_overdue_changes_the_counts_with_no_write(make_purchase_request,
                                                                 sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    assert case.due_at is not None
    assert selectors.queue_counts(user=fresh(csp_agent))["overdue"] == 0
    for moment in (case.due_at - timedelta(seconds=1), case.due_at,
                   case.due_at + timedelta(microseconds=1), case.due_at + timedelta(days=3)):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            counts = selectors.queue_counts(user=fresh(csp_agent))
            assert counts == truth_queue(csp_agent), moment
            assert counts["overdue"] == (1 if moment > case.due_at else 0), moment


def test_a_personal_grant_is_seen_at_once(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    expert = get_user_model().objects.create_user("experte", password="x" * 20)
    assert not permissions.can_view(fresh(expert), case)  # read, and cached
    permissions.grant_viewer(case, expert)
    assert permissions.can_view(fresh(expert), case)


def test_a_membership_given_is_seen_by_the_next_page(client, csp, sp_agent,
                                                     make_purchase_request):
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    person = get_user_model().objects.create_user("arrivee", password="x" * 20)
    client.force_login(person)
    assert client.get(reverse("cases:queue")).status_code == 404  # roles read and cached
    portal_services.membership_grant(user=person, service=csp, role=Role.CSP_AGENT)
    response = client.get(reverse("cases:queue"))
    assert response.status_code == 200
    assert response.context["counts"]["open"] == 1


def test_the_queue_page_shows_the_exact_counts_after_a_change(client, make_purchase_request,
                                                              sp_agent, csp_agent):
    client.force_login(csp_agent)
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    first = client.get(reverse("cases:queue")).context["counts"]
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    second = client.get(reverse("cases:queue")).context["counts"]
    assert (first["to_process"], second["to_process"]) == (1, 2)
    assert {k: v for k, v in second.items() if k != "to_sign"} == truth_queue(csp_agent)


def test_a_figure_computed_before_a_commit_is_not_served_after_it(
        django_capture_on_commit_callbacks, make_purchase_request, sp_agent, csp_agent):
    """Another request read the counts while the transition's transaction was open (it saw
    the data before the commit): the bump at commit makes the next reader recompute."""
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    with django_capture_on_commit_callbacks() as callbacks:
        case_services.transition(case=case, action=Action.CLAIM, actor=fresh(csp_agent))
        stale = {**truth_queue(csp_agent), "mine": 0}
        # What the other request stored, under the versions it read (already bumped once).
        with mock.patch.object(selectors, "_queue_counts", return_value=(stale, None)):
            assert selectors.queue_counts(user=fresh(csp_agent)) == stale
    for callback in callbacks:
        callback()
    assert selectors.queue_counts(user=fresh(csp_agent))["mine"] == 1


def test_the_cache_is_read_instead_of_the_database(django_assert_num_queries,
                                                   make_purchase_request, sp_agent, csp_agent):
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    selectors.queue_counts(user=fresh(csp_agent))
    agent = fresh(csp_agent)
    with django_assert_num_queries(0):
        assert selectors.queue_counts(user=agent)["to_process"] == 1


def test_no_code_updates_cases_in_bulk():
    """A QuerySet.update() or bulk_update() of cases sends no post_save: the counts of the
    case's services would not be recomputed (cases/cache_versions.py)."""
    import re

    from django.conf import settings

    bulk = re.compile(r"\bCase\.objects\b[^\n]*\.update\(|\bCase\.objects\.bulk_update\(")
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for package in settings.BASE_DIR.iterdir() if (package / "__init__.py").exists()
        for path in package.rglob("*.py")
        if not {"tests", "migrations"} & set(path.relative_to(settings.BASE_DIR).parts)
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if bulk.search(text)]
    assert offenders == []
