"""Hostile paths, query strings and cookies at every URL pattern of the site: never a 500.

The patterns come from the URL configuration itself (`get_resolver()`, walked recursively:
the portal's apps, the cases API, Wagtail's CMS, API v2 and page serving, Django's admin),
never from a hand-made list, so a new URL is attacked the day it is added.

- `test_every_url_pattern_survives_hostile_input`: every pattern, for an anonymous visitor,
  an SP agent and a CSP agent, with each path converter given hostile values in turn (ids
  of 23 digits or past 2**63; for the others quotes, NUL, broken %-escapes, Unicode, very
  long text) and a hostile query string each time (a lone `"` in a search, NUL bytes in
  `q`/`search`, huge numbers, forged cursors, broken escapes...), rotating through the list.
  Deterministic; about 4,000 requests.
- `test_random_hostile_requests_never_fail`: hypothesis draws the role, the pattern, the
  values of its converters and of its regular-expression parts, and a query string of
  known parameter names (and random ones) with hostile values; derandomized, bounded.
- The searches of the portal (content, Wagtail API, suppliers in the tiers and purchase
  wizards, « Mes demandes », the queue) take any printable text, and answer a French 400
  when it carries a control character (PostgreSQL refuses a NUL byte); a quoted word is
  still found (SQLite's FTS5 took a lone `"` for syntax).
- A cookie carrying a control character is treated as absent.

Run on SQLite (quotes in FTS5, integers past 64 bits) and on PostgreSQL (NUL bytes):
`DATABASE_URL=postgres://…/<name> pytest tests/reliability/test_hostile_urls.py`.
"""

import re
import string
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from cases.workflow import State

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "sp_agent", "csp_agent")
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

# Values put in place of a path converter, already as they travel in a URL.
HOSTILE_IDS = ["9" * 23, str(2**63), str(2**64), "0", "1", "2"]
HOSTILE_SEGMENTS = [
    "%22", "%27", "%00", "a%00b", "%0A", "%1B", "%7F", "%ZZ", "%", "%C3%28", "%FF%FE",
    "%E2%80%AE", "%F0%9F%98%80", "%EF%BF%BF", "..", "%2E%2E", "x" * 300, "%3Cscript%3E",
    "-1", "1e309", "9" * 23,
]
# The sweep gives each converter these (the random test draws from the whole lists above).
SWEEP_SEGMENTS = {"int": ["9" * 23, str(2**63), "1"],
                  "other": ["%22", "%00", "%ZZ", "%F0%9F%98%80%E2%80%AE", "x" * 300]}
# Whole query strings, raw: some are not even valid %-encoding.
HOSTILE_QUERIES = [
    "q=%22", "search=%22", "q=%00", "search=%00&q=%00", "q=a%00b&search=a%00b",
    "search=%22%22%22&search_operator=or", "search=%22&search_operator=%22",
    "page=" + "9" * 23, "page=-1&per_page=0", "cursor=cD0yMDI2", "cursor=%00",
    "limit=" + "9" * 23 + "&offset=" + "9" * 23, "limit=-1&offset=-1",
    "child_of=" + "9" * 23 + "&descendant_of=abc&ancestor_of=%22",
    "order=%22&fields=%22&type=%22", "fields=*,-id,%00&type=wagtailcore.Page",
    "html_path=%00&site=%22&locale=%22", "id=" + "9" * 23,
    "state=%22&kind=%22&sort=%22&service=%22", "tiers=" + "9" * 23 + "&assigned_to=-1",
    "due_from=9999-99-99&due_to=0000-00-00&amount_min=1e309&amount_max=NaN",
    "%", "%ZZ=%ZZ", "a=%FF%FE%FD", "&&==&", "=", "q=" + "x" * 5000, "next=%00",
    "next=https://example.com/", "q=%E2%80%AE%F0%9F%98%80", "%00=1", "service=%0D%0A",
]
# Each example is one or more requests: no shrinking (minutes), the failure names its URL.
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)
PARAMETER_NAMES = [
    "q", "search", "search_operator", "page", "cursor", "state", "kind", "sort", "order",
    "fields", "type", "limit", "offset", "child_of", "descendant_of", "ancestor_of",
    "html_path", "locale", "site", "id", "slug", "next", "service", "format", "mine",
    "overdue", "due_from", "due_to", "amount_min", "amount_max", "requesting_service",
    "assigned_to", "year", "month", "period", "centre", "step", "tiers", "p", "ordering",
]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(alphabet='"\'\x00\x01\x1b\x7f\u202e\u200b\ufeff\U0001f600*():^-+~<>&;%\\',
            max_size=12),
    st.text(alphabet=string.digits + "-.eE", max_size=30),
    st.sampled_from(["9" * 23, str(2**63), "-1", "NaN", "1e309", "", '"', "x" * 3000]),
)


def url_patterns() -> list[tuple]:
    """Every pattern, as the chain of its levels' patterns (RoutePattern or RegexPattern)."""
    found = []

    def walk(patterns, chain):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, (*chain, entry.pattern))
            else:
                found.append((*chain, entry.pattern))

    walk(get_resolver().url_patterns, ())
    return found


PATTERNS = url_patterns()


def describe(chain) -> str:
    return "".join(str(part) for part in chain)


def _route_parts(part: RoutePattern) -> list:
    """The route split into literal text and (converter, name) pairs."""
    route, parts, position = str(part), [], 0
    for match in ROUTE_PARAMETER.finditer(route):
        parts.append(route[position:match.start()])
        parts.append((match["converter"] or "str", match["name"]))
        position = match.end()
    parts.append(route[position:])
    return parts


def _literal(text: str) -> str:
    # A route's literal text travels %-encoded, as a browser sends it.
    return quote(text, safe="/")


def _minimal_match(part: RegexPattern) -> str:
    """The simplest text a regular-expression level matches (hypothesis' shrinker finds it)."""
    regex = part.regex.pattern
    return find(st.from_regex(regex, fullmatch=True), lambda _: True,
                settings=settings(database=None, derandomize=True))


def sweep_paths(chain) -> list[str]:
    """The chain's paths with each converter given every hostile value in turn (the others
    keep their first value): every value reaches every converter."""
    levels = []
    for part in chain:
        if isinstance(part, RoutePattern):
            levels.extend(_route_parts(part))
        else:
            levels.append(_literal(_minimal_match(part)))
    slots = [i for i, level in enumerate(levels) if isinstance(level, tuple)]

    def values(level):
        return SWEEP_SEGMENTS["int" if level[0] == "int" else "other"]

    base = [values(level)[0] if isinstance(level, tuple) else _literal(level)
            for level in levels]
    paths = ["/" + "".join(base)]
    for slot in slots:
        for value in values(levels[slot])[1:]:
            variant = list(base)
            variant[slot] = value
            paths.append("/" + "".join(variant))
    return paths


@st.composite
def random_paths(draw, chain) -> str:
    path = []
    for part in chain:
        if isinstance(part, RegexPattern):
            path.append(quote(draw(st.from_regex(part.regex.pattern, fullmatch=True)),
                              safe="/"))
            continue
        for level in _route_parts(part):
            if not isinstance(level, tuple):
                path.append(_literal(level))
            elif level[0] == "int":
                path.append(draw(st.one_of(
                    st.sampled_from(HOSTILE_IDS),
                    st.integers(min_value=0, max_value=2**80).map(str))))
            else:
                path.append(draw(st.one_of(
                    st.sampled_from(HOSTILE_SEGMENTS),
                    HOSTILE_TEXT.filter(bool).map(lambda text: quote(text, safe="")))))
    return "/" + "".join(path)


random_queries = st.one_of(
    st.sampled_from(HOSTILE_QUERIES),
    st.lists(st.tuples(st.one_of(st.sampled_from(PARAMETER_NAMES), HOSTILE_TEXT), HOSTILE_TEXT),
             max_size=4).map(urlencode),
)


@pytest.fixture
def world(make_purchase_request, sp_agent, csp_agent, csp_head):
    """Objects for the small ids to name (cases in several states, their tiers, Wagtail's
    pages), and a client per role."""
    cases = [make_purchase_request(sp_agent, state=state, agent=csp_agent)
             for state in (State.DRAFT, State.IN_PROGRESS, State.COMPLETED)]
    clients = {"anonymous": Client()}
    for role, user in (("sp_agent", sp_agent), ("csp_agent", csp_agent)):
        clients[role] = Client()
        clients[role].force_login(user)
    return {"cases": cases, "clients": clients}


def failure_of(client, url) -> str | None:
    """Why `url` failed (an exception or a 5xx), or None. Each request runs in a savepoint, so
    a database error (PostgreSQL's NUL) cannot hide the next ones."""
    try:
        with transaction.atomic():
            response = client.get(url)
    except Exception as exc:  # noqa: BLE001 — the failure is what the test reports
        return f"{url} -> {type(exc).__name__}: {str(exc)[:200]}"
    if response.status_code >= 500:
        return f"{url} -> {response.status_code}"
    return None


def test_every_url_pattern_survives_hostile_input(world):
    failures, requests = [], 0
    for role, client in world["clients"].items():
        for index, chain in enumerate(PATTERNS):
            paths = sweep_paths(chain)
            for number, path in enumerate(paths if len(paths) > 1 else paths * 2):
                # Each pattern and role gets other query strings: all of them are used.
                query = HOSTILE_QUERIES[(index * 3 + number + len(role)) % len(HOSTILE_QUERIES)]
                requests += 1
                failure = failure_of(client, f"{path}?{query}")
                if failure:
                    failures.append(f"[{role}: {describe(chain)}] {failure}")
    assert len(PATTERNS) > 300 and requests > 2 * len(ROLES) * len(PATTERNS)
    assert not failures, f"{len(failures)} of {requests} requests failed:\n" + "\n".join(
        failures[:40])


@settings(max_examples=300, deadline=None, derandomize=True, database=None, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
@given(data=st.data())
def test_random_hostile_requests_never_fail(world, data):
    role = data.draw(st.sampled_from(ROLES), label="role")
    chain = data.draw(st.sampled_from(PATTERNS), label="pattern")
    url = data.draw(random_paths(chain), label="path") + "?" + data.draw(random_queries,
                                                                         label="query")
    assert failure_of(world["clients"][role], url) is None


# --- the searches -----------------------------------------------------------------------------

CONTROL = st.text(alphabet="".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127])),
                  min_size=1, max_size=3)


def search_doors(world) -> list[tuple[str, str, str]]:
    """(role, path, parameter) of every search the portal offers."""
    draft = world["cases"][0]
    return [
        ("anonymous", reverse("content_search"), "q"),
        ("anonymous", "/api/v2/pages/", "search"),
        ("sp_agent", reverse("suppliers:new"), "q"),
        ("sp_agent", reverse("purchases:resume", args=[draft.pk]), "q"),
        ("sp_agent", reverse("cases:my_requests"), "q"),
        ("csp_agent", reverse("cases:queue"), "q"),
    ]


@settings(max_examples=25, deadline=None, derandomize=True, database=None, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(before=st.text(max_size=8), control=CONTROL, after=st.text(max_size=8))
def test_each_search_refuses_control_characters_in_french(world, before, control, after):
    text = before + control + after
    for role, path, parameter in search_doors(world):
        client = world["clients"][role]
        with transaction.atomic():
            response = client.get(path, {parameter: text})
        assert response.status_code == 400, (path, text)
        body = response.content.decode()
        assert "caractères de contrôle" in (response.json()["detail"] if path.startswith("/api/")
                                           else body), path


@settings(max_examples=40, deadline=None, derandomize=True, database=None, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), max_size=40)
       | st.sampled_from(['"', '""', '"a', 'a"b', "'", "*", "(", ")", "AND", "NOT", "a OR",
                          "NEAR(a b)", "a:b", "^a", "-a", "{a}", "\\", "%", "_"]))
def test_each_search_takes_any_printable_text(world, text):
    for role, path, parameter in search_doors(world):
        response = world["clients"][role].get(path, {parameter: text})
        assert response.status_code == 200, (path, text, response.content[:300])


def test_a_search_still_finds_pages(world):
    """Cleaning the text keeps the words: a quoted word is found, in the page and the API."""
    from wagtail.models import Page

    home = Page.objects.get(depth=2)
    home.title = "Convention de services partagés"
    home.save_revision().publish()
    page = Client().get(reverse("content_search"), {"q": '"Convention'})
    assert page.status_code == 200 and "Convention de services" in page.content.decode()
    api = Client().get("/api/v2/pages/", {"search": 'services"'})
    assert api.status_code == 200
    assert [item["title"] for item in api.json()["items"]] == [home.title]


@settings(max_examples=20, deadline=None, derandomize=True, database=None, phases=NO_SHRINK,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(["sessionid", "csrftoken", "messages", "django_language"]),
       before=st.text(alphabet=string.ascii_letters, min_size=8, max_size=40), control=CONTROL)
def test_a_cookie_with_control_characters_is_forgotten(world, name, before, control):
    """A quoted cookie's octal escape (`"…\\000"`) reaches Django as a NUL byte: the session's
    lookup on PostgreSQL failed on every page. Such a cookie is treated as absent."""
    for role, path in (("anonymous", reverse("login")), ("anonymous", reverse("home")),
                       ("anonymous", "/api/v2/pages/"), ("sp_agent", reverse("home"))):
        client = Client()
        if role != "anonymous":
            client.cookies = SimpleCookie({key: morsel.value for key, morsel
                                           in world["clients"][role].cookies.items()})
        client.cookies[name] = before + control
        with transaction.atomic():
            response = client.get(path)
        assert response.status_code in (200, 302), (path, name, response.status_code)


def test_ids_past_64_bits_name_nothing(world):
    """Every `<int:…>` of every app (the portal's, the cases API, Wagtail's, Django's): an id
    no database column can hold is a 404 (JSON in French for the APIs), whoever asks, before
    any view looks it up (SQLite raised OverflowError on a 23-digit catalogue id)."""
    checked = 0
    for chain in PATTERNS:
        levels = [level for part in chain
                  for level in (_route_parts(part) if isinstance(part, RoutePattern)
                                else [_minimal_match(part)])]
        if not any(isinstance(level, tuple) and level[0] == "int" for level in levels):
            continue
        path = "/" + "".join(("9" * 23 if level[0] == "int" else "x")
                             if isinstance(level, tuple) else _literal(level)
                             for level in levels)
        for role in ("anonymous", "sp_agent"):
            response = world["clients"][role].get(path)
            assert response.status_code == 404, (role, path, response.status_code)
            if path.startswith("/api/"):
                assert response.json()["detail"] == "Aucun élément ne porte ce numéro.", path
        checked += 1
    assert checked > 30
