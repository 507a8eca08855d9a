"""Writes on organisations. Seed data and the admin go through these helpers."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import AgentGroup, Delegation, Membership, Role, Service
from .selectors import centre_agents, user_has_role


def service_group(code: str) -> Group:
    """The auth group through which a service's members hold object permissions."""
    group, _ = Group.objects.get_or_create(name=f"service:{code}")
    return group


@transaction.atomic
def service_get_or_create(*, code: str, name: str, kind: str, processing_centre=None,
                          **details) -> Service:
    """The service with this code, created with `details` (address, Chorus Pro identifiers)."""
    service = Service.objects.filter(code=code).first()
    if service:
        return service
    service = Service(code=code, name=name, kind=kind, processing_centre=processing_centre,
                      group=service_group(code), **details)
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def membership_grant(*, user, service: Service, role: str) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, service=service, role=role)
    user.groups.add(service.group)
    user.__dict__.pop("_portal_roles", None)
    user.__dict__.pop("_case_access", None)
    user.__dict__.pop("_centre_agent_groups", None)
    return membership


@transaction.atomic
def membership_revoke(*, user, service: Service, role: str) -> None:
    Membership.objects.filter(user=user, service=service, role=role).delete()
    if not Membership.objects.filter(user=user, service=service).exists():
        user.groups.remove(service.group)
    user.__dict__.pop("_portal_roles", None)
    user.__dict__.pop("_case_access", None)
    user.__dict__.pop("_centre_agent_groups", None)


def delegation_get_or_create(*, user, service: Service, ceiling, valid_from, valid_until=None):
    delegation, _ = Delegation.objects.get_or_create(
        user=user, service=service, valid_from=valid_from,
        defaults={"ceiling": ceiling, "valid_until": valid_until},
    )
    return delegation


# --- agent groups (a centre's sub-queues) ---------------------------------------------------


def _check_head(actor, centre: Service) -> None:
    """Only the centre's head manages its groups (the views answer 404 before this)."""
    if not user_has_role(actor, centre, Role.CSP_HEAD):
        raise PermissionDenied


def _clean_group_name(centre: Service, name: str, *, exclude_pk=None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Donnez un nom au groupe.")})
    if len(name) > AgentGroup.NAME_MAX:
        raise ValidationError({"name": _("Le nom tient en %(max)s caractères au plus.")
                               % {"max": AgentGroup.NAME_MAX}})
    taken = AgentGroup.objects.filter(centre=centre, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": _("Le centre a déjà un groupe « %(name)s ».")
                               % {"name": name}})
    return name


@transaction.atomic
def agent_group_create(*, actor, centre: Service, name: str) -> AgentGroup:
    _check_head(actor, centre)
    if not centre.is_centre:
        raise ValidationError(_("Seul un centre de services partagés a des groupes d'agents."))
    return AgentGroup.objects.create(centre=centre, name=_clean_group_name(centre, name))


@transaction.atomic
def agent_group_update(*, actor, group: AgentGroup, name: str, members) -> AgentGroup:
    """Rename the group and make `members` its members, each an active agent or head of its
    centre (ValidationError on the field otherwise, nothing changed)."""
    _check_head(actor, group.centre)
    group.name = _clean_group_name(group.centre, name, exclude_pk=group.pk)
    members = list(members)
    allowed = set(centre_agents(group.centre).filter(pk__in=[m.pk for m in members])
                  .values_list("pk", flat=True))
    strangers = [m for m in members if m.pk not in allowed]
    if strangers:
        raise ValidationError({"members": _(
            "%(name)s n'est pas agent du centre.") % {
                "name": strangers[0].get_full_name() or strangers[0].get_username()}})
    group.save(update_fields=["name"])
    group.members.set(members)
    for member in members:
        member.__dict__.pop("_centre_agent_groups", None)
    return group


@transaction.atomic
def agent_group_delete(*, actor, group: AgentGroup) -> None:
    """Delete the group. Its cases lose it (Case.agent_group is SET_NULL): the open ones go
    back to the centre's general queue; the routing rules naming it go with it."""
    _check_head(actor, group.centre)
    group.delete()


def agent_group_get_or_create(*, centre: Service, name: str, members=()) -> AgentGroup:
    """The centre's group of this name, created with `members` (seed data: the demo)."""
    group = AgentGroup.objects.filter(centre=centre, name__iexact=name).first()
    if group is None:
        group = AgentGroup.objects.create(centre=centre, name=name)
        group.members.set(members)
    return group
