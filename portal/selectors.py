"""Reads on organisations: which services a user belongs to, and in which role."""

from decimal import Decimal

from django.db.models import Exists, OuterRef

from common.versioned_cache import cached_for

from .models import CENTRE_ROLES, SP_ROLES, AgentGroup, Delegation, Membership, Role, Service


def _roles_by_service(user) -> dict[int, set[str]]:
    """{service id: roles} of the user, read once per user object (a request's user; every
    page asks it several times), from the cache (common.versioned_cache) under the person's
    version, which a membership's change bumps (portal.cache_versions)."""
    roles = getattr(user, "_portal_roles", None)
    if roles is None:
        roles = user._portal_roles = cached_for(user, "portal:roles",
                                                lambda: (_read_roles(user), None))
    return roles


def _read_roles(user) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {}
    for service_id, role in Membership.objects.filter(user=user).values_list("service_id", "role"):
        roles.setdefault(service_id, set()).add(role)
    return roles


def user_roles(user, service: Service) -> set[str]:
    if not user.is_authenticated:
        return set()
    return _roles_by_service(user).get(service.pk, set())


def user_has_role(user, service: Service, *roles: str) -> bool:
    return bool(user_roles(user, service) & set(roles))


def service_ids_of_user(user, roles=None) -> list[int]:
    if not user.is_authenticated:
        return []
    wanted = set(roles) if roles else None
    return sorted(pk for pk, held in _roles_by_service(user).items()
                  if wanted is None or held & wanted)


def has_role_somewhere(user, roles=None) -> bool:
    """Whether the user holds one of `roles` (any role if None) in some service."""
    return bool(service_ids_of_user(user, roles))


def services_of_user(user, roles=None):
    return Service.objects.filter(pk__in=service_ids_of_user(user, roles))


def service_list(user, roles) -> list[Service]:
    """The user's services in one of `roles`, by code (the home page's lists), from the cache
    until the person's memberships or one of the services change."""
    ids = service_ids_of_user(user, roles)
    if not ids:
        return []
    return cached_for(user, f"portal:services:{','.join(sorted(roles))}",
                      lambda: (list(Service.objects.filter(pk__in=ids).order_by("code")), None),
                      service_ids=ids)


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


def services_served_by(centres):
    """The prescribing services of `centres` (not their mission or budget control, attached
    to them too)."""
    return Service.objects.filter(processing_centre__in=centres, kind=Service.Kind.PRESCRIBING)


def centre_party(centre: Service, kind: str) -> Service | None:
    """The purchasing mission or the budget control (`kind`) attached to `centre`, if any."""
    return Service.objects.filter(kind=kind, processing_centre=centre).order_by("code").first()


def steers_all_centres(user) -> bool:
    """Whether `user` holds the permission to steer every centre (`portal.steer_all_centres`,
    directly or through a group, as ModelBackend reads it): one query, where has_perm reads
    all of the user's permissions in two, on every page whose menu asks."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Permission.objects.filter(
        Q(user=user) | Q(group__user=user), codename="steer_all_centres",
        content_type__app_label="portal").exists()


# --- agent groups (a centre's sub-queues) ---------------------------------------------------


def centres_headed_by(user):
    return services_of_user(user, [Role.CSP_HEAD]).filter(kind=Service.Kind.SHARED_CENTRE)


def agent_groups_headed_by(user):
    """The groups `user` manages: those of the centres they head (any other is a 404)."""
    return AgentGroup.objects.filter(
        centre_id__in=service_ids_of_user(user, [Role.CSP_HEAD])).select_related("centre")


def centre_agent_groups(user) -> list[AgentGroup]:
    """The groups of the centres `user` works in (the queue's « Groupe » filter), each with
    `is_member`; one query, read once per user object (a request's user), which also
    answers agent_group_ids_of; cached under the person's and the centres' versions
    (portal.cache_versions)."""
    groups = getattr(user, "_centre_agent_groups", None)
    if groups is None:
        centre_ids = service_ids_of_user(user, CENTRE_ROLES)
        groups = user._centre_agent_groups = cached_for(
            user, "portal:agent_groups", lambda: (_read_agent_groups(user, centre_ids), None),
            service_ids=centre_ids) if centre_ids else []
    return groups


def _read_agent_groups(user, centre_ids: list[int]) -> list[AgentGroup]:
    member = AgentGroup.members.through.objects.filter(agentgroup=OuterRef("pk"), user=user)
    return list(AgentGroup.objects.filter(centre_id__in=centre_ids).select_related("centre")
                .annotate(is_member=Exists(member)).order_by("centre__code", "name"))


def agent_group_ids_of(user) -> list[int]:
    """The groups `user` is a member of, in the centres they still work in."""
    return [group.pk for group in centre_agent_groups(user) if group.is_member]
