"""Reads on organisations: which services a user belongs to, and in which role."""

from decimal import Decimal

from .models import CENTRE_ROLES, SP_ROLES, Delegation, Membership, Role, Service


def user_roles(user, service: Service) -> set[str]:
    if not user.is_authenticated:
        return set()
    cache = getattr(user, "_portal_roles", None)
    if cache is None:
        cache = {}
        for service_id, role in Membership.objects.filter(user=user).values_list(
            "service_id", "role"
        ):
            cache.setdefault(service_id, set()).add(role)
        user._portal_roles = cache
    return cache.get(service.pk, set())


def user_has_role(user, service: Service, *roles: str) -> bool:
    return bool(user_roles(user, service) & set(roles))


def services_of_user(user, roles=None):
    if not user.is_authenticated:
        return Service.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Service.objects.filter(pk__in=memberships.values("service_id"))


def prescribing_services_of(user):
    return services_of_user(user, SP_ROLES)


def centres_of(user):
    return services_of_user(user, CENTRE_ROLES)


def delegation_ceiling(user, service: Service, on=None) -> Decimal | None:
    """The highest ceiling in force for this user and service, or None without delegation."""
    ceilings = Delegation.objects.in_force(on).filter(user=user, service=service).values_list(
        "ceiling", flat=True
    )
    return max(ceilings, default=None)


def centre_agents(centre: Service):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__service=centre, memberships__role__in=[Role.CSP_AGENT, Role.CSP_HEAD],
        is_active=True,
    ).distinct().order_by("last_name", "first_name")


def centre_members(user):
    """Agents and heads of the centres `user` belongs to (the queue's agent filter)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        memberships__service__in=centres_of(user),
        memberships__role__in=[Role.CSP_AGENT, Role.CSP_HEAD], is_active=True,
    ).distinct().order_by("last_name", "first_name")
