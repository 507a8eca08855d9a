"""The demo's steering login: `pilotage`, in the group « Pilotage » holding the permission to
steer every centre (the staffing page shows all the centres side by side). Idempotent: the
group, its permission and the account are checked on every seeding."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

GROUP = "Pilotage"
USERNAME = "pilotage"
# (login, role, scope) as --list-logins prints them.
LOGIN = (USERNAME, "Pilotage (dimensionnement de tous les centres)", "Tous les centres")


def seed_steering(*, users) -> object:
    """The group and the account; the password is the one every demo account shares (its
    hash is copied from another demo account, already checked by the seed)."""
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(Permission.objects.get(content_type__app_label="portal",
                                                 codename="steer_all_centres"))
    shared_hash = users["chef.csp"].password
    user, created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Agnès", "last_name": "Pilote",
                                     "email": "agnes.pilote@pilotage.example",
                                     "password": shared_hash})
    if not created and user.password != shared_hash:
        user.password = shared_hash
        user.save(update_fields=["password"])
    user.groups.add(group)
    return user
