"""Catalogue ("generic") forms over HTTP, as an SP agent clicks through the wizard built from
the editors' fields: catalogue cards, steps, conditional fields, drafts, files, submission."""

import html
import itertools
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case
from cases.workflow import State
from conventions.services import editorial_setup
from documents.models import Attachment
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import input_items
from portal.models import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
HTML_AS_PDF = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
REQUIRED = "Ce champ est obligatoire."
TITLE = "Demande acces Chorus"
CONFIRMATION = "Le centre vous ecrit dans la journee."


def inp(kind, label, *, required=True, choices=None, show_if=None):
    value = {"label": label, "help_text": "", "required": required,
             "show_if_field": show_if[0] if show_if else "",
             "show_if_value": show_if[1] if show_if else ""}
    if choices is not None:
        value["choices"] = choices
    return (kind, value)


ACCESS_FIELDS = [
    ("section", {"title": "La personne"}),
    inp("text", "Nom de l agent"),
    inp("email", "Adresse electronique"),
    inp("yes_no", "Formation suivie"),
    inp("date", "Date de formation souhaitee", show_if=("Formation suivie", "non")),
    inp("amount", "Cout estime", required=False),
    ("step_break", {"title": "Justification"}),
    ("explanation", {"text": "Joignez l arrete de delegation si vous en avez un."}),
    inp("long_text", "Motif de la demande"),
    inp("file", "Arrete de delegation", required=False),
]


# --- pages -------------------------------------------------------------------------------------


@pytest.fixture
def editorial(db):
    return editorial_setup()


@pytest.fixture
def publish_form(editorial):
    numbers = itertools.count(1)

    def publish(fields=ACCESS_FIELDS, *, title=TITLE, services=(), **settings):
        page = ProcedureFormPage(title=title, slug=f"formulaire-{next(numbers)}",
                                 form_kind=settings.pop("form_kind", "generic"), fields=fields,
                                 **settings)
        page.services = list(services)
        editorial.sections["catalogue"].add_child(instance=page)
        page.save_revision().publish()
        return ProcedureFormPage.objects.get(pk=page.pk)

    return publish


@pytest.fixture
def access_form(publish_form, sp):
    return publish_form(services=[sp], confirmation_message=CONFIRMATION)


@pytest.fixture
def agent_client(client, sp_agent):
    client.force_login(sp_agent)
    return client


def new_url(page) -> str:
    return f"/catalogue/{page.pk}/nouvelle/"


def resume_url(case) -> str:
    return f"/demandes/{case.pk}/formulaire/"


def keys(schema) -> dict[str, str]:
    """Field key by label."""
    return {item["label"]: item["key"] for item in input_items(schema)}


def step(page_or_schema, name: str, **by_label) -> dict:
    """POST data of one step: `<step>-<block id>` for each labelled answer."""
    schema = (page_or_schema.field_schema if isinstance(page_or_schema, ProcedureFormPage)
              else page_or_schema)
    by_key = keys(schema)
    return {"generic-current_step": name,
            **{f"{name}-{by_key[label]}": value for label, value in by_label.items()}}


STEP_1 = {"Nom de l agent": "Camille Martin", "Adresse electronique": "camille@drac.gouv.fr",
          "Formation suivie": "non", "Date de formation souhaitee": "2026-05-04",
          "Cout estime": "350.00"}
STEP_2 = {"Motif de la demande": "Prise de poste au service financier"}


def case_from(response) -> Case:
    match = re.fullmatch(r"/demandes/(\d+)/formulaire/", response["Location"])
    assert match, response["Location"]
    return Case.objects.get(pk=match[1])


def start_with(client, page, **answers) -> Case:
    """Post a valid first step; returns the draft it created."""
    response = client.post(new_url(page), step(page, "etape-1", **answers))
    assert response.status_code == 302, response.content.decode()[:3000]
    return case_from(response)


def start(client, page, **overrides) -> Case:
    return start_with(client, page, **{**STEP_1, **overrides})


def pdf(name="arrete.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- the catalogue on the home page, and who may open a form -------------------------------


def test_the_home_page_shows_the_forms_open_to_the_service(agent_client, publish_form, sp,
                                                           other_sp):
    mine = publish_form(title="Demande de badge", services=[sp])
    everyone = publish_form(title="Demande de parking")
    publish_form(title="Demande reservee DREAL", services=[other_sp])

    page = agent_client.get("/").content.decode()

    assert "Faire une demande" in page
    assert "Demande de badge" in page and "Demande de parking" in page
    assert "Demande reservee DREAL" not in page
    assert f'href="{new_url(mine)}"' in page and f'href="{new_url(everyone)}"' in page


def test_the_centres_home_page_has_no_catalogue(client, csp_agent, access_form):
    client.force_login(csp_agent)
    page = client.get("/").content.decode()
    assert TITLE not in page and "Faire une demande" not in page


def test_a_form_reserved_to_another_service_is_not_found(client, access_form,
                                                         foreign_sp_agent, csp_agent):
    for user in (foreign_sp_agent, csp_agent):
        client.force_login(user)
        assert client.get(new_url(access_form)).status_code == 404
        assert client.post(new_url(access_form),
                           step(access_form, "etape-1", **STEP_1)).status_code == 404
    assert not Case.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, access_form):
    response = client.get(new_url(access_form))
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_unknown_unpublished_or_purchase_forms_are_not_found(agent_client, publish_form,
                                                             access_form):
    purchase = publish_form(title="Demande achat", form_kind="purchase_request", fields=[])
    assert agent_client.get(new_url(purchase)).status_code == 404
    access_form.unpublish()
    assert agent_client.get(new_url(access_form)).status_code == 404
    assert agent_client.get("/catalogue/999999/nouvelle/").status_code == 404


# --- a generic form end to end -----------------------------------------------------------------


def test_a_generic_form_end_to_end(agent_client, client, sp, sp_agent, csp_agent, access_form):
    response = agent_client.get(new_url(access_form))
    page = text_of(response)
    assert response.status_code == 200
    assert "La personne" in page and "Nom de l agent" in page and "Justification" in page
    assert not Case.objects.exists()  # opening a form creates nothing

    # The training date is required since the agent has not been trained: refused.
    incomplete = {**STEP_1}
    del incomplete["Date de formation souhaitee"]
    response = agent_client.post(new_url(access_form), step(access_form, "etape-1",
                                                            **incomplete))
    assert response.status_code == 200
    assert REQUIRED in text_of(response)

    response = agent_client.post(new_url(access_form), step(access_form, "etape-1", **STEP_1))
    assert response.status_code == 302
    case = case_from(response)
    url = resume_url(case)
    assert response["Location"] == url

    page = text_of(agent_client.get(url))
    assert "Motif de la demande" in page and "Joignez l arrete de delegation" in page
    response = agent_client.post(url, step(access_form, "etape-2", **STEP_2))
    assert response.status_code == 302 and response["Location"] == url

    summary = text_of(agent_client.get(url))
    for label, value in {**STEP_1, **STEP_2}.items():
        assert label in summary and value in summary

    response = agent_client.post(url, {"generic-current_step": "recapitulatif",
                                       "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.state == State.SUBMITTED  # no validation required by the page
    assert re.fullmatch(rf"DG-{sp.code}-\d{{4}}-000001", case.reference)
    by_label = keys(case.extra["schema"])
    assert case.extra["answers"] == {
        by_label["Nom de l agent"]: "Camille Martin",
        by_label["Adresse electronique"]: "camille@drac.gouv.fr",
        by_label["Formation suivie"]: "non",
        by_label["Date de formation souhaitee"]: "2026-05-04",
        by_label["Cout estime"]: "350.00",
        by_label["Motif de la demande"]: "Prise de poste au service financier",
    }
    assert str(case.amount) == "350.00"
    assert case.procedure_id == access_form.pk

    detail = agent_client.get(response["Location"])
    page = text_of(detail)
    messages = [str(m) for m in detail.context["messages"]]
    assert any(case.reference in m and "déposée" in m for m in messages)
    assert CONFIRMATION in messages
    assert CONFIRMATION in page
    assert TITLE in page
    for label, value in {**STEP_1, **STEP_2}.items():
        assert label in page and value in page

    client.force_login(csp_agent)
    queue = client.get("/corbeille/")
    assert queue.status_code == 200 and case.reference in queue.content.decode()
    assert client.get(case.get_absolute_url()).status_code == 200


def test_a_refused_first_step_leaves_no_orphan_draft(agent_client, sp_agent, access_form):
    incomplete = {**STEP_1, "Nom de l agent": ""}
    response = agent_client.post(new_url(access_form), step(access_form, "etape-1",
                                                            **incomplete))
    assert response.status_code == 200 and REQUIRED in text_of(response)
    start(agent_client, access_form)
    assert Case.objects.filter(created_by=sp_agent).count() == 1


def test_policy_sends_the_case_to_an_ordonnateur(client, publish_form, sp, ordonnateur):
    page = publish_form(validation_required=True)
    agent = member(sp, Role.SP_AGENT, username="agent_sans_delegation")
    client.force_login(agent)
    case = start(client, page)
    client.post(resume_url(case), step(page, "etape-2", **STEP_2))
    response = client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                              "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.state == State.AWAITING_VALIDATION and case.reference.startswith("DG-")
    messages = [str(m) for m in client.get(case.get_absolute_url()).context["messages"]]
    assert any("attend la validation" in m for m in messages)

    client.force_login(ordonnateur)
    assert case.reference in client.get("/").content.decode()


def test_the_summary_must_be_confirmed(agent_client, access_form):
    case = start(agent_client, access_form)
    agent_client.post(resume_url(case), step(access_form, "etape-2", **STEP_2))
    response = agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif"})
    assert response.status_code == 200
    assert "Cochez cette case pour déposer la demande." in text_of(response)
    case.refresh_from_db()
    assert case.state == State.DRAFT and not case.reference


def test_forging_the_summary_step_does_not_skip_the_form(agent_client, access_form):
    response = agent_client.post(new_url(access_form), {"generic-current_step": "recapitulatif",
                                                        "recapitulatif-confirm": "on"})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == resume_url(case)
    assert case.state == State.DRAFT and not case.reference
    page = agent_client.get(resume_url(case))
    assert any("Une étape est incomplète" in str(m) for m in page.context["messages"])
    assert "Nom de l agent" in text_of(page)


def test_a_form_without_questions_is_submitted_from_its_summary(agent_client, publish_form):
    page = publish_form([("explanation", {"text": "Aucune information a fournir."})],
                        title="Demande de rappel")
    assert agent_client.get(new_url(page)).status_code == 200
    # The explanation makes a step without fields: nothing to fill, on to the summary.
    case = case_from(agent_client.post(new_url(page), {"generic-current_step": "etape-1"}))
    assert "Aucune réponse saisie." in text_of(agent_client.get(resume_url(case)))
    response = agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                                    "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.state == State.SUBMITTED and case.extra["answers"] == {}
    assert case.amount == 0


# --- drafts ------------------------------------------------------------------------------------


def test_a_draft_saved_at_step_one_is_listed_and_resumes_with_the_typed_values(
        agent_client, sp_agent, access_form):
    response = agent_client.post(new_url(access_form), {
        **step(access_form, "etape-1", **{"Nom de l agent": "Camille Martin",
                                          "Adresse electronique": "pas-encore"}),
        "save_draft": "1"})

    assert response.status_code == 302 and response["Location"] == reverse("cases:my_requests")
    case = Case.objects.get(created_by=sp_agent)
    assert case.state == State.DRAFT and case.subject == TITLE
    listing = agent_client.get(response["Location"])
    assert f'href="{resume_url(case)}"' in listing.content.decode()
    assert any("Brouillon enregistré" in str(m) for m in listing.context["messages"])

    page = text_of(agent_client.get(resume_url(case)))
    assert 'value="Camille Martin"' in page and 'value="pas-encore"' in page
    # Nothing was validated yet: no answer is recorded, the step is still to be completed.
    assert case.extra["answers"] == {}


def test_going_back_keeps_what_was_typed_at_the_later_step(agent_client, access_form):
    case = start(agent_client, access_form)
    url = resume_url(case)
    response = agent_client.post(url, {**step(access_form, "etape-2",
                                               **{"Motif de la demande": "Motif provisoire"}),
                                       "wizard_goto_step": "etape-1"})
    assert response.status_code == 302 and response["Location"] == url
    page = text_of(agent_client.get(url))
    assert 'value="Camille Martin"' in page
    agent_client.post(url, step(access_form, "etape-1", **STEP_1))
    assert "Motif provisoire" in text_of(agent_client.get(url))


def test_a_forged_value_for_a_hidden_field_is_not_stored(agent_client, access_form):
    # Trained agent: the training date is hidden, yet a value is forged for it.
    case = start(agent_client, access_form, **{"Formation suivie": "oui",
                                               "Date de formation souhaitee": "2026-05-04"})
    agent_client.post(resume_url(case), step(access_form, "etape-2", **STEP_2))
    summary = text_of(agent_client.get(resume_url(case)))
    assert "Date de formation souhaitee" not in summary
    agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                         "recapitulatif-confirm": "on"})

    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    date_key = keys(case.extra["schema"])["Date de formation souhaitee"]
    assert case.extra["answers"].get(date_key) is None
    assert "2026-05-04" not in json.dumps(case.extra["answers"])
    page = text_of(agent_client.get(case.get_absolute_url()))
    assert "Date de formation souhaitee" not in page


def test_an_invalid_value_for_a_hidden_field_does_not_block(agent_client, access_form):
    case = start(agent_client, access_form, **{"Formation suivie": "oui",
                                               "Date de formation souhaitee": "x" * 10_000})
    page = text_of(agent_client.get(resume_url(case)))
    assert "Motif de la demande" in page  # step 2: the first step was accepted


@pytest.mark.parametrize("how", ["hidden-field", "save-draft"])
def test_a_nul_byte_in_a_posted_field_never_breaks_the_draft(agent_client, access_form, how):
    if how == "hidden-field":
        data = step(access_form, "etape-1", **{**STEP_1, "Formation suivie": "oui",
                                               "Date de formation souhaitee": "\x00" * 50})
    else:
        data = {**step(access_form, "etape-1", **{"Nom de l agent": "Camille\x00Martin"}),
                "save_draft": "1"}
    response = agent_client.post(new_url(access_form), data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert "\x00" not in json.dumps(case.extra) and case.state == State.DRAFT


def test_answers_are_escaped_on_the_summary_and_the_case_page(agent_client, access_form):
    case = start(agent_client, access_form, **{"Nom de l agent": "<b>Camille</b>"})
    agent_client.post(resume_url(case), step(access_form, "etape-2", **{
        "Motif de la demande": "<script>alert(1)</script>\nSeconde ligne"}))
    summary = agent_client.get(resume_url(case)).content.decode()
    assert "&lt;b&gt;Camille&lt;/b&gt;" in summary and "<b>Camille</b>" not in summary
    agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                         "recapitulatif-confirm": "on"})
    page = agent_client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Seconde ligne" in page


def test_an_edited_page_does_not_change_a_draft_already_started(agent_client, access_form):
    case = start(agent_client, access_form)
    old_schema = case.extra["schema"]

    page = ProcedureFormPage.objects.get(pk=access_form.pk)
    raw = [dict(block) for block in page.fields.raw_data]
    raw.insert(2, {"type": "text", "value": {"label": "Service employeur", "help_text": "",
                                             "required": True, "show_if_field": "",
                                             "show_if_value": ""}})
    raw.append({"type": "siret", "value": {"label": "SIRET du prestataire", "help_text": "",
                                           "required": True, "show_if_field": "",
                                           "show_if_value": ""}})
    page.fields = json.dumps(raw)
    page.save_revision().publish()
    assert "Service employeur" in keys(ProcedureFormPage.objects.get(pk=page.pk).field_schema)

    url = resume_url(case)
    current = text_of(agent_client.get(url))
    assert "Motif de la demande" in current and "SIRET du prestataire" not in current
    response = agent_client.post(url, step(old_schema, "etape-2", **STEP_2))
    assert response.status_code == 302
    first = text_of(agent_client.post(url, {"generic-current_step": "recapitulatif",
                                            "wizard_goto_step": "etape-1"}, follow=True))
    assert "Nom de l agent" in first and "Service employeur" not in first
    agent_client.post(url, step(old_schema, "etape-1", **STEP_1))
    agent_client.post(url, step(old_schema, "etape-2", **STEP_2))
    summary = text_of(agent_client.get(url))
    assert "Service employeur" not in summary and "SIRET du prestataire" not in summary
    response = agent_client.post(url, {"generic-current_step": "recapitulatif",
                                       "recapitulatif-confirm": "on"})

    case.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.state == State.SUBMITTED
    assert case.extra["schema"] == old_schema
    assert set(case.extra["answers"]) == set(keys(old_schema).values()) - {
        keys(old_schema)["Arrete de delegation"]}
    # A new draft takes the new page.
    fresh = agent_client.post(new_url(access_form), step(page, "etape-1", **STEP_1))
    assert fresh.status_code == 200 and REQUIRED in text_of(fresh)


# --- files -------------------------------------------------------------------------------------


def test_a_valid_file_becomes_an_attachment_of_the_draft(agent_client, sp_agent, access_form):
    case = start(agent_client, access_form)
    url = resume_url(case)
    response = agent_client.post(url, {
        **step(access_form, "etape-2", **STEP_2),
        f"etape-2-{keys(access_form.field_schema)['Arrete de delegation']}": pdf()})

    assert response.status_code == 302 and response["Location"] == url
    attachment = Attachment.objects.get(case=case)
    assert attachment.original_name == "arrete.pdf" and attachment.uploaded_by == sp_agent
    assert "arrete.pdf" in text_of(agent_client.get(url))

    agent_client.post(url, {"generic-current_step": "recapitulatif",
                            "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    file_key = keys(case.extra["schema"])["Arrete de delegation"]
    assert case.extra["answers"][file_key] == {"attachment": attachment.pk,
                                               "name": "arrete.pdf"}
    assert "arrete.pdf" in text_of(agent_client.get(case.get_absolute_url()))


def test_html_disguised_as_pdf_is_never_stored(agent_client, access_form):
    case = start(agent_client, access_form)
    url = resume_url(case)
    file_field = f"etape-2-{keys(access_form.field_schema)['Arrete de delegation']}"
    agent_client.post(url, {**step(access_form, "etape-2", **STEP_2),
                            file_field: pdf("arrete.pdf", HTML_AS_PDF)})

    assert not Attachment.objects.filter(case=case).exists()
    agent_client.post(url, {"generic-current_step": "recapitulatif",
                            "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    file_key = keys(case.extra["schema"])["Arrete de delegation"]
    assert case.extra["answers"].get(file_key) is None
    assert not Attachment.objects.filter(case=case).exists()


def test_html_disguised_as_pdf_shows_an_error_and_stays_on_the_step(agent_client, access_form):
    case = start(agent_client, access_form)
    url = resume_url(case)
    file_field = f"etape-2-{keys(access_form.field_schema)['Arrete de delegation']}"
    response = agent_client.post(url, {**step(access_form, "etape-2", **STEP_2),
                                       file_field: pdf("arrete.pdf", HTML_AS_PDF)})
    assert response.status_code == 200
    assert "ne correspond pas à son extension" in text_of(response)
    assert not Attachment.objects.filter(case=case).exists()


def test_a_file_for_a_hidden_field_is_not_stored(agent_client, publish_form):
    page = publish_form([inp("yes_no", "Delegation de signature"),
                         inp("file", "Arrete", show_if=("Delegation de signature", "oui"))],
                        title="Demande avec piece")
    file_field = f"etape-1-{keys(page.field_schema)['Arrete']}"
    response = agent_client.post(new_url(page), {
        **step(page, "etape-1", **{"Delegation de signature": "non"}), file_field: pdf()})
    assert response.status_code == 302
    case = case_from(response)
    assert not Attachment.objects.filter(case=case).exists()
    agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                         "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    assert case.extra["answers"].get(keys(page.field_schema)["Arrete"]) is None


def test_a_required_file_already_attached_need_not_be_sent_again(agent_client, publish_form):
    page = publish_form([inp("text", "Objet"), ("step_break", {"title": "Piece"}),
                         inp("file", "Justificatif")], title="Demande avec justificatif")
    case = start_with(agent_client, page, **{"Objet": "Badge"})
    url = resume_url(case)
    file_field = f"etape-2-{keys(page.field_schema)['Justificatif']}"
    response = agent_client.post(url, step(page, "etape-2"))
    assert response.status_code == 200 and REQUIRED in text_of(response)
    assert agent_client.post(url, {**step(page, "etape-2"), file_field: pdf()}
                             ).status_code == 302
    # Back to the file step, then on again without a new file: the attachment counts.
    agent_client.post(url, {"generic-current_step": "recapitulatif",
                            "wizard_goto_step": "etape-2"})
    assert "Fichier déjà joint : arrete.pdf" in text_of(agent_client.get(url))
    assert agent_client.post(url, step(page, "etape-2")).status_code == 302
    agent_client.post(url, {"generic-current_step": "recapitulatif",
                            "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    assert Attachment.objects.filter(case=case).count() == 1


# --- whose draft, and what once it is submitted ---------------------------------------------


def test_someone_elses_draft_is_not_found(client, agent_client, sp, access_form,
                                          foreign_sp_agent, csp_agent, ordonnateur):
    case = start(agent_client, access_form)
    colleague = member(sp, Role.SP_AGENT, ceiling="5000", username="collegue")
    for user in (colleague, ordonnateur, foreign_sp_agent, csp_agent):
        client.force_login(user)
        assert client.get(resume_url(case)).status_code == 404, user
        response = client.post(resume_url(case), {
            **step(access_form, "etape-2", **{"Motif de la demande": "Pris en main"}),
            "save_draft": "1"})
        assert response.status_code == 404, user
    case.refresh_from_db()
    assert "Pris en main" not in json.dumps(case.wizard_state)
    assert case.state == State.DRAFT


def test_a_submitted_cases_wizard_redirects_to_the_case(agent_client, access_form):
    case = start(agent_client, access_form)
    agent_client.post(resume_url(case), step(access_form, "etape-2", **STEP_2))
    agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                         "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    version = case.version

    response = agent_client.get(resume_url(case))
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    response = agent_client.post(resume_url(case), {
        **step(access_form, "etape-1", **{**STEP_1, "Nom de l agent": "Autre nom"}),
        "save_draft": "1"})
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.version == version
    assert "Autre nom" not in json.dumps(case.extra)


def test_a_purchase_request_draft_is_not_opened_by_the_generic_wizard(agent_client, sp_agent,
                                                                       make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.DRAFT)
    assert agent_client.get(resume_url(case)).status_code == 404
