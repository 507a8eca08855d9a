"""Conventions as Wagtail pages: the parameters the workflow reads, moderation, API, pages."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import WorkflowState

from cases import sla
from cases.workflow import State
from conventions.models import (
    AnnexPage,
    JobDescriptionPage,
    ProcedureSheetPage,
)
from conventions.selectors import convention_in_force
from conventions.services import editorial_setup
from documents.pdf.order_form import render_order_form
from tests.factories import PrescribingServiceFactory, UserFactory, member

PARIS = timezone.get_default_timezone()


def paris(*args) -> datetime:
    return timezone.make_aware(datetime(*args), PARIS)


# --- which convention applies -------------------------------------------------------------


def test_the_convention_in_force_is_chosen_by_parties_and_date(sp, csp, other_sp,
                                                               publish_convention):
    old = publish_convention(centre=csp, services=[sp], valid_from=date(2025, 1, 1),
                             valid_until=date(2025, 12, 31))
    current = publish_convention(centre=csp, services=[sp], valid_from=date(2026, 1, 1))
    neighbour = PrescribingServiceFactory(processing_centre=csp)

    assert convention_in_force(service=sp, centre=csp, on=date(2025, 6, 1)) == old
    assert convention_in_force(service=sp, centre=csp, on=date(2026, 6, 1)) == current
    assert convention_in_force(service=sp, centre=csp, on=date(2024, 6, 1)) is None
    # Not a party: neither a service of the same centre, nor another centre's service.
    assert convention_in_force(service=neighbour, centre=csp, on=date(2026, 6, 1)) is None
    assert convention_in_force(service=other_sp, centre=csp, on=date(2026, 6, 1)) is None


def test_a_draft_convention_is_not_in_force(sp, csp, publish_convention):
    publish_convention(centre=csp, services=[sp], live=False)
    assert convention_in_force(service=sp, centre=csp, on=date(2026, 6, 1)) is None


def test_submission_uses_the_conventions_delay_and_records_it(sp, csp, sp_agent, csp_agent,
                                                              publish_convention,
                                                              make_purchase_request):
    convention = publish_convention(centre=csp, services=[sp], delay_purchase_request=10)
    at = paris(2026, 3, 2, 9)  # a Monday

    case = make_purchase_request(sp_agent, amount="1200.00", state=State.SUBMITTED, at=at)

    assert case.convention == convention
    assert case.delay_working_days == 10
    assert case.due_at == sla.add_working_days(case.submitted_at, 10)


def test_without_a_convention_the_settings_delay_applies(sp_agent, settings,
                                                         make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED, at=paris(2026, 3, 2, 9))
    expected = settings.CASE_DELAYS_WORKING_DAYS["purchase_request"]
    assert case.convention is None and case.delay_working_days == expected
    assert case.due_at == sla.add_working_days(case.submitted_at, expected)


def test_editing_a_published_convention_never_moves_submitted_due_dates(
        sp, csp, sp_agent, publish_convention, make_purchase_request):
    convention = publish_convention(centre=csp, services=[sp], delay_purchase_request=5)
    before = make_purchase_request(sp_agent, state=State.SUBMITTED, at=paris(2026, 3, 2, 9))
    due = before.due_at

    convention.delay_purchase_request = 15
    convention.save_revision().publish()
    after = make_purchase_request(sp_agent, state=State.SUBMITTED, at=paris(2026, 3, 2, 10))

    before.refresh_from_db()
    assert before.due_at == due and before.delay_working_days == 5
    assert after.delay_working_days == 15


def test_the_order_form_prints_the_conventions_invoicing_identifiers(
        sp, csp, sp_agent, csp_agent, publish_convention, make_purchase_request):
    publish_convention(centre=csp, services=[sp], chorus_siret="13002100900019",
                       chorus_service_code="SFACT-CONVENTION")
    case = make_purchase_request(sp_agent, state=State.COMPLETED)
    content = render_order_form(case.purchase_request, signatory=None,
                                issued_at=timezone.now()).content
    assert b"SFACT-CONVENTION" in _uncompressed(content)


def _uncompressed(content: bytes) -> bytes:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(content))
    pages = reader.root["/Pages"]["/Kids"]
    return b"".join(page.get_object()["/Contents"].get_object().data for page in pages)


def test_a_convention_cannot_end_before_it_starts(sp, csp, publish_convention):
    page = publish_convention(centre=csp, services=[sp])
    page.valid_until = date(2025, 1, 1)
    with pytest.raises(Exception, match="fin de validité"):
        page.full_clean()


# --- moderation ---------------------------------------------------------------------------------


def test_an_editor_cannot_publish_a_convention_without_a_heads_approval(
        sp, csp, csp_head, editorial, publish_convention):
    editor = member(sp, "sp_agent", username="redacteur")
    editor.groups.add(editorial.editors)
    csp_head.groups.add(editorial.approvers)
    page = publish_convention(centre=csp, services=[sp], live=False)

    assert not page.permissions_for_user(editor).can_publish()
    assert page.permissions_for_user(editor).can_edit()
    workflow = page.get_workflow()
    assert workflow == editorial.workflow

    state = workflow.start(page, editor)
    page.refresh_from_db()
    assert not page.live and state.status == WorkflowState.STATUS_IN_PROGRESS
    task_state = state.current_task_state
    task = task_state.task.specific
    assert task.get_actions(page, editor) == []
    assert "approve" in [name for name, *_rest in task.get_actions(page, csp_head)]

    task_state.task.specific.on_action(task_state, csp_head, "approve")
    page.refresh_from_db()
    assert page.live


def test_editors_publish_procedure_sheets_themselves(sp, editorial):
    editor = member(sp, "sp_agent", username="redacteur")
    editor.groups.add(editorial.editors)
    sheet = ProcedureSheetPage(title="Demander un achat", slug="da", form_kind="purchase_request")
    editorial.sections["procedures"].add_child(instance=sheet)
    assert sheet.permissions_for_user(editor).can_publish()


def test_editorial_setup_is_idempotent(editorial):
    again = editorial_setup()
    assert again.workflow == editorial.workflow
    assert {p.pk for p in again.sections.values()} == {p.pk for p in editorial.sections.values()}
    assert again.workflow.workflow_tasks.count() == 1


# --- pages, search and API ----------------------------------------------------------------


@pytest.fixture
def content(sp, csp, editorial, publish_convention):
    convention = publish_convention(centre=csp, services=[sp], slug="convention",
                                    body=[("heading", "Article 1 — Objet"),
                                          ("commitment", {"party": "csp",
                                                          "text": "Certifier le service fait",
                                                          "delay": 3,
                                                          "unit": "working_days"})])
    annex = AnnexPage(title="Annuaire des correspondants", slug="annuaire",
                      body=[("paragraph", "<p>Correspondants du centre</p>")])
    convention.add_child(instance=annex)
    annex.save_revision().publish()
    job = JobDescriptionPage(title="Référent métier Chorus", slug="referent",
                             role="Référent métier Chorus", missions="<p>Assister</p>")
    editorial.sections["jobs"].add_child(instance=job)
    job.save_revision().publish()
    sheet = ProcedureSheetPage(title="Créer un fournisseur", slug="tiers", form_kind="tiers",
                               steps=[("step", {"title": "Contrôler le SIRET",
                                                "actor": "centre", "description": "",
                                                "delay": 2})])
    editorial.sections["procedures"].add_child(instance=sheet)
    sheet.save_revision().publish()
    return {"convention": convention, "annex": annex, "job": job, "sheet": sheet}


def test_public_pages_render_with_the_dsfr_layout(client, sp_agent, content):
    client.force_login(sp_agent)
    for page in content.values():
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert "fr-header" in html and page.title in html
    html = client.get(content["convention"].url).content.decode()
    assert "Le centre s'engage" in html and "délai : 3" in html
    assert "10 jours ouvrés" not in html and "5 jours ouvrés" in html


def test_search_finds_text_in_conventions_and_sheets(client, sp_agent, content):
    client.force_login(sp_agent)
    html = client.get("/documentation/recherche/", {"q": "fournisseur"}).content.decode()
    assert "Créer un fournisseur" in html
    html = client.get("/documentation/recherche/", {"q": "Convention"}).content.decode()
    assert content["convention"].title in html


@pytest.mark.parametrize("page_type, fields", [
    ("conventions.ConventionPage", {"centre_code", "service_codes", "valid_from", "parameters",
                                    "body", "version"}),
    ("conventions.AnnexPage", {"body"}),
    ("conventions.JobDescriptionPage", {"role", "missions", "skills"}),
    ("conventions.ProcedureSheetPage", {"form_kind", "steps"}),
])
def test_api_v2_lists_each_page_type_with_its_fields(client, content, page_type, fields):
    response = client.get("/api/v2/pages/", {"type": page_type, "fields": "*"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 1
    assert fields <= set(items[0])


def test_api_v2_exposes_the_conventions_parameters(client, sp, csp, content):
    response = client.get("/api/v2/pages/", {"type": "conventions.ConventionPage",
                                             "fields": "parameters,service_codes"})
    item = response.json()["items"][0]
    assert item["service_codes"] == [sp.code]
    parameters = item["parameters"]
    assert parameters["delays_working_days"]["tiers"] == 2
    assert parameters["delays_working_days"]["service_done"] == 3
    assert Decimal(parameters["purchasing_mission_threshold_ht"]) == Decimal("25000")
    assert parameters["chorus_siret"] == csp.chorus_siret


def test_published_pages_and_their_search_are_open_without_login(client, content):
    assert client.get(content["sheet"].url).status_code == 200
    html = client.get("/documentation/recherche/", {"q": "fournisseur"}).content.decode()
    assert "Créer un fournisseur" in html


# --- the site's home and the pages every State site must have -------------------------------


def _site_home():
    from wagtail.models import Site

    return Site.objects.get(is_default_site=True).root_page


def test_setup_turns_wagtails_welcome_page_into_a_french_home_once(db, client):
    from django.conf import settings
    from wagtail.models import Site

    from conventions.legal_content import HOME_TITLE, WAGTAIL_WELCOME_TITLE
    from conventions.models import HomePage

    before = _site_home()
    assert before.title == WAGTAIL_WELCOME_TITLE  # as Wagtail's installation leaves it
    editorial = editorial_setup()
    home = _site_home().specific
    # The same page (its permissions and history stay), now a home with French content.
    assert isinstance(home, HomePage) and home.pk == before.pk
    assert home.title == HOME_TITLE and home.live and home.intro
    assert Site.objects.get(is_default_site=True).site_name == settings.WAGTAIL_SITE_NAME
    assert {page.get_parent().pk for page in editorial.sections.values()} == {home.pk}

    html = client.get("/pages/").content.decode()
    assert "Welcome" not in html and HOME_TITLE in html
    for section in editorial.sections.values():
        assert section.title in html and section.url in html

    # An editor's title survives the next setup; the home is never duplicated.
    home.title = "Documentation des centres"
    home.save_revision().publish()
    editorial_setup()
    assert HomePage.objects.get().title == "Documentation des centres"


def test_the_cms_dashboard_is_titled_with_the_sites_name(client, sp, editorial):
    from django.conf import settings

    editor = member(sp, "sp_agent", username="redactrice")
    editor.groups.add(editorial.editors)
    client.force_login(editor)
    html = client.get("/cms/").content.decode()
    assert settings.WAGTAIL_SITE_NAME in html
    assert "localhost" not in html


def test_an_editors_home_leads_to_their_work(client, editorial, csp, sp, publish_convention):
    editor = member(sp, "sp_agent", username="redacteur")
    editor.groups.add(editorial.editors)
    no_service = UserFactory(username="redactrice-sans-service")
    no_service.groups.add(editorial.editors)
    convention = publish_convention(centre=csp, services=[sp], slug="convention")
    convention.summary = "Nouvelle version"
    convention.save_revision()

    for person in (editor, no_service):
        client.force_login(person)
        html = client.get("/").content.decode()
        assert 'href="/cms/"' in html
        assert f"/cms/pages/{convention.pk}/edit/" in html  # changes not yet published
        assert "rattaché à aucun service" not in html


def test_someone_without_service_nor_editing_rights_is_told_so(client, db):
    client.force_login(UserFactory(username="sans-rien"))
    html = client.get("/").content.decode()
    assert "rattaché à aucun service" in html and 'href="/cms/"' not in html


def test_the_mandatory_pages_exist_once_after_setup_and_keep_their_edits(editorial):
    from conventions.legal_content import LEGAL_PAGES
    from conventions.models import LegalPage

    assert set(editorial.legal_pages) == set(LEGAL_PAGES)
    edited = LegalPage.objects.get(slug="accessibilite")
    edited.footer_label = "Accessibilité : partiellement conforme"
    edited.save_revision().publish()
    again = editorial_setup()
    assert LegalPage.objects.live().count() == len(LEGAL_PAGES)
    assert {p.pk for p in again.legal_pages.values()} == {
        p.pk for p in editorial.legal_pages.values()}
    assert LegalPage.objects.get(slug="accessibilite").footer_label == (
        "Accessibilité : partiellement conforme")
    for page in LegalPage.objects.all():
        assert page.get_parent().pk == _site_home().pk and page.body


def _footer_links(html: str) -> dict[str, str | None]:
    from bs4 import BeautifulSoup

    footer = BeautifulSoup(html, "html.parser").select_one("footer .fr-footer__bottom-list")
    return {item.get_text(strip=True): (item.a["href"] if item.a else None)
            for item in footer.select("li")}


@pytest.mark.parametrize("path", ["/connexion/", "/pages/", "/documentation/recherche/"])
def test_the_footer_links_the_mandatory_pages_open_to_anyone(client, editorial, path):
    from conventions.legal_content import LEGAL_PAGES

    links = _footer_links(client.get(path).content.decode())
    assert list(links) == ["Accessibilité : non conforme", "Mentions légales",
                           "Données personnelles"]
    titles = [title for title, _label, _body in LEGAL_PAGES.values()]
    for (label, url), title in zip(links.items(), titles, strict=True):
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        assert f"<h1>{title}</h1>" in response.content.decode().replace("&#x27;", "'")


def test_the_footer_still_renders_without_the_pages(client, editorial):
    from conventions.models import LegalPage

    LegalPage.objects.get(slug="mentions-legales").unpublish()
    LegalPage.objects.get(slug="donnees-personnelles").delete()
    response = client.get("/connexion/")
    assert response.status_code == 200
    links = _footer_links(response.content.decode())
    assert links["Mentions légales"] is None and links["Données personnelles"] is None
    assert links["Accessibilité : non conforme"]


def test_an_editor_given_or_refused_the_admin_is_seen_at_once(db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from conventions.selectors import can_edit_content

    def fresh():
        return get_user_model().objects.get(pk=person.pk)

    person = get_user_model().objects.create_user("redactrice", password="x" * 20)
    group = Group.objects.create(name="Rédaction test")
    assert not can_edit_content(fresh())  # cached
    access = Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    group.permissions.add(access)
    fresh().groups.add(group)
    assert can_edit_content(fresh())
    group.permissions.remove(access)
    assert not can_edit_content(fresh())
    person.user_permissions.add(access)
    assert can_edit_content(fresh())
    person.is_active = False
    person.save()
    assert not can_edit_content(fresh())
