"""The queue's tabs and filter layout over HTTP: the current view's tab is marked (one, with
aria-current="page"), the default view is a tab, a tab stays current while its list is
refined, the advanced filters are folded (and unfolded when one is in error), and the bulk
assignment comes before the list."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from cases.filters import QUEUE_TABS, TAB_LABELS
from cases.workflow import State

pytestmark = pytest.mark.django_db

QUEUE = reverse("cases:queue")


def page(client, query=None) -> BeautifulSoup:
    response = client.get(QUEUE, query or {})
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def tabs(html: BeautifulSoup):
    nav = html.find("nav", attrs={"aria-label": "Vues de la corbeille"})
    assert nav is not None
    return nav.find_all("a")


def current(html: BeautifulSoup) -> list[str]:
    return [re.sub(r"\s*\(\d+\)$", "", a.get_text(strip=True))
            for a in tabs(html) if a.get("aria-current") == "page"]


@pytest.fixture
def queue(sp_agent, csp_agent, make_purchase_request):
    return [make_purchase_request(sp_agent, state=State.SUBMITTED),
            make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)]


def test_the_default_view_is_the_first_tab_and_marked(client, csp_agent, queue):
    client.force_login(csp_agent)
    html = page(client)
    assert current(html) == [str(TAB_LABELS["open"])]
    first = tabs(html)[0]
    assert first["href"] == QUEUE and first.get_text(strip=True) == "En cours (2)"


@pytest.mark.parametrize("key", [key for key, _params in QUEUE_TABS])
def test_each_tab_followed_is_the_one_marked(client, csp, csp_agent, queue, key):
    if key == "my_groups":  # the tab of the members of a group
        from portal.services import agent_group_get_or_create

        agent_group_get_or_create(centre=csp, name="Mobilier", members=[csp_agent])
    client.force_login(csp_agent)
    link = next(a for a in tabs(page(client))
                if a.get_text(strip=True).startswith(str(TAB_LABELS[key])))
    target = page(client, dict(parse_qsl(urlsplit(link["href"]).query)))
    assert current(target) == [str(TAB_LABELS[key])]
    # Refining the tab's list (a search, a type, a sort) keeps the tab current.
    refined = dict(parse_qsl(urlsplit(link["href"]).query),
                   q="DA", kind="purchase_request", sort="reference")
    assert current(page(client, refined)) == [str(TAB_LABELS[key])]


def test_a_view_no_tab_gives_marks_none(client, csp_agent, queue):
    client.force_login(csp_agent)
    assert current(page(client, {"state": "in_progress"})) == []
    assert current(page(client, {"state": "submitted", "mine": "true"})) == []
    assert current(page(client, {"state": "pas-un-etat"})) == []


def test_advanced_filters_are_folded_and_unfold_on_error(client, csp_agent, queue):
    client.force_login(csp_agent)
    html = page(client)
    form = html.find("form", attrs={"aria-label": "Filtres"})
    details = form.find("details")
    assert details is not None and not details.has_attr("open")
    for name in ("q", "state", "kind"):
        assert form.find(attrs={"name": name}).find_parent("details") is None, name
    for name in ("requesting_service", "assigned_to", "due_from", "due_to", "amount_min",
                 "amount_max", "sort", "mine", "overdue", "penalties", "to_sign"):
        assert form.find(attrs={"name": name}).find_parent("details") is details, name
    # The summary says how many folded filters narrow the list.
    assert "2 actifs" in page(client, {"overdue": "true", "amount_min": "10"}).find(
        "form", attrs={"aria-label": "Filtres"}).find("summary").get_text()
    errored = page(client, {"amount_min": "pas un montant"})
    assert errored.find("form", attrs={"aria-label": "Filtres"}).find("details").has_attr("open")


def test_bulk_assignment_comes_before_the_list(client, csp_head, queue):
    client.force_login(csp_head)
    html = str(page(client))
    assert 0 < html.index('id="bulk-assign"') < html.index("<table")
