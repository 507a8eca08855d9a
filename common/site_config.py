"""django-dsfr's site configuration (the header's and footer's texts), read on every page:
from the cache, under a version its admin's saves bump."""

from django.db.models import Case, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from dsfr.models import DsfrConfig

from .versioned_cache import bump, cached, version_key

VERSION = version_key("dsfr", "config")


def site_config(language: str) -> DsfrConfig | None:
    """The configuration in `language`, else the first one, in one query when not cached
    (django-dsfr asked twice on every page when none is in the language)."""
    def read():
        preferred = Case(When(language=language, then=Value(0)), default=Value(1))
        return DsfrConfig.objects.order_by(preferred, "pk").first(), None

    return cached(f"dsfr:config:{language}", [VERSION], read)


@receiver([post_save, post_delete], sender=DsfrConfig)
def _config_changed(sender, **kwargs):
    bump([VERSION])
