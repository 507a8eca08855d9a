"""Reads for the convention's parties: what the purchasing mission and the budget controller
have to decide, and what they decided."""

from cases import permissions
from cases.workflow import State
from portal.models import Role, Service
from portal.selectors import has_role_somewhere, services_of_user

# The party's role, the states in which a case waits for it, and the flag a case keeps once
# it went through the party's circuit.
PARTIES = {
    Service.Kind.PURCHASING_MISSION: (Role.MDA_AGENT, (State.AT_MISSION, State.MISSION_INFO),
                                      "purchase_request__routed_to_mission"),
    Service.Kind.BUDGET_CONTROL: (Role.CBCM_AGENT, (State.AWAITING_VISA,),
                                  "purchase_request__budget_visa_required"),
}


def centres_of_party(user, party: str):
    """The centres whose mission (or budget control) `user` belongs to."""
    role = PARTIES[party][0]
    return Service.objects.filter(
        pk__in=services_of_user(user, [role]).filter(kind=party)
        .values("processing_centre"))


def is_party_member(user, party: str) -> bool:
    # The roles held are in memory (portal.selectors): most people, holding neither role,
    # cost the home page no query.
    return (has_role_somewhere(user, [PARTIES[party][0]])
            and centres_of_party(user, party).exists())


def party_cases(user, party: str):
    """(waiting for the party, gone through it): cases of the party's centres the user sees."""
    _role, states, went_through = PARTIES[party]
    seen = (permissions.visible_cases(user)
            .filter(processing_centre__in=centres_of_party(user, party))
            .select_related("requesting_service", "purchase_request"))
    waiting = seen.filter(state__in=states).order_by("updated_at", "pk")
    done = (seen.filter(**{went_through: True}).exclude(state__in=states)
            .order_by("-updated_at", "-pk"))
    return waiting, done
