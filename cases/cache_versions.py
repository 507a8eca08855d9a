"""What bumps the cached figures' versions (common.versioned_cache) on the cases' side: any
write of a case changes the figures of its requesting service and of its centre (the queue's
tabs, the menu's badges); grants bump in cases.permissions._grant. Receivers rather than
calls in the services: the admin and the kinds' services save cases too. No code updates
cases in bulk (a QuerySet.update() would send no signal: test_cached_figures holds it)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from common.versioned_cache import bump, service_version

from .models import Case


def case_versions(case: Case) -> list[str]:
    return [service_version(pk) for pk in (case.requesting_service_id, case.processing_centre_id)
            if pk is not None]


@receiver([post_save, post_delete], sender=Case)
def _case_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump(case_versions(instance))
