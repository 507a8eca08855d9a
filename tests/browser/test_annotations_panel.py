"""The private annotations' panel on a case page, at 375 px, as the centre's agent fills it: the
conditional field appears when its condition holds, the save confirms, nothing overflows the
screen; the requester's page has no such panel. Screenshot: annotations-panel.png."""

import pytest
from playwright.sync_api import expect

from cases import services as case_services
from cases.workflow import Action
from conventions.services import editorial_setup
from demo.annotations import ANNOTATION_FIELDS, GAP, PROFILE_CHECKED, TICKET
from forms_catalog.models import CaseAnnotations, ProcedureFormPage
from forms_catalog.schema import input_items

from .conftest import MOBILE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Ancien profil encore actif"
SCROLL_WIDTH = "() => document.documentElement.scrollWidth"


@pytest.fixture
def claimed_case(sp, sp_agent, csp_agent):
    editorial = editorial_setup()
    page = ProcedureFormPage(title="Demande d'accès à Chorus", form_kind="generic",
                             fields=[("text", {"label": "Motif de la demande", "help_text": "",
                                               "required": True, "show_if_field": "",
                                               "show_if_value": ""})],
                             annotations=ANNOTATION_FIELDS)
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    page = ProcedureFormPage.objects.get(pk=page.pk)
    case = case_services.catalogue_draft_create(actor=sp_agent, service=sp, procedure=page)
    key = input_items(case.extra["schema"])[0]["key"]
    case = case_services.answers_record(case=case, actor=sp_agent,
                                        answers={key: "Nouvel arrivant"})
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    return case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)


def test_the_centre_fills_the_annotations_panel_at_375_px(log_in, look, claimed_case,
                                                          csp_agent, sp_agent):
    page = log_in(csp_agent, viewport=MOBILE)
    page.goto(claimed_case.get_absolute_url())
    panel = page.locator("section#annotations")
    expect(panel.get_by_role("heading", name="Annotations privées")).to_be_visible()
    expect(panel.get_by_text("Visibles du centre seulement")).to_be_visible()
    gap = panel.get_by_label(GAP)
    expect(gap).to_be_hidden()  # shown only when the profile was not checked

    panel.get_by_label(TICKET).fill("SNOW-2026-004512")
    panel.get_by_role("group", name=PROFILE_CHECKED).get_by_text("Non").click()
    expect(gap).to_be_visible()
    gap.fill(NOTE)
    panel.get_by_role("button", name="Enregistrer les annotations").click()

    expect(page.get_by_text("Annotations privées enregistrées.")).to_be_visible()
    panel = page.locator("section#annotations")
    expect(panel.get_by_text("Dernière modification par")).to_be_visible()
    expect(panel.get_by_label(GAP)).to_have_value(NOTE)
    assert page.evaluate(SCROLL_WIDTH) <= MOBILE["width"]
    panel.scroll_into_view_if_needed()
    look(page, "annotations-panel")
    record = CaseAnnotations.objects.get(case=claimed_case)
    assert record.version == 1 and NOTE in record.values.values()

    requester = log_in(sp_agent, viewport=MOBILE)
    requester.goto(claimed_case.get_absolute_url())
    expect(requester.locator("section#annotations")).to_have_count(0)
    assert NOTE not in requester.content()
