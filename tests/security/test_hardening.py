"""Hardening: Content-Security-Policy without inline script, login throttling with a French
message, CSRF on every form, session expiry, password rules, `check --deploy` clean."""

import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from cases.workflow import State

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_pages_carry_a_strict_csp_and_no_inline_script(client, make_purchase_request,
                                                       sp_agent, csp_agent, csp_head):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    pages = {
        sp_agent: [reverse("home"), reverse("cases:my_requests"), case.get_absolute_url(),
                   reverse("purchases:new"), reverse("suppliers:new"),
                   reverse("fixed_assets:list"), reverse("notifications:preferences"),
                   reverse("dashboards:restitutions"), reverse("service_done:year_end")],
        csp_agent: [reverse("cases:queue"), case.get_absolute_url(), reverse("api_token")],
        csp_head: [reverse("dashboards:restitutions"), reverse("cases:queue")],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            policy = response["Content-Security-Policy"]
            assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
            html = response.content.decode()
            assert not INLINE_SCRIPT.search(html), url
            assert not INLINE_HANDLER.search(html), (url, INLINE_HANDLER.search(html))


def test_the_login_is_throttled_with_a_french_message(db, sp_agent):
    sp_agent.set_password("un-mot-de-passe-solide")
    sp_agent.save()
    client = Client()
    url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": sp_agent.username, "password": "faux"})
        assert response.status_code == 200
    last = client.post(url, {"username": sp_agent.username, "password": "faux"})
    assert last.status_code == 429
    locked = client.post(url, {"username": sp_agent.username,
                               "password": "un-mot-de-passe-solide"})
    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in locked.content.decode()
    other = Client().post(url, {"username": "quelquun", "password": "faux"})
    assert other.status_code == 200  # another username is not locked


def test_a_successful_login_resets_the_count(db, sp_agent):
    sp_agent.set_password("un-mot-de-passe-solide")
    sp_agent.save()
    client = Client()
    url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": sp_agent.username, "password": "faux"})
    assert client.post(url, {"username": sp_agent.username,
                             "password": "un-mot-de-passe-solide"}).status_code == 302


def test_every_post_needs_the_csrf_token(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    client = Client(enforce_csrf_checks=True)
    client.force_login(csp_agent)
    response = client.post(reverse("cases:action", args=[case.pk, "claim"]),
                           {"version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


def test_sessions_expire_and_passwords_are_long():
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    lengths = [v.get("OPTIONS", {}).get("min_length") for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert 12 in lengths


def test_production_settings_pass_check_deploy(settings):
    # The test run only turns HTTPS redirection off (tests/env_defaults.py): production has it.
    settings.ALLOWED_HOSTS = ["portail.example.gouv.fr"]
    settings.SECURE_SSL_REDIRECT = True
    # As .ci/run and DEPLOY.md: Redis for the cache (not reached by the check).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:6379/0"}}
    call_command("check", deploy=True, fail_level="WARNING")


@pytest.mark.parametrize("backend", ["locmem.LocMemCache", "dummy.DummyCache"])
def test_check_deploy_refuses_a_cache_of_each_process(settings, backend):
    settings.ALLOWED_HOSTS = ["portail.example.gouv.fr"]
    settings.SECURE_SSL_REDIRECT = True
    settings.CACHES = {"default": {"BACKEND": f"django.core.cache.backends.{backend}"}}
    with pytest.raises(SystemCheckError, match="portal.E001"):
        call_command("check", deploy=True, fail_level="WARNING")


def test_check_deploy_accepts_a_cache_directory_of_the_machine(settings, tmp_path):
    settings.ALLOWED_HOSTS = ["portail.example.gouv.fr"]
    settings.SECURE_SSL_REDIRECT = True
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(tmp_path / "cache")}}
    call_command("check", deploy=True, fail_level="WARNING")
