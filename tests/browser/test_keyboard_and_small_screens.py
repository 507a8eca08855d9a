"""The wizard with the keyboard alone (Tab, Enter, Space), and the wizard, the case pages and
the restitutions on a 375 px wide phone."""

import re

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from cases.models import Case
from cases.workflow import State
from kinds.service_done.tests.test_services import draft, in_progress
from tests.fixtures import TINY_PDF

from .conftest import MOBILE, next_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page: Page, locator, limit: int = 120) -> None:
    """Press Tab until `locator` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} jamais atteint avec Tab")


def open_file_chooser(page: Page, attempts: int = 3):
    """Space on the focused file field opens the file chooser; pressed again if headless
    chromium missed the first press (seen once in CI, right after a page load)."""
    for attempt in range(1, attempts + 1):
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeoutError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def test_the_wizard_is_completed_with_the_keyboard_only(log_in, look, sp_agent, referentials):
    page = log_in(sp_agent)
    tab_to(page, page.get_by_role("link", name="Nouvelle demande d'achat").last)
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_label("Objet de la demande"))
    page.keyboard.type("Achat de fauteuils")
    for label in ("Centre financier", "Centre de coûts", "Activité"):
        select = page.get_by_label(label, exact=True)
        tab_to(page, select)
        page.keyboard.press("ArrowDown")  # a closed select changes value with the arrows
        expect(select).to_have_value(re.compile(r".+"))
    tab_to(page, page.get_by_role("button", name="Étape suivante"))
    page.keyboard.press("Enter")

    supplier = page.get_by_label(re.compile("Bureautique de l'Est SAS"))
    tab_to(page, supplier)
    page.keyboard.press("Space")
    expect(supplier).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Étape suivante"))
    page.keyboard.press("Enter")

    line = page.get_by_role("group", name="Ligne 1")
    tab_to(page, line.get_by_label("Libellé"))
    page.keyboard.type("Fauteuil")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("150")
    # Enter in a field goes forward (never "previous step" or "save and leave").
    page.keyboard.press("Enter")
    quote = page.get_by_label("Devis du fournisseur")
    expect(quote).to_be_visible()

    tab_to(page, quote)
    chooser = open_file_chooser(page)
    chooser.set_files(files=[{"name": "devis.pdf", "mimeType": "application/pdf",
                                    "buffer": TINY_PDF}])
    tab_to(page, page.get_by_role("button", name="Étape suivante"))
    page.keyboard.press("Enter")

    confirm = page.get_by_label(re.compile("Je certifie que les crédits"))
    tab_to(page, confirm)
    page.keyboard.press("Space")
    expect(confirm).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Déposer la demande"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/dossiers/\d+/$"))  # submitted: the case page
    case = Case.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    assert case.state == State.SUBMITTED  # 360 € TTC: within the agent's delegation
    assert case.purchase_request.lines.get().label == "Fauteuil"


def assert_fits_375(page: Page, name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"« {name} » : {width} px de large pour 375 px"


def test_the_wizard_and_the_case_page_fit_a_375_px_screen(log_in, look, sp_agent,
                                                          referentials, make_purchase_request):
    page = log_in(sp_agent, viewport=MOBILE)
    page.goto("/demandes/nouvelle/achat/")
    assert_fits_375(page, "assistant")
    look(page, "mobile-assistant-1-objet")
    page.get_by_label("Objet de la demande").fill("Achat de fauteuils")
    for label, key in (("Centre financier", "financial_centre"),
                       ("Centre de coûts", "cost_centre"), ("Activité", "activity")):
        page.get_by_label(label, exact=True).select_option(label=str(referentials[key]))
    button = page.get_by_role("button", name="Étape suivante")
    button.scroll_into_view_if_needed()
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"]
    next_step(page)
    expect(page.get_by_label(re.compile("Bureautique de l'Est SAS"))).to_be_attached()
    assert_fits_375(page, "assistant, fournisseur")
    look(page, "mobile-assistant-2-fournisseur")

    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    page.goto(case.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    assert_fits_375(page, "dossier")
    # The lines table scrolls inside its frame: its last column (the totals) stays reachable.
    total = page.get_by_role("row", name=re.compile("Total de la commande")).locator("td").last
    total.scroll_into_view_if_needed()
    box = total.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"]
    cancel = page.get_by_role("button", name="Annuler la demande")
    cancel.scroll_into_view_if_needed()
    expect(cancel).to_be_visible()
    look(page, "mobile-dossier")


def assert_tables_reachable(page: Page, name: str) -> None:
    """Every table's last column can be scrolled into the 375 px screen, not cut off."""
    tables = page.locator("main table")
    assert tables.count(), f"« {name} » : aucun tableau"
    for index in range(tables.count()):
        cell = tables.nth(index).locator("tr").first.locator("th, td").last
        cell.scroll_into_view_if_needed()
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= MOBILE["width"] + 1, (
            f"« {name} », tableau {index + 1} : dernière colonne hors de l'écran ({box})")


def test_the_statement_and_restitutions_tables_fit_a_375_px_screen(
        log_in, look, sp_agent, ordonnateur, csp_agent, csp_head, make_purchase_request):
    ej = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                               ordonnateur=ordonnateur).purchase_request
    statement = in_progress(draft(sp_agent, ej, "1"), sp_agent, ordonnateur, csp_agent)

    page = log_in(sp_agent, viewport=MOBILE)
    page.goto(statement.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text(statement.reference)
    assert_fits_375(page, "constatation du service fait")
    assert_tables_reachable(page, "constatation du service fait")
    look(page, "mobile-service-fait")

    page = log_in(csp_head, viewport=MOBILE)
    page.goto("/restitutions/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_fits_375(page, "restitutions")
    assert_tables_reachable(page, "restitutions")
    look(page, "mobile-restitutions")
