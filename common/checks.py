"""`check --deploy`: the portal's processes need a cache they all share.

The cached figures (common.versioned_cache) and the sessions are invalidated by writing to
the cache. With a cache in each process's memory, a gunicorn worker would go on serving
counts, or a session, that another worker or the task worker (a process of its own in every
deployment: it signs, sends and transitions) had already changed or ended."""

import os

from django.conf import settings
from django.core.checks import Error, Tags, register

PROCESS_LOCAL = ("django.core.cache.backends.locmem.LocMemCache",
                 "django.core.cache.backends.dummy.DummyCache")


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    if settings.CACHES["default"]["BACKEND"] not in PROCESS_LOCAL:
        return []
    # gunicorn.conf.py reads the same variable, with the same default.
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    return [Error(
        f"Le cache est propre à chaque processus ({workers} workers web, WEB_CONCURRENCY, et "
        f"le worker des tâches) : les compteurs et les sessions divergeraient.",
        hint="Définir REDIS_URL (obligatoire dès que plusieurs processus ou nœuds servent), "
             "ou PORTAL_CACHE_DIR pour les processus d'une seule machine.",
        id="portal.E001")]
