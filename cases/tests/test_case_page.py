"""The case page as people read it: one heading per subject, the request's own facts before
the editor's extra fields, VAT rates that never wrap, an actions panel that accounts for every
action the page offers; and the catalogue cards of the portal's home page."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.urls import reverse

from cases import services as case_services
from cases.models import Case, CaseKind, PurchaseLine
from cases.workflow import State
from conventions.demo_content import _field
from conventions.services import editorial_setup
from forms_catalog.models import ProcedureFormPage

pytestmark = pytest.mark.django_db

# The French VAT rates (the only ones a line accepts).
VAT_RATES = [Decimal("0"), Decimal("2.10"), Decimal("5.50"), Decimal("10.00"), Decimal("20.00")]

URGENT = "Commande urgente ?"
REASON = "Motif de la demande"


def soup_of(client, case) -> BeautifulSoup:
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def headings(soup) -> list[str]:
    return [" ".join(h.get_text(" ").split()) for h in soup.find_all(re.compile("^h[1-6]$"))]


@pytest.fixture
def editorial(db):
    return editorial_setup()


def publish(editorial, title, kind, fields) -> ProcedureFormPage:
    page = ProcedureFormPage(title=title, form_kind=kind, fields=fields,
                             intro="<p>Formulaire du catalogue de votre service.</p>")
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    return ProcedureFormPage.objects.get(pk=page.pk)


def with_answers(case, page, answers_by_label: dict) -> Case:
    """The case as the wizard leaves it once the editor's fields are answered."""
    schema = page.field_schema
    keys = {item["label"]: item["key"] for step in schema["steps"] for item in step["items"]}
    case.extra = {**case.extra, "procedure_title": page.title, "schema": schema,
                  "answers": {keys[label]: value for label, value in answers_by_label.items()}}
    case.save(update_fields=["extra"])
    return case


@pytest.fixture
def da_with_extra_fields(editorial, make_purchase_request, sp_agent):
    page = publish(editorial, "Demande d'achat", "purchase_request",
                   [_field("yes_no", URGENT)])
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    return with_answers(case, page, {URGENT: "oui"})


# --- headings and order ---


def test_no_heading_is_repeated_and_the_request_facts_come_first(client, sp_agent,
                                                                 da_with_extra_fields):
    client.force_login(sp_agent)
    soup = soup_of(client, da_with_extra_fields)
    titles = headings(soup)
    assert len(titles) == len(set(titles)), titles
    assert titles.count("Demande d'achat") == 1, titles
    # The request's own facts (supplier, lines), then the editor's extra fields.
    assert titles.index("Demande d'achat") < titles.index("Informations complémentaires")
    page = str(soup)
    assert page.index("Fournisseur") < page.index(URGENT)


def test_a_generic_request_is_called_by_its_form_title(client, editorial, sp, sp_agent):
    page = publish(editorial, "Demande d'accès à Chorus", "generic", [_field("text", REASON)])
    case = case_services.case_draft_create(actor=sp_agent, service=sp, kind=CaseKind.GENERIC)
    with_answers(case, page, {REASON: "Prise de poste"})
    client.force_login(sp_agent)
    soup = soup_of(client, case)
    text = soup.get_text(" ")
    assert "Demande générique" not in text
    assert "Demande d'accès à Chorus" in text
    titles = headings(soup)
    assert len(titles) == len(set(titles)), titles
    assert "Prise de poste" in text


# --- the VAT column ---


@pytest.mark.parametrize("rate", VAT_RATES, ids=str)
def test_a_vat_rate_never_wraps_before_its_percent_sign(client, make_purchase_request, sp_agent,
                                                         rate):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    PurchaseLine.objects.filter(purchase_request=case.purchase_request).update(vat_rate=rate)
    client.force_login(sp_agent)
    page = client.get(case.get_absolute_url()).content.decode()
    cells = re.findall(r"<td[^>]*>([^<]*%)</td>", page)
    assert cells, "no VAT rate on the page"
    for cell in cells:
        assert re.fullmatch(r"[\d,.]+(&nbsp;|\u00a0)%", cell), cell


def test_no_case_template_puts_a_breaking_space_before_a_percent_sign():
    # The same rule for every template of the case pages and wizards: « 20 % » is written
    # with a no-break space, or the sign wraps alone onto the next line of a narrow cell.
    offenders = []
    for app in ("cases", "portal", "service_done", "suppliers", "fixed_assets", "forms_catalog",
                "documents"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.html"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"(\}\}|\d) %(?!\})", line):
                    offenders.append(f"{path}:{number}")
    assert not offenders, offenders


# --- the actions panel ---


def panel_of(soup) -> BeautifulSoup:
    return soup.find("aside", attrs={"aria-labelledby": "actions-title"})


def offered_elsewhere(soup) -> list[str]:
    """The actions the page offers outside the panel: buttons and button-styled links of the
    page's content (not the header's, nor the message thread's « Envoyer le message »)."""
    main = soup.find("main") or soup
    panel = panel_of(soup)
    thread = soup.find(id="messages")
    found = []
    for element in main.find_all(["a", "button"], class_="fr-btn"):
        if panel in element.parents or (thread is not None and thread in element.parents):
            continue
        found.append(" ".join(element.get_text(" ").split()))
    return found


def assert_panel_accounts_for_every_action(soup) -> None:
    panel = panel_of(soup)
    panel_text = " ".join(panel.get_text(" ").split())
    elsewhere = offered_elsewhere(soup)
    for label in elsewhere:
        assert label in panel_text, (label, panel_text)
    offered = panel.find_all(["a", "button"], class_="fr-btn")
    says_none = "Aucune action possible" in panel_text
    assert says_none == (not offered and not elsewhere), (panel_text, elsewhere)


@pytest.mark.parametrize("state", [State.DRAFT, State.AWAITING_VALIDATION, State.SUBMITTED,
                                   State.IN_PROGRESS, State.COMPLETED, State.REJECTED])
@pytest.mark.parametrize("viewer", ["sp_agent", "ordonnateur", "csp_agent"])
def test_the_actions_panel_accounts_for_every_action_offered(request, client, make_purchase_request,
                                                             sp_agent, ordonnateur, csp_agent,
                                                             state, viewer):
    # Above the agent's own ceiling (5,000 €): an ordonnateur validates.
    case = make_purchase_request(sp_agent, amount="20000.00", state=state, agent=csp_agent,
                                 ordonnateur=ordonnateur)
    client.force_login(request.getfixturevalue(viewer))
    response = client.get(case.get_absolute_url())
    if response.status_code == 404:  # not theirs to see yet (a draft, before the centre)
        assert state in (State.DRAFT, State.AWAITING_VALIDATION)
        return
    assert_panel_accounts_for_every_action(BeautifulSoup(response.content.decode(),
                                                         "html.parser"))


def test_an_sp_agent_declares_service_done_from_the_actions_panel(client, make_purchase_request,
                                                                  sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    client.force_login(sp_agent)
    soup = soup_of(client, case)
    panel = panel_of(soup)
    link = panel.find("a", string=re.compile("Déclarer un service fait"))
    assert link is not None, panel
    assert link["href"].startswith(reverse("service_done:new"))
    assert f"da={case.purchase_request.pk}" in link["href"]
    assert "Aucune action possible" not in panel.get_text()


# --- the home page's catalogue cards ---


def test_home_cards_show_the_title_first_and_no_internal_kind_label(client, editorial, sp,
                                                                    sp_agent):
    pages = [publish(editorial, "Demande d'achat", "purchase_request", []),
             publish(editorial, "Demande d'accès à Chorus", "generic", [_field("text", REASON)])]
    for page in pages:
        page.services = [sp]
        page.save_revision().publish()
    client.force_login(sp_agent)
    soup = BeautifulSoup(client.get(reverse("home")).content.decode(), "html.parser")
    cards = soup.select(".fr-card")
    assert len(cards) == len(pages)
    for card in cards:
        content = card.select_one(".fr-card__content")
        parts = [child for child in content.children if getattr(child, "name", None)]
        # DSFR orders a card's parts by class: the title (order 2) is drawn above the
        # description (fr-card__desc, order 3), and above any paragraph without a class
        # (order 0), so every part is a DSFR one and the title comes first.
        assert parts[0].get("class") == ["fr-card__title"], parts
        for part in parts[1:]:
            assert set(part.get("class") or []) & {"fr-card__desc", "fr-card__start",
                                                   "fr-card__end"}, part
            assert "fr-card__start" not in (part.get("class") or []), part
        text = card.get_text(" ")
        for internal in map(str, CaseKind.labels):
            if internal not in {page.title for page in pages}:
                assert internal not in text, (internal, text)
    assert "Demande générique" not in soup.get_text(" ")
