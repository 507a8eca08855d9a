"""The versioned cache on each backend the portal runs with (process memory for the tests
and a development server, a shared directory for `make demo`; Redis in production has the
same API): a figure is served while its versions stand, recomputed after a bump or at its
expiry, and a bump made inside a transaction is made again when it commits."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from common import versioned_cache as vc

pytestmark = pytest.mark.django_db  # a bump is also registered for the commit


@pytest.fixture(params=["locmem", "file"])
def backend(request, settings, tmp_path):
    settings.CACHES = {"default": {
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "file": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(tmp_path / "cache")},
    }[request.param]}
    cache.clear()
    return request.param


def counter():
    calls = []

    def compute(until=None):
        calls.append(1)
        return len(calls), until

    return calls, compute


def test_a_figure_is_served_until_one_of_its_versions_is_bumped(backend):
    calls, compute = counter()
    versions = [vc.person_version(1), vc.service_version(7)]
    assert vc.cached("figure", versions, compute) == 1
    assert vc.cached("figure", versions, compute) == 1
    vc.bump([vc.service_version(8)])  # another service: nothing changes
    assert vc.cached("figure", versions, compute) == 1
    vc.bump([vc.service_version(7)])
    assert vc.cached("figure", versions, compute) == 2
    vc.bump([vc.person_version(1)])
    assert vc.cached("figure", versions, compute) == 3
    assert len(calls) == 3


def test_a_figure_stops_being_served_at_its_expiry_instant(backend):
    calls, compute = counter()
    now = timezone.now()
    until = now + timedelta(minutes=5)
    with mock.patch("django.utils.timezone.now", return_value=now):
        assert vc.cached("figure", [], lambda: compute(until)) == 1
    with mock.patch("django.utils.timezone.now", return_value=until - timedelta(microseconds=1)):
        assert vc.cached("figure", [], lambda: compute(until)) == 1
    with mock.patch("django.utils.timezone.now", return_value=until):
        assert vc.cached("figure", [], lambda: compute(until)) == 2


def test_an_evicted_version_never_comes_back_to_a_stored_stamp(backend):
    calls, compute = counter()
    key = vc.service_version(3)
    assert vc.cached("figure", [key], compute) == 1
    cache.delete(key)  # evicted
    assert vc.cached("figure", [key], compute) == 2
    vc.bump([key])
    assert vc.cached("figure", [key], compute) == 3


@pytest.mark.django_db(transaction=True)
def test_a_bump_inside_a_transaction_is_made_again_at_commit(backend):
    calls, compute = counter()
    key = vc.service_version(5)
    assert vc.cached("figure", [key], compute) == 1
    with transaction.atomic():
        vc.bump([key])
        # Another request reads, before the commit, the data as it was: stored under the
        # version bumped once.
        assert vc.cached("figure", [key], compute) == 2
    assert vc.cached("figure", [key], compute) == 3  # the commit's bump: read again
