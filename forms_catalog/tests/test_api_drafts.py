"""Catalogue forms through the cases REST API: the forms open to the caller, each one's answers
as a JSON Schema, and drafts created, filled and submitted with answers checked by the
wizard's own StepForms (conditions honoured, hidden values dropped, files by attachment)."""

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from cases.workflow import State
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests.test_schema import inp, key_of, step_break

pytestmark = pytest.mark.django_db
publish_form = _test_schema.publish_form
editorial = _test_schema.editorial
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
REQUIRED = "Ce champ est obligatoire."

FIELDS = [
    inp("text", "Objet"),
    inp("choice", "Domaine", choices=["informatique", "mobilier"]),
    inp("yes_no", "Urgent"),
    inp("date", "Date limite", show_if=("Urgent", "oui")),
    step_break("Financement"),
    inp("amount", "Montant", required=False),
    inp("multiple_choice", "Sites", required=False, choices=["Metz", "Nancy"]),
    inp("email", "Contact", required=False),
    inp("file", "Justificatif", required=False),
]


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def form(publish_form, sp):
    return publish_form(FIELDS, title="Demande de matériel", services=[sp])


def keys(page) -> dict:
    return {label: key_of(page.field_schema, label) for label in
            ("Objet", "Domaine", "Urgent", "Date limite", "Montant", "Sites", "Contact",
             "Justificatif")}


def answers(page, **by_label) -> dict:
    k = keys(page)
    return {k[label]: value for label, value in by_label.items()}


def create(api, page, service, **by_label):
    return api.post("/api/cases/", {"kind": "generic", "service": service.code,
                                    "procedure": page.pk,
                                    "content": {"answers": answers(page, **by_label)}},
                    format="json")


VALID = {"Objet": "Deux écrans", "Domaine": "informatique", "Urgent": "non",
         "Montant": "480.50", "Sites": ["Metz"]}


# --- drafts ---------------------------------------------------------------------------------


def test_a_draft_is_created_filled_and_submitted_with_checked_answers(form, sp, sp_agent):
    api = api_for(sp_agent)
    created = create(api, form, sp, **VALID)
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["kind"], body["state"], body["amount"]) == ("generic", "draft", "480.50")
    case = Case.objects.get(pk=body["id"])
    k = keys(form)
    assert case.procedure_id == form.pk and case.extra["schema"] == form.field_schema
    assert case.extra["answers"][k["Objet"]] == "Deux écrans"
    assert case.extra["answers"][k["Sites"]] == ["Metz"]
    # The wizard's progress: the web wizard resumes the draft the API filled.
    page = sp_agent and _resume(form, case, sp_agent)
    assert "Deux écrans" in page

    patched = api.patch(f"/api/cases/{case.pk}/content/",
                        {"content": {"answers": {k["Montant"]: "12,5", k["Sites"]: None}}},
                        format="json")
    assert patched.status_code == 200, patched.json()
    case.refresh_from_db()
    assert case.amount == 12.5 and case.extra["answers"][k["Objet"]] == "Deux écrans"
    assert case.extra["answers"][k["Sites"]] is None

    submitted = api.post(f"/api/cases/{case.pk}/actions/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == State.SUBMITTED
    assert submitted.json()["reference"].startswith("DG-")
    # Submitted: no more changes.
    again = api.patch(f"/api/cases/{case.pk}/content/",
                      {"content": {"answers": {k["Objet"]: "Autre"}}}, format="json")
    assert again.status_code == 400 and "déjà été déposée" in again.json()["detail"]


def _resume(page, case, user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(reverse("forms_catalog:resume", args=[case.pk])).content.decode()


def test_a_refused_answer_names_its_field_in_french_and_writes_nothing(form, sp, sp_agent):
    api = api_for(sp_agent)
    k = keys(form)
    before = (Case.objects.count(), CaseEvent.objects.count())
    response = create(api, form, sp, **{**VALID, "Domaine": "jardinage", "Contact": "pas-un",
                                        "Montant": "-3"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "Domaine" not in str(errors)  # keyed by field key, not label
    assert errors[f"content.answers.{k['Domaine']}"] == [
        "Sélectionnez un choix valide. jardinage n’en fait pas partie."]
    assert errors[f"content.answers.{k['Contact']}"] == ["Saisissez une adresse e-mail valide."]
    assert f"content.answers.{k['Montant']}" in errors
    assert (Case.objects.count(), CaseEvent.objects.count()) == before
    missing = create(api, form, sp, **{"Domaine": "mobilier", "Urgent": "non"})
    assert missing.json()["errors"] == {f"content.answers.{k['Objet']}": [REQUIRED]}
    unknown = api.post("/api/cases/", {"kind": "generic", "service": sp.code,
                                       "procedure": form.pk,
                                       "content": {"answers": {"nope": "x"}, "extra": 1}},
                       format="json")
    assert set(unknown.json()["errors"]) == {"content.answers.nope", "content.extra"}
    shape = create(api, form, sp, **{**VALID, "Sites": "Metz", "Objet": {"a": 1}})
    assert set(shape.json()["errors"]) == {f"content.answers.{k['Sites']}",
                                           f"content.answers.{k['Objet']}"}
    assert Case.objects.count() == before[0]


def test_a_condition_is_honoured_and_a_forged_hidden_answer_dropped(form, sp, sp_agent):
    api = api_for(sp_agent)
    k = keys(form)
    shown = create(api, form, sp, **{**VALID, "Urgent": "oui"})
    assert shown.status_code == 400
    assert shown.json()["errors"] == {f"content.answers.{k['Date limite']}": [REQUIRED]}
    forged = create(api, form, sp, **{**VALID, "Urgent": "non", "Date limite": "pas une date"})
    assert forged.status_code == 201, forged.json()
    case = Case.objects.get(pk=forged.json()["id"])
    assert case.extra["answers"].get(k["Date limite"]) is None
    assert "pas une date" not in str(case.wizard_state)
    urgent = api.patch(f"/api/cases/{case.pk}/content/", {"content": {"answers": {
        k["Urgent"]: "oui", k["Date limite"]: "2030-05-04"}}}, format="json")
    assert urgent.status_code == 200, urgent.json()
    case.refresh_from_db()
    assert case.extra["answers"][k["Date limite"]] == "2030-05-04"


def test_a_file_field_names_an_attachment_of_the_draft(publish_form, sp, sp_agent,
                                                       foreign_sp_agent):
    page = publish_form([inp("text", "Objet"), inp("file", "Justificatif")], services=[sp])
    k_text, k_file = (key_of(page.field_schema, label) for label in ("Objet", "Justificatif"))
    api = api_for(sp_agent)
    early = api.post("/api/cases/", {"kind": "generic", "service": sp.code, "procedure": page.pk,
                                     "content": {"answers": {k_text: "x", k_file: 1}}},
                     format="json")
    assert early.status_code == 400 and "attachments" in early.json()["detail"]
    created = api.post("/api/cases/", {"kind": "generic", "service": sp.code,
                                       "procedure": page.pk,
                                       "content": {"answers": {k_text: "x"}}}, format="json")
    assert created.status_code == 201, created.json()  # the file comes later
    pk = created.json()["id"]
    refused = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {f"content.answers.{k_file}": [REQUIRED]}
    assert Case.objects.get(pk=pk).state == State.DRAFT
    upload = api.post(f"/api/cases/{pk}/attachments/",
                      {"kind": "other", "file": SimpleUploadedFile("piece.pdf", PDF)},
                      format="multipart")
    assert upload.status_code == 201, upload.json()
    attachment = upload.json()["id"]
    for hostile in (attachment + 1000, "1", True, 2**70, -1):
        wrong = api.patch(f"/api/cases/{pk}/content/",
                          {"content": {"answers": {k_file: hostile}}}, format="json")
        assert wrong.status_code == 400, hostile
        assert wrong.json()["field"] == f"content.answers.{k_file}"
    named = api.patch(f"/api/cases/{pk}/content/",
                      {"content": {"answers": {k_file: attachment}}}, format="json")
    assert named.status_code == 200, named.json()
    submitted = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    case = Case.objects.get(pk=pk)
    assert case.extra["answers"][k_file] == {"attachment": attachment, "name": "piece.pdf"}


def test_other_services_forms_and_drafts_are_not_found(form, publish_form, sp, other_sp,
                                                       sp_agent, foreign_sp_agent):
    foreign_api = api_for(foreign_sp_agent)
    refused = create(foreign_api, form, other_sp, **VALID)
    assert refused.status_code == 400 and refused.json()["field"] == "procedure"
    # Its own service named, but another's form: refused the same way.
    assert create(foreign_api, form, sp, **VALID).json()["field"] == "service"
    draft = create(api_for(sp_agent), form, sp, **VALID).json()["id"]
    for method in ("put", "patch"):
        response = getattr(foreign_api, method)(f"/api/cases/{draft}/content/",
                                                {"content": {}}, format="json")
        assert response.status_code == 404
    assert foreign_api.post(f"/api/cases/{draft}/actions/submit/", {},
                            format="json").status_code == 404
    assert foreign_api.get(f"/api/cases/forms/{form.pk}/schema/").status_code == 404
    unpublished = publish_form(FIELDS, live=False)
    assert api_for(sp_agent).get(f"/api/cases/forms/{unpublished.pk}/schema/").status_code == 404


@pytest.mark.parametrize("path", ["/api/cases/forms/0/schema/",
                                  f"/api/cases/forms/{2**63}/schema/",
                                  "/api/cases/forms/abc/schema/",
                                  f"/api/cases/{2**64}/content/",
                                  "/api/cases/-1/content/"])
def test_hostile_ids_are_not_found(sp_agent, path):
    api = api_for(sp_agent)
    assert api.get(path).status_code in (404, 405)
    assert api.patch(path, {"content": {}}, format="json").status_code in (404, 405)


def test_hostile_procedure_and_content_are_refused(form, sp, sp_agent):
    api = api_for(sp_agent)
    for procedure in (0, 2**63, "abc", None):
        body = {"kind": "generic", "service": sp.code, "content": {}}
        if procedure is not None:
            body["procedure"] = procedure
        response = api.post("/api/cases/", body, format="json")
        assert response.status_code == 400 and response.json()["field"] == "procedure"
    for content in ("texte", [1], None):
        response = api.post("/api/cases/", {"kind": "generic", "service": sp.code,
                                            "procedure": form.pk, "content": content},
                            format="json")
        assert response.status_code == 400 and response.json()["field"] == "content"
    nul = create(api, form, sp, **{**VALID, "Objet": "a\x00b" * 200})
    assert nul.status_code == 400  # 200 characters at most


# --- the forms and their schemas ----------------------------------------------------------


def test_the_forms_open_to_the_caller_are_listed(form, publish_form, sp, other_sp, sp_agent,
                                                 foreign_sp_agent):
    everyone = publish_form([inp("text", "Objet")], title="Pour tous")
    listed = {item["title"]: item for item in api_for(sp_agent).get("/api/cases/forms/").json()}
    assert set(listed) == {"Demande de matériel", "Pour tous"}
    assert listed["Demande de matériel"] == {
        "id": form.pk, "title": "Demande de matériel", "kind": "generic",
        "kind_label": "Demande générique", "services": [sp.code],
        "schema": f"/api/cases/forms/{form.pk}/schema/"}
    foreign = api_for(foreign_sp_agent).get("/api/cases/forms/").json()
    assert [item["id"] for item in foreign] == [everyone.pk]
    api = api_for(sp_agent)
    assert api.get("/api/cases/forms/", {"kind": "purchase_request"}).json() == []
    assert api.get("/api/cases/forms/", {"service": other_sp.code}).json() == []
    assert api.get("/api/cases/forms/", {"kind": "nope"}).status_code == 400


def test_the_schema_describes_what_the_server_checks(form, sp_agent):
    response = api_for(sp_agent).get(f"/api/cases/forms/{form.pk}/schema/")
    assert response.status_code == 200
    schema = response.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    k = keys(form)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Demande de matériel"
    assert schema["required"] == [k["Objet"], k["Domaine"], k["Urgent"]]
    assert schema["properties"][k["Domaine"]]["enum"] == ["informatique", "mobilier"]
    assert schema["properties"][k["Urgent"]]["enum"] == ["oui", "non"]
    assert schema["properties"][k["Objet"]]["maxLength"] == 200
    assert schema["properties"][k["Objet"]]["title"] == "Objet"
    date_field = schema["properties"][k["Date limite"]]
    assert date_field["anyOf"][0]["format"] == "date"
    assert "Urgent" in date_field["x-condition-text"]
    assert schema["x-steps"][1]["title"] == "Financement"
    assert schema["x-form"]["id"] == form.pk

    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    good = answers(form, **VALID)
    assert not list(validator.iter_errors(good))
    assert not list(validator.iter_errors({**good, k["Urgent"]: "oui",
                                           k["Date limite"]: "2030-01-31"}))
    for bad in ({**good, k["Domaine"]: "jardinage"},
                {key: value for key, value in good.items() if key != k["Objet"]},
                {**good, k["Urgent"]: "oui"},  # the date is then required
                {**good, k["Contact"]: "pas-un-courriel"},
                {**good, k["Montant"]: "12.345"},
                {**good, "inconnu": 1},
                {**good, k["Sites"]: ["Lyon"]}):
        assert list(validator.iter_errors(bad)), bad


def test_what_the_schema_accepts_the_api_accepts(form, sp, sp_agent):
    """The schema and the server agree on a valid answer object."""
    api = api_for(sp_agent)
    schema = api.get(f"/api/cases/forms/{form.pk}/schema/").json()
    k = keys(form)
    good = {**answers(form, **VALID), k["Urgent"]: "oui", k["Date limite"]: "2030-01-31",
            k["Contact"]: "achats@exemple.gouv.fr", k["Montant"]: 99.9}
    jsonschema.validate(good, schema)
    response = api.post("/api/cases/", {"kind": "generic", "service": sp.code,
                                        "procedure": form.pk, "content": {"answers": good}},
                        format="json")
    assert response.status_code == 201, response.json()
