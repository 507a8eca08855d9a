"""The decision letter on a 375 px phone: the requester finds the signed letter on the case
page, downloads it, and the page fits the screen and passes axe."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from cases import services as case_services
from cases.workflow import Action
from conventions.demo_content import _field
from conventions.services import editorial_setup
from decisions.services import decision_letter_issue
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import input_items

from .conftest import MOBILE
from .test_keyboard_and_small_screens import assert_fits_375

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def letter_case(sp, sp_agent, csp_agent, give_credential):
    editorial = editorial_setup()
    form = ProcedureFormPage(
        title="Demande d'accès à Chorus", form_kind="generic",
        fields=[_field("text", "Nom et prénom de l'agent")],
        acceptance_letter="<h2>Accès ouvert</h2><p>L'accès de <b>{{ champ:Nom et prénom de "
                          "l'agent }}</b> est ouvert (dossier {{ reference }}).</p>")
    editorial.sections["catalogue"].add_child(instance=form)
    form.save_revision().publish()
    give_credential(csp_agent)
    case = case_services.catalogue_draft_create(actor=sp_agent, service=sp, procedure=form)
    key = input_items(form.field_schema)[0]["key"]
    case = case_services.answers_record(case=case, actor=sp_agent,
                                        answers={key: "Camille <Lefèvre> & Fils"})
    for action, actor in ((Action.SUBMIT, sp_agent), (Action.CLAIM, csp_agent),
                          (Action.COMPLETE, csp_agent)):
        case = case_services.transition(case=case, action=action, actor=actor,
                                        comment="Accès ouvert.")
    # The task would do it after the commit; here it is issued at once, in a thread of its
    # own: pyHanko runs its own asyncio loop, Playwright's holds the main thread.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(decision_letter_issue, case=case).result() is not None
    return case


def test_the_requester_downloads_the_decision_letter_on_a_phone(log_in, look, letter_case,
                                                                 sp_agent):
    page = log_in(sp_agent, viewport=MOBILE)
    page.goto(letter_case.get_absolute_url())
    section = page.locator("#decision-letter")
    link = section.get_by_role("link", name="Courrier d'acceptation signé")
    expect(link).to_be_visible()
    expect(section).to_contain_text("Signé électroniquement par")
    assert_fits_375(page, "dossier avec courrier de décision")
    section.scroll_into_view_if_needed()
    look(page, "decision-letter")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == (
        f"courrier-acceptation-{letter_case.reference}.pdf")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
