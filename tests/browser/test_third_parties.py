"""In a real browser, an agent's and an editor's pages ask nothing of another site, and the
Content-Security-Policy each page carries (the portal's, or the CMS's own that keeps its
inline code) blocks nothing the page needs: no request to another host, no violation logged.

Wagtail once drew each editor's avatar from Gravatar (its e-mail address hashed, sent to a
third party on every CMS page) and its dashboard asked wagtail.org for the latest release.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page

from portal.models import Role
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page, live_server):
    """Requests to another host, and what the console says of the security policy."""
    own = urlsplit(live_server.url).netloc
    seen = {"foreign": [], "violations": []}
    page.context.on("request", lambda request: (
        urlsplit(request.url).scheme in ("http", "https")
        and urlsplit(request.url).netloc != own
        and seen["foreign"].append(request.url)))
    page.on("console", lambda message: (
        ("Content Security Policy" in message.text or "Permissions-Policy" in message.text
         or "Permissions policy" in message.text)
        and seen["violations"].append(message.text)))
    return seen


def test_the_cms_and_the_portal_talk_to_this_site_only(log_in, live_server, sp, shot):
    editor = get_user_model().objects.create_superuser(
        "redactrice", "redactrice@example.gouv.fr", "x", first_name="Rédactrice")
    agent = member(sp, Role.SP_AGENT, username="agente", email="agente@example.gouv.fr")
    home = Page.objects.get(depth=2)
    for user, paths in (
            (editor, ["/cms/", "/cms/pages/", f"/cms/pages/{home.pk}/edit/", "/cms/users/",
                      "/cms/account/", "/cms/images/"]),
            (agent, ["/", "/demandes/", "/documentation/recherche/?q=%22", "/compte/jeton-api/"])):
        page = log_in(user)
        seen = watch(page, live_server)
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            assert "gravatar" not in page.content().lower(), path
        shot(page, f"aucun-site-tiers-{user.username}")
        assert not seen["foreign"], (user.username, seen["foreign"])
        assert not seen["violations"], (user.username, seen["violations"])
