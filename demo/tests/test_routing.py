"""The demo's routing: groups in both centres, the « Demande de support » form and its rules,
requests already routed (one in the general queue); a second run changes nothing."""

import pytest

from cases.models import Case, CaseEvent
from conventions.services import editorial_setup
from demo.routing import GROUPS, REQUESTS, seed_routing
from forms_catalog.models import RoutingRule
from portal.models import AgentGroup, Role
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_seed_routing_routes_the_demo_requests_and_is_idempotent(csp, other_csp, sp):
    services = {"CSPEST": csp, "CSPOUEST": other_csp, "DRAAF": sp}
    users = {}
    for centre, _name, logins in GROUPS:
        for login in logins:
            if login not in users:
                users[login] = member(services[centre], Role.CSP_AGENT, username=login)
    for login in {login for login, *_rest in REQUESTS}:
        users[login] = member(sp, Role.SP_AGENT, ceiling="5000", username=login)
    editorial = editorial_setup()

    assert seed_routing(services=services, users=users, editorial=editorial) == len(REQUESTS)
    counts = (AgentGroup.objects.count(), RoutingRule.objects.count(), Case.objects.count(),
              CaseEvent.objects.count())
    assert counts[:2] == (len(GROUPS), 4)
    # By the field's key: PostgreSQL's jsonb does not keep the answers' order.
    domain = next(item["key"] for case in Case.objects.all()[:1]
                  for step in case.procedure.field_schema["steps"] for item in step["items"]
                  if item["label"] == "Domaine")
    routed = {case.extra["answers"][domain]: case.agent_group.name if case.agent_group else None
              for case in Case.objects.select_related("agent_group")}
    assert routed == {"Informatique": "Achats informatiques",
                      "Mobilier et fournitures": "Fournitures et mobilier",
                      "Formation": "Prestations et formations", "Autre": None}
    assert {case.agent_group.centre for case in Case.objects.exclude(agent_group=None)} == {csp}

    assert seed_routing(services=services, users=users, editorial=editorial) == 0
    assert (AgentGroup.objects.count(), RoutingRule.objects.count(), Case.objects.count(),
            CaseEvent.objects.count()) == counts
