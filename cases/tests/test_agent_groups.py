"""A centre's agent groups: the head's pages (only the head of the group's centre; anyone
else and any other id get a 404), the queue's « Groupe » filter and « Mes groupes » tab, the
group on the case page and in the API, and a deleted group's cases back in the general
queue."""

import pytest
from django.urls import reverse

from cases.models import Case
from cases.workflow import State
from forms_catalog.models import RoutingRule
from forms_catalog.tests import test_schema as _test_schema
from portal.models import AgentGroup, Role
from portal.services import agent_group_get_or_create
from tests.factories import member

pytestmark = pytest.mark.django_db
QUEUE = reverse("cases:queue")
GROUPS = reverse("cases:agent_groups")
# Catalogue forms published as the catalogue's tests do.
publish_form = _test_schema.publish_form
editorial = _test_schema.editorial


def edit_url(group_or_pk):
    return f"/centre/groupes/{getattr(group_or_pk, 'pk', group_or_pk)}/"


def delete_url(group_or_pk):
    return f"/centre/groupes/{getattr(group_or_pk, 'pk', group_or_pk)}/supprimer/"


@pytest.fixture
def foreign_head(other_csp):
    return member(other_csp, Role.CSP_HEAD, username="foreign_head")


@pytest.fixture
def groups(csp, other_csp, csp_agent):
    return {"it": agent_group_get_or_create(centre=csp, name="Achats informatiques",
                                            members=[csp_agent]),
            "furniture": agent_group_get_or_create(centre=csp, name="Mobilier"),
            "foreign": agent_group_get_or_create(centre=other_csp, name="Groupe Ouest")}


@pytest.fixture
def routed(make_purchase_request, sp_agent, csp_agent, groups):
    """Open requests of CSPEST: one per group, one in the general queue; a closed one of the
    IT group."""
    cases = {name: make_purchase_request(sp_agent, state=State.SUBMITTED)
             for name in ("it", "furniture", "general")}
    cases["it_done"] = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    for name in ("it", "furniture", "it_done"):
        Case.objects.filter(pk=cases[name].pk).update(
            agent_group=groups[name.removesuffix("_done")])
    return cases


def refs(response) -> set[str]:
    return {case.reference for case in response.context["page_obj"]}


def ref_set(routed, *names) -> set[str]:
    return {routed[name].reference for name in names}


# --- the queue -----------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ("it", "furniture", "general")),
    ({"agent_group": "it"}, ("it",)),
    ({"agent_group": "furniture"}, ("furniture",)),
    ({"agent_group": "general"}, ("general",)),
    ({"my_groups": "true"}, ("it",)),
    ({"my_groups": "true", "state": "all"}, ("it", "it_done")),
    ({"agent_group": "furniture", "my_groups": "true"}, ()),
])
def test_the_queue_filters_by_group(client, csp_agent, groups, routed, query, expected):
    query = {name: str(groups[value].pk) if name == "agent_group" and value in groups else value
             for name, value in query.items()}
    client.force_login(csp_agent)
    response = client.get(QUEUE, query)
    assert response.status_code == 200
    assert refs(response) == ref_set(routed, *expected)


def test_the_my_groups_tab_counts_the_open_cases_of_the_agents_groups(client, csp_agent,
                                                                       csp_agent2, routed):
    client.force_login(csp_agent)
    response = client.get(QUEUE)
    assert response.context["counts"]["my_groups"] == 1
    tab = next(t for t in response.context["tabs"] if t["key"] == "my_groups")
    assert tab["label"] == "Mes groupes" and tab["count"] == 1
    # The groups and the general queue in the filter; the row says the group.
    choices = dict(response.context["filter"].form.fields["agent_group"].choices)
    assert set(choices.values()) == {"Tous les groupes", "File générale",
                                     "Achats informatiques", "Mobilier"}
    assert "Achats informatiques" in response.content.decode()
    # Someone in no group: no such tab (the page stays short on a phone); asked for, the
    # view is empty and its tab marked.
    client.force_login(csp_agent2)
    response = client.get(QUEUE)
    assert "my_groups" not in response.context["counts"]
    assert "my_groups" not in {tab["key"] for tab in response.context["tabs"]}
    asked = client.get(QUEUE, {"my_groups": "true"})
    assert refs(asked) == set()
    assert [tab["key"] for tab in asked.context["tabs"] if tab["current"]] == ["my_groups"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"agent_group": "it"}, ("it",)),
    ({"agent_group": "general"}, ("general",)),
    ({"my_groups": "true"}, ("it",)),
    ({"my_groups": "true", "state": "all"}, ("it", "it_done")),
])
def test_the_api_list_filters_by_group_as_the_queue_does(client, csp_agent, groups, routed,
                                                         query, expected):
    query = {name: str(groups[value].pk) if name == "agent_group" and value in groups else value
             for name, value in query.items()}
    client.force_login(csp_agent)
    response = client.get("/api/cases/", query)
    assert response.status_code == 200
    assert {row["reference"] for row in response.json()["results"]} == ref_set(routed,
                                                                               *expected)


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1", "foreign", "0"])
def test_the_api_list_refuses_a_group_not_of_the_centre(client, csp_agent, groups, routed,
                                                        value):
    value = str(groups["foreign"].pk) if value == "foreign" else value
    client.force_login(csp_agent)
    response = client.get("/api/cases/", {"agent_group": value})
    assert response.status_code == 400
    assert "agent_group" in str(response.json())


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1", "foreign"])
def test_a_group_not_of_the_centre_is_refused_in_the_filter(client, csp_agent, groups, routed,
                                                            value):
    value = str(groups["foreign"].pk) if value == "foreign" else value
    client.force_login(csp_agent)
    response = client.get(QUEUE, {"agent_group": value})
    assert response.status_code == 200
    assert refs(response) == set()
    assert response.context["filter"].form.errors["agent_group"] == [
        "Choisissez un groupe de votre centre ou la file générale."]


def test_the_queue_reads_the_rows_groups_with_the_rows(client, csp_agent, routed,
                                                       django_assert_max_num_queries):
    client.force_login(csp_agent)
    client.get(QUEUE)  # warm the caches (site configuration…)
    with django_assert_max_num_queries(40) as captured:
        client.get(QUEUE)
    group_reads = [q["sql"] for q in captured.captured_queries
                   if 'FROM "portal_agentgroup"' in q["sql"]
                   and "INNER JOIN" not in q["sql"] and '"cases_case"' not in q["sql"]]
    # The filter's choices and the user's groups: never one per row.
    assert len(group_reads) <= 2, group_reads


# --- the case page and the API --------------------------------------------------------------


def test_the_case_page_and_the_api_show_the_group_to_the_centre_only(client, csp_agent,
                                                                      sp_agent, routed):
    case = routed["it"]
    client.force_login(csp_agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Groupe d'agents</dt>" in page.replace("&#x27;", "'")
    assert "Achats informatiques" in page
    assert client.get(f"/api/cases/{case.pk}/").json()["agent_group"] == "Achats informatiques"
    general = client.get(routed["general"].get_absolute_url()).content.decode()
    assert "File générale" in general
    client.force_login(sp_agent)
    assert "Achats informatiques" not in client.get(case.get_absolute_url()).content.decode()
    assert client.get(f"/api/cases/{case.pk}/").json()["agent_group"] is None


# --- the head's pages -------------------------------------------------------------------------


def test_the_head_lists_the_centres_groups_only(client, csp_head, groups, routed):
    client.force_login(csp_head)
    response = client.get(GROUPS)
    assert response.status_code == 200
    listed = {group.name: (group.member_count, group.open_count)
              for group in response.context["groups"]}
    assert listed == {"Achats informatiques": (1, 1), "Mobilier": (0, 1)}
    assert [count for _centre, count in response.context["general_queues"]] == [1]
    assert "Groupe Ouest" not in response.content.decode()


@pytest.mark.parametrize("role", ["csp_agent", "cst", "sp_agent", "foreign_csp_agent"])
def test_the_group_pages_are_not_found_for_anyone_but_a_head(client, request, groups, role):
    client.force_login(request.getfixturevalue(role))
    for url in (GROUPS, edit_url(groups["it"]), delete_url(groups["it"])):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Pirate"}).status_code == 404, url
    assert AgentGroup.objects.filter(name="Pirate").count() == 0
    assert AgentGroup.objects.filter(pk=groups["it"].pk).exists()


def test_another_centres_head_gets_404_on_the_groups_of_this_centre(client, foreign_head,
                                                                     groups, csp_agent):
    client.force_login(foreign_head)
    group = groups["it"]
    assert client.get(edit_url(group)).status_code == 404
    assert client.post(edit_url(group), {"name": "Volé", "members": []}).status_code == 404
    assert client.get(delete_url(group)).status_code == 404
    assert client.post(delete_url(group)).status_code == 404
    group.refresh_from_db()
    assert group.name == "Achats informatiques" and list(group.members.all()) == [csp_agent]
    # Their own page lists their own centre's group only.
    assert [g.name for g in client.get(GROUPS).context["groups"]] == ["Groupe Ouest"]


@pytest.mark.parametrize("pk", ["abc", "9" * 30, "0", "-1", "1e3", "99999"])
def test_bad_group_ids_are_404(client, csp_head, groups, pk):
    client.force_login(csp_head)
    for url in (f"/centre/groupes/{pk}/", f"/centre/groupes/{pk}/supprimer/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url


def test_the_head_creates_a_group_and_names_are_unique_per_centre(client, csp_head, groups,
                                                                  other_csp):
    client.force_login(csp_head)
    response = client.post(GROUPS, {"name": "  Marchés   publics ",
                                    "centre": groups["it"].centre_id})
    created = AgentGroup.objects.get(name="Marchés publics")
    assert response.status_code == 302 and response["Location"] == edit_url(created)
    assert created.centre == groups["it"].centre
    duplicate = client.post(GROUPS, {"name": "achats INFORMATIQUES",
                                     "centre": groups["it"].centre_id})
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["name"] == [
        "Le centre a déjà un groupe « achats INFORMATIQUES »."]
    # Another centre may have a group of the same name; the head cannot create it there.
    forged = client.post(GROUPS, {"name": "Groupe Ouest", "centre": other_csp.pk})
    assert forged.status_code == 400 and "centre" in forged.context["form"].errors
    empty = client.post(GROUPS, {"name": "   ", "centre": groups["it"].centre_id})
    assert empty.status_code == 400 and empty.context["form"].errors["name"]
    too_long = client.post(GROUPS, {"name": "x" * 101, "centre": groups["it"].centre_id})
    assert too_long.status_code == 400 and too_long.context["form"].errors["name"]
    assert AgentGroup.objects.filter(centre=groups["it"].centre).count() == 3


def test_the_head_renames_a_group_and_chooses_its_members(client, csp_head, csp_agent,
                                                          csp_agent2, groups):
    client.force_login(csp_head)
    group = groups["it"]
    page = client.get(edit_url(group))
    offered = {user.username for user in page.context["form"].fields["members"].queryset}
    assert offered == {"csp_agent", "csp_agent2", "csp_head"}
    response = client.post(edit_url(group), {"name": "Informatique",
                                             "members": [csp_agent2.pk, csp_head.pk]})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Informatique"
    assert set(group.members.all()) == {csp_agent2, csp_head}


@pytest.mark.parametrize("members", ["foreign", "sp_agent", "abc", "9" * 30])
def test_a_member_outside_the_centre_is_refused(client, request, csp_head, csp_agent, groups,
                                                members):
    if members in ("foreign", "sp_agent"):
        fixture = "foreign_csp_agent" if members == "foreign" else "sp_agent"
        members = request.getfixturevalue(fixture).pk
    client.force_login(csp_head)
    response = client.post(edit_url(groups["it"]), {"name": "Autre nom", "members": [members]})
    assert response.status_code == 400
    assert response.context["form"].errors["members"] == [
        "Cette personne n'est pas agent du centre."]
    groups["it"].refresh_from_db()
    assert groups["it"].name == "Achats informatiques"
    assert list(groups["it"].members.all()) == [csp_agent]


def test_deleting_a_group_sends_its_open_cases_back_to_the_general_queue(
        client, csp_head, csp_agent, groups, routed, publish_form):
    page = publish_form([("choice", {"label": "Domaine", "help_text": "", "required": True,
                                     "show_if_field": "", "show_if_value": "",
                                     "choices": ["Informatique", "Autre"]})],
                        title="Demande informatique",
                        routing_rules=[RoutingRule(field_label="Domaine", value="Informatique",
                                                   group=groups["it"])])
    client.force_login(csp_head)
    confirmation = client.get(delete_url(groups["it"]))
    assert confirmation.status_code == 200
    assert confirmation.context["open_cases"] == 1
    assert confirmation.context["forms"] == ["Demande informatique"]
    assert AgentGroup.objects.filter(pk=groups["it"].pk).exists()  # not before the POST

    response = client.post(delete_url(groups["it"]))
    assert response.status_code == 302 and response["Location"] == GROUPS
    assert not AgentGroup.objects.filter(pk=groups["it"].pk).exists()
    for name in ("it", "it_done"):
        routed[name].refresh_from_db()
        assert routed[name].agent_group is None
    assert not RoutingRule.objects.filter(page=page).exists()
    routed["furniture"].refresh_from_db()
    assert routed["furniture"].agent_group == groups["furniture"]
    client.force_login(csp_agent)
    assert refs(client.get(QUEUE, {"agent_group": "general"})) == ref_set(routed, "it",
                                                                           "general")

