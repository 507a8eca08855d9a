"""Accessibility rules the markup itself must keep, checked on the rendered pages and on the
sources (the browser tests run axe-core and HTML_CodeSniffer on top):

- no control submits its form on change (WCAG 3.2.2, failure F36), and every filter form has
  a real submit button (not one inside <noscript>);
- every skip link points at an element the page has, logged in or not;
- in the order-line tables every amount of the totals sits under its own column header, and
  every row spans exactly the header's columns;
- the templates stay readable: no line longer than 160 characters, and no case state or
  action spelled as a raw string (the pages read them from cases.workflow through tags)."""

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from cases.templatetags.case_tags import euros
from cases.tests.test_wizard import fill_until_summary, imputations, supplier  # noqa: F401
from cases.workflow import Action, State

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "node_modules", ".git", "staticfiles", "test-artifacts", "var"}


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content.decode(), "html.parser")


def project_files(*suffixes):
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS]
        for name in files:
            if name.endswith(suffixes):
                yield Path(folder) / name


# --- no submit on change --------------------------------------------------------------------

# Markup or script that sends a form when a field changes: an inline handler, the portal's old
# data-auto-submit marker, or a change/input listener whose file submits a form.
ON_CHANGE_MARKUP = re.compile(r"\bon(change|input)\s*=|data-auto-submit", re.I)
CHANGE_LISTENER = re.compile(r"""addEventListener\(\s*["'](change|input)["']""")
SUBMITS = re.compile(r"\.(submit|requestSubmit)\(")


def test_no_template_or_script_of_the_portal_submits_on_change():
    offenders = []
    for path in project_files(".html"):
        if ON_CHANGE_MARKUP.search(path.read_text(encoding="utf-8", errors="replace")):
            offenders.append(str(path.relative_to(ROOT)))
    for path in project_files(".js"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if ON_CHANGE_MARKUP.search(text) or (CHANGE_LISTENER.search(text)
                                             and SUBMITS.search(text)):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"envoi au changement de valeur (WCAG 3.2.2) : {offenders}"


# --- the templates' sources -------------------------------------------------------------------

MAX_TEMPLATE_LINE = 160


def test_no_template_line_is_longer_than_160_characters():
    offenders = [f"{path.relative_to(ROOT)}:{number} ({len(line)})"
                 for path in project_files(".html")
                 for number, line in enumerate(
                     path.read_text(encoding="utf-8").splitlines(), start=1)
                 if len(line) > MAX_TEMPLATE_LINE]
    assert not offenders, (
        f"lignes de gabarit de plus de {MAX_TEMPLATE_LINE} caractères : {offenders}")


WORKFLOW_VALUES = "|".join(sorted(map(re.escape, [*State.values, *Action.values]), key=len,
                                  reverse=True))
RAW_WORKFLOW_VALUE = re.compile(
    rf"""(==|!=)\s*["']({WORKFLOW_VALUES})["']|[?&](state|action)=({WORKFLOW_VALUES})\b""")


def test_no_template_spells_a_case_state_or_an_action():
    offenders = [f"{path.relative_to(ROOT)}:{number}"
                 for path in project_files(".html")
                 for number, line in enumerate(
                     path.read_text(encoding="utf-8").splitlines(), start=1)
                 if RAW_WORKFLOW_VALUE.search(line)]
    assert not offenders, f"état ou action écrits en dur dans un gabarit : {offenders}"


def assert_filter_forms_have_buttons(page: BeautifulSoup, name: str) -> None:
    forms = page.select("main form[method=get], #content form[method=get]")
    assert forms, f"« {name} » : aucun formulaire de filtre"
    for form in forms:
        assert not form.select("[onchange], [data-auto-submit]"), name
        buttons = [button for button in form.select("button, input[type=submit]")
                   if button.get("type", "submit") == "submit"
                   and not button.find_parent("noscript")]
        assert buttons, f"« {name} » : un formulaire de filtre sans bouton d'envoi"


def test_every_filter_form_has_its_own_submit_button(client, sp_agent, csp_agent,
                                                     make_purchase_request):
    make_purchase_request(sp_agent, state=State.SUBMITTED)
    client.force_login(sp_agent)
    for state in ("", State.SUBMITTED):
        assert_filter_forms_have_buttons(
            soup(client.get(reverse("cases:my_requests"), {"etat": state})), "Mes demandes")
    client.force_login(csp_agent)
    assert_filter_forms_have_buttons(soup(client.get(reverse("cases:queue"))), "corbeille")


# --- skip links -------------------------------------------------------------------------------


def assert_skip_links_land(page: BeautifulSoup, name: str) -> None:
    links = page.select(".fr-skiplinks a[href^='#']")
    assert links, f"« {name} » : pas de liens d'évitement"
    for link in links:
        target = link["href"][1:]
        assert page.find(id=target), f"« {name} » : le lien « {link.get_text()} » vise #{target}"


def test_skip_links_point_at_what_each_page_has(client, sp_agent, csp_agent,
                                                make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    for address in (reverse("login"), reverse("login") + "?next=/corbeille/"):
        assert_skip_links_land(soup(client.get(address)), f"anonyme {address}")
    for person, addresses in (
            (sp_agent, [reverse("home"), reverse("cases:my_requests"), case.get_absolute_url()]),
            (csp_agent, [reverse("home"), reverse("cases:queue"), case.get_absolute_url()])):
        client.force_login(person)
        for address in addresses:
            assert_skip_links_land(soup(client.get(address)), f"{person.username} {address}")
        client.logout()


# --- order-line tables --------------------------------------------------------------------------


def columns(row) -> list[tuple[object, int, int]]:
    """(cell, first column, span) for each cell of a table row."""
    cells, column = [], 0
    for cell in row.find_all(["th", "td"], recursive=False):
        span = int(cell.get("colspan", 1))
        cells.append((cell, column, span))
        column += span
    return cells


def amount(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d,-]", "", text).replace(",", "."))


def assert_totals_under_their_headers(table, expected: dict[str, Decimal], name: str) -> None:
    headers = [cell.get_text(" ", strip=True) for cell in table.thead.find_all("th")]
    for row in table.find_all("tr"):
        cells = columns(row)
        width = cells[-1][1] + cells[-1][2]
        assert width == len(headers), f"« {name} » : une ligne couvre {width} colonnes " \
            f"sur {len(headers)} : {row.get_text(' ', strip=True)}"
    # Headers in two directions (columns, and the totals' row): each cell names its own, as
    # HTML_CodeSniffer asks (H43), and names the right ones.
    column_ids = [cell.get("id") for cell in table.thead.find_all("th")]
    for row in table.tbody.find_all("tr") + table.tfoot.find_all("tr"):
        row_header = row.find("th", attrs={"scope": "row"})
        for cell, column, _span in columns(row):
            if cell.name != "td":
                continue
            expected_ids = {column_ids[column]} | ({row_header.get("id")} if row_header else set())
            assert None not in expected_ids and set(cell.get("headers", [])) == expected_ids, (
                f"« {name} » : {cell} devrait nommer {sorted(filter(None, expected_ids))}")
    foot = table.tfoot.find_all("tr")
    assert foot, name
    seen = {}
    for row in foot:
        cells = columns(row)
        label = cells[0][0]
        assert label.name == "th" and label.get("scope") == "row", (name, str(label))
        for cell, column, span in cells[1:]:
            assert cell.name == "td" and span == 1, (name, str(cell))
            seen[headers[column]] = amount(cell.get_text())
    assert seen == expected, f"« {name} » : montants sous les en-têtes {seen}, attendus {expected}"


@pytest.mark.parametrize("total", ["1200.00", "4999.99"])
def test_the_case_page_puts_each_total_under_its_column(client, sp_agent, make_purchase_request,
                                                        total):
    case = make_purchase_request(sp_agent, amount=total, state=State.SUBMITTED)
    request = case.purchase_request
    client.force_login(sp_agent)
    page = soup(client.get(case.get_absolute_url()))
    table = next(t for t in page.find_all("table")
                 if t.caption and "Lignes de commande" in t.caption.get_text())
    assert_totals_under_their_headers(table, {
        "Total HT": request.amount_ht, "TVA": request.amount_vat,
        "Total TTC": request.amount_ttc}, "dossier")
    # What the page writes is what the filter writes (not a figure found elsewhere).
    assert euros(request.amount_ttc) in table.tfoot.get_text()


def test_the_wizard_summary_puts_each_total_under_its_column(client, sp_agent, sp,
                                                             imputations, supplier):  # noqa: F811
    client.force_login(sp_agent)
    url = fill_until_summary(client, sp, supplier, lines=(
        ("Poste portable", "2", "500", "20.00"), ("Livre technique", "3", "10.00", "5.50")))
    page = soup(client.get(url))
    table = next(t for t in page.find_all("table") if t.tfoot)
    assert_totals_under_their_headers(table, {
        "Total HT": Decimal("1030.00"), "TVA": Decimal("201.65"),
        "Total TTC": Decimal("1231.65")}, "récapitulatif")
