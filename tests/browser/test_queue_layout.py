"""The centre's queue as its agents see it, on a 375 px phone and on a desktop: the real
geometry of the page (no sideways scrolling, the first case on the first screen, badges
inside their case, references on one line), the filters folded behind a disclosure that
works without JavaScript, the tabs telling which view is shown (aria-current and DSFR's
selected look), the bulk assignment above the list."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cases.workflow import State

from .conftest import DESKTOP, MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Where the first case may start, from the top of the page: on the first screen of either
# viewport (740 px on the phone, 900 px on the desktop), header and title included.
FIRST_CASE_LIMIT = {"mobile": MOBILE["height"], "desktop": 700}

GEOMETRY = """() => {
    const rows = [...document.querySelectorAll('main table tbody tr')];
    const box = el => { const r = el.getBoundingClientRect();
        return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right,
                width: r.width, height: r.height}; };
    const inside = (inner, outer) => inner.left >= outer.left - 1 && inner.right <= outer.right + 1
        && inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1;
    const badgesOutside = [];
    const referencesWrapped = [];
    for (const row of rows) {
        const rowBox = box(row);
        for (const badge of row.querySelectorAll('.fr-badge')) {
            if (!inside(box(badge), rowBox)) badgesOutside.push(badge.textContent.trim());
            // The cell holding the badge must not cut it either.
            const cell = badge.closest('td, th');
            if (cell && !inside(box(badge), box(cell))) {
                badgesOutside.push(badge.textContent.trim());
            }
        }
        const link = row.querySelector('a[href*="/dossiers/"]');
        if (link && link.getClientRects().length !== 1) referencesWrapped.push(link.textContent);
    }
    return {
        scrollWidth: document.documentElement.scrollWidth,
        firstCaseTop: rows.length ? box(rows[0]).top : null,
        rows: rows.length,
        badgesOutside, referencesWrapped,
    };
}"""


def geometry(page: Page) -> dict:
    return page.evaluate(GEOMETRY)


@pytest.fixture
def busy_queue(make_purchase_request, sp_agent, ordonnateur, csp_agent):
    """Eight cases of the centre: five waiting, three of them long overdue, and three in
    progress with an agent."""
    long_ago = timezone.now() - timedelta(days=40)
    cases = [make_purchase_request(sp_agent, state=State.SUBMITTED, at=long_ago)
             for _ in range(3)]
    cases += [make_purchase_request(sp_agent, state=State.SUBMITTED) for _ in range(2)]
    cases += [make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
              for _ in range(3)]
    return cases


def assert_layout(page: Page, name: str, viewport: str) -> dict:
    width = MOBILE["width"] if viewport == "mobile" else DESKTOP["width"]
    found = geometry(page)
    assert found["rows"], f"« {name} » : aucun dossier listé"
    assert found["scrollWidth"] <= width, (
        f"« {name} » : {found['scrollWidth']} px de large pour {width} px")
    assert found["firstCaseTop"] <= FIRST_CASE_LIMIT[viewport], (
        f"« {name} » : le premier dossier commence à {found['firstCaseTop']:.0f} px "
        f"(au plus {FIRST_CASE_LIMIT[viewport]} px)")
    assert not found["badgesOutside"], f"« {name} » : badges hors de leur dossier " + repr(
        found["badgesOutside"])
    assert not found["referencesWrapped"], (
        f"« {name} » : références coupées sur plusieurs lignes {found['referencesWrapped']}")
    return found


def assert_filters_folded(page: Page, name: str) -> None:
    """The advanced filters are behind a closed disclosure that opens with a click (a native
    <details>: no script needed), and the list's own filter button stays reachable."""
    advanced = page.get_by_label("Service prescripteur")
    expect(advanced).to_be_hidden()
    toggle = page.locator("main details > summary", has_text=re.compile("filtres", re.I)).first
    expect(toggle).to_be_visible()
    assert toggle.evaluate("el => el.parentElement.tagName") == "DETAILS", name
    toggle.click()
    expect(advanced).to_be_visible()
    toggle.click()
    expect(advanced).to_be_hidden()


def current_tab(page: Page):
    return page.get_by_role("navigation", name="Vues de la corbeille").locator(
        "a[aria-current='page']")


def assert_tab_marked(page: Page, label: str) -> None:
    tabs = page.get_by_role("navigation", name="Vues de la corbeille").get_by_role("link")
    expect(current_tab(page)).to_have_count(1)
    expect(current_tab(page)).to_contain_text(label)
    # DSFR's selected look: the current tab is drawn unlike the others, not only announced.
    looks = tabs.evaluate_all(
        "els => els.map(el => [el.getAttribute('aria-current'), "
        "getComputedStyle(el).backgroundColor, getComputedStyle(el).color])")
    current = [look[1:] for look in looks if look[0] == "page"]
    others = {tuple(look[1:]) for look in looks if look[0] != "page"}
    assert current and tuple(current[0]) not in others, looks


# Pixels between the end of the word « en » and the start of the format, in an export button.
GAP_BEFORE_FORMAT = """(button) => {
    const label = button.querySelector("span").firstChild;
    const words = label.textContent.trimEnd().length;
    const before = document.createRange();
    before.setStart(label, 0);
    before.setEnd(label, words);
    const format = document.createRange();
    format.selectNodeContents(button.querySelector("span").nextSibling);
    return format.getBoundingClientRect().left - before.getBoundingClientRect().right;
}"""


def test_the_queue_fits_a_375_px_phone_as_cards(log_in, a11y, shot, csp_agent, busy_queue):
    page = log_in(csp_agent, viewport=MOBILE)
    page.goto("/corbeille/")
    shot(page, "corbeille-375")
    found = assert_layout(page, "corbeille à 375 px", "mobile")
    assert found["rows"] == len(busy_queue)
    # Each case is a card: its cells stack, one under the other, full width.
    first = page.locator("main table tbody tr").first
    cells = first.locator("td").evaluate_all(
        "els => els.filter(el => el.offsetParent).map(el => el.getBoundingClientRect())"
        ".map(r => [r.left, r.top, r.width])")
    assert len({round(top) for _left, top, _width in cells}) == len(cells), cells
    # Every fact keeps its column's name beside it once the header row is hidden.
    shown = first.locator("td[data-label]").evaluate_all(
        "els => els.map(el => [el.dataset.label, getComputedStyle(el, '::before').content])")
    assert {label for label, _content in shown} >= {"Objet", "Montant TTC", "Échéance"}
    assert all(label in content for label, content in shown), shown
    expect(first).to_contain_text("En retard")
    assert_filters_folded(page, "corbeille à 375 px")
    assert_tab_marked(page, "En cours")
    a11y(page, "corbeille à 375 px")


def test_the_queue_on_a_desktop_marks_its_tab_and_keeps_the_list_high(
        log_in, a11y, shot, csp_head, busy_queue):
    page = log_in(csp_head, viewport=DESKTOP)
    page.goto("/corbeille/")
    shot(page, "corbeille-bureau")
    assert_layout(page, "corbeille sur un bureau", "desktop")
    # The default view is one of the tabs, and says so.
    assert_tab_marked(page, "En cours")
    expect(page.get_by_label("Recherche")).to_be_visible()
    assert_filters_folded(page, "corbeille sur un bureau")
    # Bulk assignment sits above the list, by the selection column.
    assign = page.get_by_role("button", name="Attribuer la sélection")
    table = page.locator("main table")
    assert assign.bounding_box()["y"] < table.bounding_box()["y"]
    # The export buttons show a space before the format: the button lays out its label and
    # the format as flex items, where a space ending the label was dropped ("Exporter enCSV").
    for fmt in ("csv", "xlsx"):
        gap = page.locator(f"a[href*='/corbeille/export.{fmt}']").evaluate(GAP_BEFORE_FORMAT)
        assert gap >= 2, f"export {fmt}: {gap:.1f} px between « Exporter en » and the format"
    a11y(page, "corbeille sur un bureau")

    page.get_by_role("navigation", name="Vues de la corbeille").get_by_role(
        "link", name=re.compile("^À traiter")).click()
    assert_tab_marked(page, "À traiter")
    # A search inside a tab keeps it current: the tab is the view being refined.
    page.get_by_label("Recherche").fill(busy_queue[0].reference)
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    assert_tab_marked(page, "À traiter")
    shot(page, "corbeille-bureau-a-traiter")
