"""Login lock-out behind reverse proxies (TRUSTED_PROXY_COUNT).

django-axes locks a username for the address the failures came from. Without a trusted proxy
(0, the default) that address is the connecting one and X-Forwarded-For, which anybody can
write, is ignored: rotating it does not escape the lock. With trusted proxies, every request
connects from the last proxy: the address is the one the proxies wrote in X-Forwarded-For,
so two people behind the same proxy do not lock each other out, and a client writing its
own X-Forwarded-For entries (to pass for its victim) is still known by the address our proxy
appended.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from config.settings import client_address_settings

pytestmark = pytest.mark.django_db

PASSWORD = "un-mot-de-passe-solide"
PROXY = "10.0.0.1"
ATTACKER = "203.0.113.5"
COLLEAGUE = "198.51.100.7"


@pytest.fixture
def victim(sp_agent):
    sp_agent.set_password(PASSWORD)
    sp_agent.save()
    return sp_agent


def trusted_proxies(settings, count: int) -> None:
    for name, value in client_address_settings(count).items():
        setattr(settings, name, value)


def login(victim, password, **meta):
    return Client().post(reverse("login"), {"username": victim.username, "password": password},
                         **meta)


def lock_out(victim, **meta):
    """As many wrong passwords as the lock needs, from the address `meta` gives."""
    statuses = [login(victim, "faux", **meta).status_code
                for _ in range(django_settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429, statuses


def test_without_trusted_proxy_a_forged_forwarded_for_is_ignored(settings, victim):
    trusted_proxies(settings, 0)
    # Each attempt pretends to come from another address: still one connecting address.
    for attempt in range(django_settings.AXES_FAILURE_LIMIT):
        response = login(victim, "faux", REMOTE_ADDR=ATTACKER,
                         HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt + 1}")
    assert response.status_code == 429
    assert login(victim, PASSWORD, REMOTE_ADDR=ATTACKER,
                 HTTP_X_FORWARDED_FOR="192.0.2.200").status_code == 429
    # Someone else, connecting from elsewhere, is not locked out (even naming the attacker).
    assert login(victim, PASSWORD, REMOTE_ADDR=COLLEAGUE,
                 HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 302


def test_behind_one_proxy_two_clients_do_not_lock_each_other_out(settings, victim):
    trusted_proxies(settings, 1)
    lock_out(victim, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert login(victim, PASSWORD, REMOTE_ADDR=PROXY,
                 HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    # The attacker writes the colleague's address first: the proxy appends the real one.
    assert login(victim, PASSWORD, REMOTE_ADDR=PROXY,
                 HTTP_X_FORWARDED_FOR=f"{COLLEAGUE}, {ATTACKER}").status_code == 429
    # The colleague, through the same proxy, logs in.
    assert login(victim, PASSWORD, REMOTE_ADDR=PROXY,
                 HTTP_X_FORWARDED_FOR=COLLEAGUE).status_code == 302


def test_behind_two_proxies_the_client_is_the_entry_the_first_proxy_wrote(settings, victim):
    trusted_proxies(settings, 2)
    # Client -> proxy A (appends the client) -> proxy B (appends A) -> the portal.
    lock_out(victim, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{ATTACKER}, 10.0.0.2")
    assert login(victim, PASSWORD, REMOTE_ADDR=PROXY,
                 HTTP_X_FORWARDED_FOR=f"{COLLEAGUE}, 10.0.0.2").status_code == 302


def test_the_environment_variable_sets_the_trusted_proxies():
    # Unset (this test run): no trusted proxy, only the connecting address counts.
    assert django_settings.TRUSTED_PROXY_COUNT == 0
    assert django_settings.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)
    script = ("from django.conf import settings; import django; django.setup(); "
              "print(settings.AXES_IPWARE_META_PRECEDENCE_ORDER, "
              "settings.AXES_IPWARE_PROXY_COUNT)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
           "TRUSTED_PROXY_COUNT": "1", "SECRET_KEY": "x" * 50}
    output = subprocess.run([sys.executable, "-c", script], env=env, check=True,
                            cwd=django_settings.BASE_DIR, capture_output=True,
                            text=True).stdout.strip()
    assert output == "('HTTP_X_FORWARDED_FOR', 'REMOTE_ADDR') 0"
