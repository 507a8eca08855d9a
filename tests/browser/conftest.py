"""Browser tests: real chromium (Debian's, never a downloaded one) against pytest-django's
live server, with axe-core checks and screenshots.

- chromium missing: the tests are skipped ("chromium introuvable : apt-get install -y
  chromium"), except in CI (CI=true) where it is a failure; same for the axe-core file.
- Playwright's sync API keeps an asyncio loop running in the main thread, so Django refuses
  ORM calls from the test (SynchronousOnlyOperation). DJANGO_ALLOW_ASYNC_UNSAFE is set only
  while a browser test runs, and the Playwright fixtures live for this package only
  (pytest-playwright makes them session-wide), so the loop is gone before other tests run.
- Each test is transactional (the live server runs in another thread): the database is
  emptied after each one, so Wagtail's root page and default site (made by a migration)
  are put back before each test when missing.
"""

import json
import os
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserType, Page, Playwright, expect, sync_playwright

from conventions.demo_content import _field
from conventions.services import editorial_setup
from forms_catalog.models import ProcedureFormPage
from tests.factories import (
    ActivityFactory,
    CostCentreFactory,
    FinancialCentreFactory,
    TiersFactory,
)

from .plugin import (
    AXE_FILE,
    AXE_MISSING,
    CHROMIUM_MISSING,
    PA11Y_BIN,
    PA11Y_MISSING,
    SCREENSHOTS_DIR,
    chromium_path,
    in_ci,
)

PASSWORD = "mot-de-passe-des-tests-navigateur"
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 375, "height": 740}
# What a closed network needs: no sandbox (root in a container), no GPU, and nothing that
# phones home (updates, sync, safe-browsing lists, field trials).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--metrics-recording-only",
]

# axe-core findings that are not the portal's to fix, each with its reason, as
# (URL path prefix, rule id, CSS selector fragment of the only nodes excused).
AXE_EXCUSED: list[tuple[str, str, str]] = [
    # Wagtail's own admin: its "page published" message and the two buttons inside it fade
    # in, and axe measures their contrast mid-animation. Wagtail's markup and colours.
    ("/cms/", "color-contrast", ".success"),
    ("/cms/", "color-contrast", ".button-small.button-secondary"),
]


# --- skip / fail, and the async-unsafe switch --------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker("browser") and not chromium_path():
        if in_ci():
            pytest.fail(f"CI : {CHROMIUM_MISSING}", pytrace=False)
        pytest.skip(CHROMIUM_MISSING)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not item.get_closest_marker("browser"):
        yield
        return
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- Playwright, for this package only -------------------------------------------------------


@pytest.fixture(scope="package")
def playwright() -> Playwright:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name) -> BrowserType:
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def browser_type_launch_args():
    # Debian's chromium: `playwright install` (a browser download) is never needed.
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="package")
def launch_browser(browser_type, browser_type_launch_args):
    def launch(**kwargs) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser) -> Browser:
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args(live_server):
    # No viewport here: each person's context is given its own (desktop or 375 px).
    return {"base_url": live_server.url, "locale": "fr-FR",
            "timezone_id": "Europe/Paris", "accept_downloads": True}


# --- people -------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _wagtail_site(transactional_db):
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if not Site.objects.filter(is_default_site=True).exists():
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root"))
        home = root.add_child(instance=Page(title="Accueil", slug="home"))
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    # One quick hash per login (the default hasher costs ~0.5 s per password).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def log_in(new_context, a11y):
    """A browser of its own for `user`, logged in through the login page."""

    def open_for(user, *, viewport=DESKTOP, check_login_page=False) -> Page:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        context = new_context(viewport=viewport)
        page = context.new_page()
        page.goto(reverse("login"))
        if check_login_page:
            a11y(page, "connexion")
        page.get_by_label("Identifiant").fill(user.get_username())
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Bonjour")
        return page

    return open_for


# --- accessibility and screenshots ----------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str | None:
    if AXE_FILE.exists():
        return AXE_FILE.read_text(encoding="utf-8")
    return None


def _excused(path: str, rule: str, target: str) -> bool:
    return any(path.startswith(prefix) and rule == excused and fragment in target
               for prefix, excused, fragment in AXE_EXCUSED)


@pytest.fixture
def a11y(axe_source, pytestconfig):
    """Run axe-core on the page as it is; fail on any serious or critical violation."""
    checked = pytestconfig.__dict__.setdefault("_axe_pages", [])

    def check(page: Page, name: str) -> list:
        if axe_source is None:
            if in_ci():
                pytest.fail(f"CI : {AXE_MISSING}", pytrace=False)
            return []  # said once in the report header and the terminal summary
        # The page's Content-Security-Policy forbids inline scripts, so add_script_tag would
        # be refused. page.evaluate goes through the DevTools protocol, which the CSP does
        # not govern: no bypass_csp on the context, the page is tested with its real policy.
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source + "\n;undefined")
        results = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                                               html: n.html.slice(0, 300)}))}));
            }""")
        checked.append(name)
        path = page.evaluate("location.pathname")
        serious = []
        for violation in results:
            for node in violation["nodes"]:
                if (node["impact"] or violation["impact"]) not in ("serious", "critical"):
                    continue
                if _excused(path, violation["id"], node["target"]):
                    continue
                serious.append({"rule": violation["id"], "help": violation["help"], **node})
        assert not serious, f"axe-core, page « {name} » :\n" + json.dumps(
            serious, indent=1, ensure_ascii=False)
        return results

    return check


# HTML_CodeSniffer errors that are not the portal's to fix, each with its reason, as
# (URL path prefix, code fragment, context fragment). None today.
PA11Y_EXCUSED: list[tuple[str, str, str]] = []


@pytest.fixture
def pa11y(pytestconfig, tmp_path):
    """Run pa11y (its HTML_CodeSniffer runner, WCAG 2 AA, in Debian's chromium) on the
    page's address with the page's cookies (the session), or on its HTML as it stands
    (`html=True`, for a state an address does not give back); fail on any error.

    pa11y loads the page in a browser of its own: puppeteer is told where Debian's chromium
    is (chromeLaunchConfig) and never downloads one (PUPPETEER_SKIP_DOWNLOAD)."""
    checked = pytestconfig.__dict__.setdefault("_pa11y_pages", [])

    def check(page: Page, name: str, *, html: bool = False) -> list:
        if not PA11Y_BIN.exists():
            if in_ci():
                pytest.fail(f"CI : {PA11Y_MISSING}", pytrace=False)
            return []  # said in the report header and the terminal summary
        slug = "".join(c if c.isalnum() else "-" for c in name)
        target = page.url
        if html:
            # Relative addresses (styles, images) resolve against the live server.
            origin = page.evaluate("location.origin")
            source = page.content().replace("<head>", f'<head><base href="{origin}/">', 1)
            copy = tmp_path / f"pa11y-{slug}.html"
            copy.write_text(source, encoding="utf-8")
            target = copy.as_uri()
        cookies = page.context.cookies(page.url)
        config = {
            "chromeLaunchConfig": {"executablePath": chromium_path(), "args": CHROMIUM_ARGS},
            "runners": ["htmlcs"],
            "standard": "WCAG2AA",
            "timeout": 120_000,
            "includeNotices": False,
            "includeWarnings": False,
            "headers": ({"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in cookies)}
                        if cookies else {}),
        }
        config_file = tmp_path / f"pa11y-{slug}.json"
        config_file.write_text(json.dumps(config), encoding="utf-8")
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
        run = subprocess.run(
            [str(PA11Y_BIN), "--config", str(config_file), "--reporter", "json", target],
            capture_output=True, text=True, timeout=240, env=env, check=False)
        # pa11y exits 0 without issues, 2 with some; anything else is pa11y failing.
        assert run.returncode in (0, 2), (
            f"pa11y, page « {name} » : code {run.returncode}\n{run.stderr[-2000:]}")
        issues = json.loads(run.stdout or "[]")
        checked.append(name)
        path = page.evaluate("location.pathname")
        errors = [{key: issue.get(key) for key in ("code", "message", "selector", "context")}
                  for issue in issues
                  if issue.get("type") == "error" and not any(
                      path.startswith(prefix) and code in issue.get("code", "")
                      and fragment in (issue.get("context") or "")
                      for prefix, code, fragment in PA11Y_EXCUSED)]
        assert not errors, f"pa11y (HTML_CodeSniffer), page « {name} » :\n" + json.dumps(
            errors, indent=1, ensure_ascii=False)
        return issues

    return check


@pytest.fixture
def shot():
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> None:
        page.screenshot(path=SCREENSHOTS_DIR / f"{name}.png", full_page=True)

    return take


# Buttons whose label is cut by their box. DSFR draws a button with an icon class as an
# icon-only button (fixed width, text hidden) unless it is marked --icon-left/right (and its
# group --icon-left/right): a forgotten class leaves "Étap" on screen. The search bar's
# button and the header's menu and close buttons on a phone are icon-only by design (their
# label is their title).
CLIPPED_BUTTONS = """() => [...document.querySelectorAll('.fr-btn')]
    .filter(el => el.offsetParent !== null && !el.closest('.fr-search-bar')
                  && !el.matches('.fr-btn--menu, .fr-btn--close'))
    .filter(el => !/\\bfr-(icon|fi)-/.test(el.className)
                  || /fr-btn--icon-(left|right)/.test(el.className))
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => el.textContent.trim())"""


def assert_no_clipped_buttons(page: Page, name: str) -> None:
    clipped = page.evaluate(CLIPPED_BUTTONS)
    assert not clipped, f"page « {name} » : libellés de boutons tronqués {clipped}"


@pytest.fixture
def look(a11y, shot):
    """Check a page with axe-core, check no button label is cut, keep its screenshot."""

    def check(page: Page, name: str) -> None:
        a11y(page, name)
        assert_no_clipped_buttons(page, name)
        shot(page, name)

    return check


# --- data the journeys start from ------------------------------------------------------------


@pytest.fixture
def referentials(sp):
    return {
        "financial_centre": FinancialCentreFactory(service=sp, label="Centre financier Culture"),
        "cost_centre": CostCentreFactory(service=sp, label="Centre de coûts Patrimoine"),
        "activity": ActivityFactory(service=sp, label="Activité Informatique"),
        "supplier": TiersFactory(name="Bureautique de l'Est SAS"),
    }


@pytest.fixture
def catalogue(db):
    """The catalogue as editors publish it: the purchase request and a generic form."""
    editorial = editorial_setup()
    pages = []
    for title, kind in (("Demande d'achat", "purchase_request"),
                        ("Demande d'accès à Chorus", "generic")):
        # An ordonnateur validates what the agent's own delegation does not cover.
        fields = [] if kind == "purchase_request" else [_field("text", "Motif de la demande")]
        page = ProcedureFormPage(title=title, form_kind=kind, fields=fields,
                                 validation_required=kind == "purchase_request",
                                 intro="<p>Formulaire du catalogue de votre service.</p>")
        editorial.sections["catalogue"].add_child(instance=page)
        page.save_revision().publish()
        pages.append(page)
    return pages



def next_step(page: Page) -> None:
    page.get_by_role("button", name="Étape suivante").click()
