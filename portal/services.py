"""Writes on organisations. Seed data and the admin go through these helpers."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Delegation, Membership, Service


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
    return membership


@transaction.atomic
def membership_revoke(*, user, service: Service, role: str) -> None:
    Membership.objects.filter(user=user, service=service, role=role).delete()
    if not Membership.objects.filter(user=user, service=service).exists():
        user.groups.remove(service.group)
    user.__dict__.pop("_portal_roles", None)
    user.__dict__.pop("_case_access", None)


def delegation_get_or_create(*, user, service: Service, ceiling, valid_from, valid_until=None):
    delegation, _ = Delegation.objects.get_or_create(
        user=user, service=service, valid_from=valid_from,
        defaults={"ceiling": ceiling, "valid_until": valid_until},
    )
    return delegation
