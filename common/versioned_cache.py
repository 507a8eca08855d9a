"""Figures computed from the database and kept in Django's cache under the versions of what
they were computed from.

Each thing a figure depends on (a person, a service) has a version in the cache. A figure is
stored with the versions it was read under, its *stamp*; it is served while every version is
unchanged and its expiry has not come, and recomputed otherwise. A write that can change a
figure bumps the versions it touches: at once, so that the writing request sees its own
change, and again once its transaction commits, so that a figure another request computed
from the data as it was before the commit is not served afterwards.

A version is a random value, not a counter: a bump is one blind write in every backend
(nothing to read, no lost update between two processes), and a version evicted and set again
never comes back to a value some stored figure carries.

The cache must be shared by every process that writes or reads (Redis in production, a
directory on the demo's machine: common.checks refuses, at deploy, a cache of
their own).
"""

import math
import secrets
from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

# Even with nothing to bump it, no figure is kept longer than this (seconds): the bound of
# what a write made outside the portal's code (a database console) would leave stale.
MAX_AGE = 15 * 60


def version_key(scope: str, ident) -> str:
    return f"v:{scope}:{ident}"


def person_version(user_id: int) -> str:
    return version_key("person", user_id)


def service_version(service_id: int) -> str:
    return version_key("service", service_id)


# The published pages (bumped by conventions.cache_versions on any change to the tree).
PAGE_TREE = version_key("pages", "tree")


def _fresh() -> str:
    return secrets.token_hex(8)


def _bump_now(keys: tuple[str, ...]) -> None:
    cache.set_many({key: _fresh() for key in keys}, timeout=None)


def bump(keys: Iterable[str]) -> None:
    """Changes the versions `keys`, now and when the current transaction commits."""
    keys = tuple(dict.fromkeys(keys))
    if not keys:
        return
    _bump_now(keys)
    transaction.on_commit(lambda: _bump_now(keys))


def _versions(keys: list[str], found: dict) -> tuple:
    missing = [key for key in keys if key not in found]
    if missing:
        # Never set, or evicted: whoever comes first sets it, and everyone reads that one.
        for key in missing:
            cache.add(key, _fresh(), timeout=None)
        found = {**found, **cache.get_many(missing)}
    return tuple(found.get(key) for key in keys)


def cached_for(user, name: str, compute: Callable[[], tuple[object, datetime | None]], *,
               service_ids: Iterable[int] = (), versions: Iterable[str] = ()):
    """cached() for a figure of one person's: stored per person, under their version, those
    of `service_ids` (the services whose rows it reads) and `versions`."""
    return cached(f"{name}:{user.pk}", [person_version(user.pk),
                                        *(service_version(pk) for pk in service_ids), *versions],
                  compute)


def cached(key: str, versions: list[str], compute: Callable[[], tuple[object, datetime | None]]):
    """The figure stored under `key` if its stamp still matches `versions`, else
    `compute()`'s, stored. `compute` returns (figure, the instant it stops being true, or
    None when only a write can change it)."""
    found = cache.get_many([key, *versions])
    stamp = _versions(versions, found)
    stored = found.get(key)
    if stored is not None:
        stored_stamp, until, figure = stored
        if stored_stamp == stamp and (until is None or timezone.now() < until):
            return figure
    figure, until = compute()
    timeout = MAX_AGE
    if until is not None:
        timeout = min(timeout, math.ceil((until - timezone.now()).total_seconds()))
    if timeout > 0:
        cache.set(key, (stamp, until, figure), timeout=timeout)
    return figure
