"""Response headers and third parties (config.middleware.py, settings).

- Nothing an authenticated person sees may be cached: `Cache-Control: no-store` on every
  answer to a logged-in request or to an API token (cases, queue, exports, documents, the
  token page...), checked on named pages and on every parameterless URL of the site.
- A `Permissions-Policy` denying the browser's powerful features on every answer, whoever
  asks and whatever the status.
- An agent's browser talks to this site only: no Gravatar avatar nor any third-party
  resource in the CMS's pages, and every Content-Security-Policy (the portal's strict one,
  the CMS's and admin's with their inline code) names no other site.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from wagtail.models import Page

from cases.workflow import State
from tests.reliability.test_hostile_urls import PATTERNS, ROUTE_PARAMETER, describe

pytestmark = pytest.mark.django_db

DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid",
                   "midi", "display-capture")
# What a CSP source may be without naming another site.
OWN_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}


def assert_not_stored(response, url):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert "no-store" in directives, (url, response.status_code, response.get("Cache-Control"))


def assert_features_denied(response, url):
    policy = response.get("Permissions-Policy", "")
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in policy, (url, feature, policy)


def assert_no_third_party_in_csp(response, url):
    policy = response.get("Content-Security-Policy")
    assert policy, (url, "no Content-Security-Policy")
    for directive in policy.split(";"):
        name, *sources = directive.split()
        assert set(sources) <= OWN_SOURCES, (url, name, sources)


@pytest.fixture
def case(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)


def test_pages_with_cases_or_people_are_never_stored(client, case, sp_agent, csp_agent,
                                                     csp_head):
    attachment = case.attachments.first()
    pages = {
        sp_agent: [reverse("home"), reverse("cases:my_requests"), case.get_absolute_url(),
                   reverse("cases:my_requests_export", args=["csv"]),
                   reverse("documents:case_summary", args=[case.pk]),
                   reverse("documents:download", args=[attachment.pk]),
                   reverse("notifications:preferences"), reverse("api_token"),
                   reverse("purchases:new")],
        csp_agent: [reverse("cases:queue"), reverse("cases:queue_export", args=["csv"]),
                    reverse("cases:queue_export", args=["xlsx"]), case.get_absolute_url(),
                    reverse("api_token")],
        csp_head: [reverse("dashboards:restitutions")],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)
            assert_not_stored(response, url)
            assert_features_denied(response, url)


def test_the_api_with_a_token_is_never_stored(case, csp_agent):
    token = Token.objects.create(user=csp_agent)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    for url in ("/api/cases/", f"/api/cases/{case.pk}/", "/api/cases/?state=in_progress"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert_not_stored(response, url)
    # A refused token asked for private data too: nothing of the answer is kept either.
    refused = Client(HTTP_AUTHORIZATION="Token faux").get("/api/cases/")
    assert refused.status_code == 401
    assert_not_stored(refused, "/api/cases/ (bad token)")


def test_every_answer_to_a_logged_in_person_is_never_stored(client, case, csp_agent):
    """The rule, not a list: every parameterless URL of the site (the portal's, the API's,
    the CMS's, the admin's), whatever it answers."""
    client.force_login(csp_agent)
    urls = ["/" + describe(chain).replace("^", "").replace("$", "") for chain in PATTERNS
            if not ROUTE_PARAMETER.search(describe(chain)) and "(" not in describe(chain)
            and "." not in describe(chain).replace("export.", "")]
    assert len(urls) > 50
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert_not_stored(response, url)
        assert_features_denied(response, url)


def test_every_answer_denies_the_browser_features(client, case, sp_agent):
    anonymous = Client()
    answers = {
        "login": anonymous.get(reverse("login")),
        "404": anonymous.get("/nulle-part/"),
        "redirect to login": anonymous.get(reverse("cases:queue")),
        "api 401": anonymous.get("/api/cases/"),
        "wagtail api": anonymous.get("/api/v2/pages/"),
        "cms login": anonymous.get("/cms/login/"),
        "refused query": anonymous.get(reverse("content_search"), {"q": "\x00"}),
        "huge id": anonymous.get("/api/v2/pages/" + "9" * 23 + "/"),
    }
    for name, response in answers.items():
        assert_features_denied(response, name)
    assert answers["refused query"].status_code == 400
    assert answers["huge id"].status_code == 404


@pytest.fixture
def editor(db):
    # An e-mail address is what Wagtail would send to Gravatar.
    return get_user_model().objects.create_superuser("redactrice", "redactrice@example.gouv.fr",
                                                     "un-mot-de-passe-solide")


def cms_pages() -> list[str]:
    home = Page.objects.get(depth=2)
    return ["/cms/", "/cms/pages/", f"/cms/pages/{home.pk}/", f"/cms/pages/{home.pk}/edit/",
            "/cms/users/", "/cms/account/", "/cms/images/", "/cms/documents/",
            "/django-admin/", "/api/docs/"]


# Resources a browser loads by itself: src/srcset/poster, <link href>, CSS url(), and the
# URLs Wagtail's scripts fetch (data-…-url-value, e.g. its update check).
LOADED = re.compile(
    r"""(?:\b(?:src|srcset|poster)\s*=\s*["']?|<link\b[^>]*\bhref\s*=\s*["']?|url\(\s*["']?"""
    r"""|data-[\w-]*url[\w-]*\s*=\s*["']?)\s*((?:https?:)?//[^"'\s)>]+)""", re.I)


def test_the_cms_loads_nothing_from_another_site(client, editor):
    client.force_login(editor)
    for url in cms_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "gravatar" not in html.lower(), url
        # Wagtail's release check: its script would fetch the latest version from wagtail.org.
        assert "w-upgrade" not in html, url
        foreign = [m for m in LOADED.findall(html) if not m.split("//", 1)[1].startswith(
            "testserver")]
        assert not foreign, (url, foreign)
        assert_no_third_party_in_csp(response, url)
        assert_not_stored(response, url)


def test_no_content_security_policy_names_another_site(client, case, sp_agent):
    anonymous = Client()
    for url in (reverse("login"), "/nulle-part/", "/api/v2/pages/", "/cms/login/",
                "/django-admin/login/", reverse("content_search")):
        assert_no_third_party_in_csp(anonymous.get(url), url)
    client.force_login(sp_agent)
    for url in (reverse("home"), case.get_absolute_url(), reverse("cases:my_requests")):
        assert_no_third_party_in_csp(client.get(url), url)
