"""An editor's catalogue form in the Wagtail admin: the edit view with its report button, and
the preview of every step (in the side panel and full page), then « Tester la validation »
showing the errors without making a case."""

import pytest
from playwright.sync_api import expect

from cases import services as case_services
from cases.models import Case
from conventions.services import editorial_setup
from forms_catalog.models import ProcedureFormPage
from portal.models import Role
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def field(kind, label, *, required=True, help_text="", choices=None, show_if=("", "")):
    value = {"label": label, "help_text": help_text, "required": required,
             "show_if_field": show_if[0], "show_if_value": show_if[1]}
    if choices is not None:
        value["choices"] = choices
    return (kind, value)


FIELDS = [
    ("section", {"title": "La personne concernée"}),
    field("text", "Nom de l'agent", help_text="Tel qu'il figure dans l'annuaire."),
    field("choice", "Profil demandé", choices=["Gestionnaire", "Valideur", "Consultation"]),
    field("yes_no", "Formation suivie"),
    field("date", "Date de formation souhaitée", show_if=("Formation suivie", "non")),
    ("step_break", {"title": "Justification"}),
    ("explanation", {"text": "Joignez l'arrêté de délégation si vous en avez un."}),
    field("long_text", "Motif de la demande"),
    field("file", "Arrêté de délégation", required=False),
]


def test_an_editor_previews_a_form_and_tests_its_validation(log_in, look, shot, sp):
    editorial = editorial_setup()
    editor = member(sp, Role.SP_AGENT, username="redactrice", first_name="Rose",
                    last_name="Rédac")
    editor.groups.add(editorial.editors)
    page = ProcedureFormPage(title="Demande d'accès à Chorus", slug="acces-chorus",
                             fields=FIELDS, intro="<p>Pour obtenir un profil Chorus.</p>")
    page.services = [sp]
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    author = member(sp, Role.SP_AGENT, username="agent-brouillon")
    case_services.catalogue_draft_create(actor=author, service=sp, procedure=page)
    cases = Case.objects.count()

    # Tall enough for the whole edit form: the admin scrolls inside its own frame.
    cms = log_in(editor, viewport={"width": 1280, "height": 2600})
    cms.goto(f"/cms/pages/{page.pk}/edit/")
    expect(cms.get_by_role("heading", level=1)).to_contain_text(page.title)
    expect(cms.get_by_role("link", name="Dossiers en cours par révision")).to_have_count(1)
    shot(cms, "editor-form-page")

    # The side panel's preview renders the form (framed inside the admin).
    cms.locator('button[data-side-panel-toggle="preview"]').click()
    frame = cms.frame_locator("#w-preview-iframe")
    expect(frame.get_by_role("heading", level=1)).to_contain_text(page.title, timeout=15000)
    expect(frame.get_by_text("Affiché seulement si « Formation suivie » est égal à « non ».")
           ).to_be_visible()

    # Full page, as « Aperçu dans un nouvel onglet » shows it.
    cms.set_viewport_size({"width": 1280, "height": 900})
    cms.goto(f"/cms/pages/{page.pk}/edit/preview/?mode=")
    expect(cms.get_by_role("heading", level=1)).to_contain_text(page.title)
    expect(cms.get_by_text("Motif de la demande")).to_be_visible()
    look(cms, "editor-form-preview")

    cms.goto(f"/cms/pages/{page.pk}/edit/preview/?mode=validation")
    cms.locator("label", has_text="Oui").first.click()  # DSFR draws the box on the label
    cms.get_by_role("button", name="Tester la validation").click()
    expect(cms.get_by_text("3 champs à corriger", exact=False)).to_be_visible()
    # The hidden date is neither shown nor required once « oui » is chosen.
    expect(cms.get_by_label("Date de formation souhaitée")).to_be_hidden()
    shot(cms, "editor-form-preview-validation")
    assert Case.objects.count() == cases
