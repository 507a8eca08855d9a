"""The demo's requests through the convention's circuits: the purchasing mission accepts the
large requests of the Est centre's services, the budget controller visas its large EJs, and
a few requests are left waiting for either, so that every state shows in the demo."""

import random
from datetime import datetime, timedelta

from django.utils import timezone

from cases import services as case_services
from cases.workflow import Action, State
from portal.models import Membership, Role, Service

# A few requests are left at each circuit's step (the Est centre's services).
TARGETS = ((State.AT_MISSION, 3), (State.MISSION_INFO, 1), (State.AWAITING_VISA, 3))
MISSION_STATES = {State.AT_MISSION, State.MISSION_INFO}
MISSION_QUESTIONS = (
    "Le besoin peut-il être couvert par l'accord-cadre interministériel en cours ?",
    "Merci de joindre le cahier des charges et l'estimation détaillée du besoin.",
    "Avez-vous consulté au moins trois fournisseurs ? Joignez les devis comparés.",
)


def _party_member(case, kind: str, role: str):
    membership = (Membership.objects.filter(
        service__kind=kind, service__processing_centre=case.processing_centre, role=role)
        .select_related("user").order_by("pk").first())
    return membership.user if membership else None


def mission_member(case):
    return _party_member(case, Service.Kind.PURCHASING_MISSION, Role.MDA_AGENT)


def _between(after: datetime, before: datetime | None) -> datetime:
    before = before or timezone.now() - timedelta(minutes=1)
    return after + (before - after) / 2


def pass_through(case, content, target: str, *, after: datetime,
                 before: datetime | None):
    """Take `case` through the circuit it reached, unless the story ends there: the
    mission accepts it (on the market the request names, else by a new procedure), the
    budget controller visas its EJ."""
    while True:
        at = _between(after, before)
        if case.state == State.AT_MISSION and target not in MISSION_STATES:
            route = ({"procurement_route": "existing_contract",
                      "contract_reference": content.market_reference[:100]}
                     if content.market_reference else {"procurement_route": "new_procedure"})
            case = case_services.transition(case=case, action=Action.MISSION_ACCEPT,
                                            actor=mission_member(case), at=at, inputs=route)
        elif case.state == State.AWAITING_VISA and target != State.AWAITING_VISA:
            controller = _party_member(case, Service.Kind.BUDGET_CONTROL, Role.CBCM_AGENT)
            day = timezone.localdate(at)
            case = case_services.transition(
                case=case, action=Action.VISA_GRANT, actor=controller, at=at,
                inputs={"visa_reference": f"VISA-{day.year}-{case.pk:05d}", "visa_date": day})
        else:
            return case
        after = at


def mission_question(rng: random.Random) -> str:
    return rng.choice(MISSION_QUESTIONS)
