"""What bumps the cached figures' versions (common.versioned_cache) on the organisations' side:
a person's memberships and groups (their roles, the services whose cases they see), a
centre's agent groups and their members (the queue's « Mes groupes »). Receivers rather than
calls in portal.services: the Django and Wagtail admins write these rows too."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from common.versioned_cache import bump, person_version, service_version

from .models import AgentGroup, Membership, Service


@receiver([post_save, post_delete], sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    bump([person_version(instance.user_id)])


@receiver(m2m_changed, sender=get_user_model().groups.through)
def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action.startswith("post_"):
            bump([person_version(instance.pk)])
    elif action == "pre_clear":
        # From the group's side, a clear names no one: its members, read before they go.
        bump(person_version(pk) for pk in instance.user_set.values_list("pk", flat=True))
    elif action.startswith("post_"):
        bump(person_version(pk) for pk in pk_set or ())


@receiver(m2m_changed, sender=get_user_model().user_permissions.through)
def _personal_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action.startswith("post_") and not reverse:
        bump([person_version(instance.pk)])


@receiver(m2m_changed, sender=Group.permissions.through)
def _group_permissions_changed(sender, instance, action, reverse, **kwargs):
    # What the group's members may do (Wagtail's editors and approvers): all of them.
    if action.startswith("post_") and not reverse:
        bump(person_version(pk) for pk in instance.user_set.values_list("pk", flat=True))


@receiver(post_save, sender=get_user_model())
def _person_saved(sender, instance, **kwargs):
    # Active or not, superuser or not: what Django's permission checks read.
    bump([person_version(instance.pk)])


@receiver(post_save, sender=Service)
def _service_changed(sender, instance, **kwargs):
    # Its name and code, shown beside the figures cached with it.
    bump([service_version(instance.pk)])


@receiver([post_save, pre_delete], sender=AgentGroup)
def _agent_group_changed(sender, instance, **kwargs):
    # Its cases lose it when it goes (SET_NULL, no signal per case): the centre's figures.
    bump([service_version(instance.centre_id)])


@receiver(m2m_changed, sender=AgentGroup.members.through)
def _agent_group_members_changed(sender, instance, action, reverse, pk_set, model, **kwargs):
    if not action.startswith(("post_", "pre_clear")):
        return
    if reverse:
        # From the person's side (user.agent_groups.add(...)): that person's figures.
        bump([person_version(instance.pk)])
    else:
        bump([service_version(instance.centre_id)])
