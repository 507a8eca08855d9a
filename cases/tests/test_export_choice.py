"""Exports with chosen columns: the case's facts and a catalogue form's fields, saved as named
templates, CSV and XLSX, repetition blocks joined or one row each, hostile text never a
formula, large exports as tasks."""

import csv
import html
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases import export_columns, exports
from cases import services as case_services
from cases.models import Case, ExportJob, ExportTemplate
from cases.workflow import Action
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests.test_schema import answers_for, draft, inp, key_of

publish_form = _test_schema.publish_form
editorial = _test_schema.editorial
pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://x.example","clic")'
CHOOSE = reverse("cases:queue_export_choose")


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))


@pytest.fixture
def equipment_form(publish_form, sp):
    return publish_form([inp("text", "Materiel"), inp("amount", "Cout"),
                         inp("date", "Livraison souhaitee", required=False)],
                        title="Demande de materiel", services=[sp])


@pytest.fixture
def submitted(equipment_form, sp, sp_agent):
    def make(**by_label):
        case = draft(equipment_form, sp_agent, sp)
        case = case_services.answers_record(case=case, actor=sp_agent,
                                            answers=answers_for(equipment_form, **by_label))
        return case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    return make


def columns_of(page, *labels) -> list[str]:
    return [f"answer.{key_of(page.field_schema, label)}" for label in labels]


def choose(client, **data):
    return client.post(CHOOSE, {"repetition": "join", "fmt": "csv", "exporter": "1", **data})


def test_the_chooser_offers_the_case_columns_then_the_chosen_form_s_fields(
        client, csp_agent, equipment_form):
    client.force_login(csp_agent)
    page = client.get(CHOOSE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Référence" in text and "Materiel" not in text
    shown = client.post(CHOOSE, {"procedure": equipment_form.pk, "afficher": "1",
                                 "columns": ["case.reference"]})
    assert shown.status_code == 200
    text = shown.content.decode()
    assert "Formulaire « Demande de materiel »" in text and "Livraison souhaitee" in text
    assert 'value="case.reference" id="column-1-1"\n                       checked' in text


def test_chosen_columns_export_the_form_s_answers_typed(client, csp_agent, equipment_form,
                                                        submitted):
    case = submitted(**{"Materiel": "Ecran 27 pouces", "Cout": "349.90",
                        "Livraison souhaitee": "2026-12-15"})
    client.force_login(csp_agent)
    response = choose(client, procedure=equipment_form.pk, fmt="xlsx",
                      columns=["case.reference", *columns_of(equipment_form, "Materiel", "Cout",
                                                             "Livraison souhaitee")])
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Référence", "Materiel", "Cout", "Livraison souhaitee")
    assert values[1][0] == case.reference and values[1][1] == "Ecran 27 pouces"
    assert Decimal(str(values[1][2])) == Decimal("349.90")
    assert values[1][3].date() == date(2026, 12, 15)


def test_choosing_a_form_exports_only_its_cases(client, csp_agent, equipment_form, submitted,
                                                make_purchase_request, sp_agent):
    case = submitted(**{"Materiel": "Clavier", "Cout": "20.00"})
    make_purchase_request(sp_agent, state="submitted")
    client.force_login(csp_agent)
    rows = csv_rows(choose(client, procedure=equipment_form.pk, columns=["case.reference"]))
    assert [row[0] for row in rows[1:]] == [case.reference]
    everything = csv_rows(choose(client, columns=["case.reference"]))
    assert len(everything) == 3


def test_hostile_answers_are_written_as_text(client, csp_agent, equipment_form, submitted):
    submitted(**{"Materiel": HOSTILE, "Cout": "1.00"})
    client.force_login(csp_agent)
    columns = columns_of(equipment_form, "Materiel")
    rows = csv_rows(choose(client, procedure=equipment_form.pk, columns=columns))
    assert rows[1] == ["'" + HOSTILE]
    response = choose(client, procedure=equipment_form.pk, columns=columns, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = list(sheet.iter_rows())[1][0]
    assert cell.data_type == "s" and cell.value == "'" + HOSTILE


@pytest.mark.parametrize("data, field, message", [
    ({"columns": []}, "columns", "Choisissez au moins une colonne."),
    ({"columns": ["case.nope"]}, "columns", "n'est pas proposée"),
    ({"columns": ["case.reference"], "fmt": "pdf"}, "fmt", "Choisissez CSV ou XLSX."),
    ({"columns": ["case.reference"], "procedure": "999999"}, "procedure",
     "plus publié"),
    ({"columns": ["case.reference"], "procedure": "x" * 300}, "procedure", "plus publié"),
])
def test_a_wrong_choice_is_shown_beside_its_field(client, csp_agent, data, field, message):
    client.force_login(csp_agent)
    response = choose(client, **data)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert not ExportJob.objects.exists()


def test_a_form_s_field_column_is_refused_without_that_form(client, csp_agent, equipment_form):
    client.force_login(csp_agent)
    response = choose(client, columns=columns_of(equipment_form, "Materiel"))
    assert "n'est pas proposée" in html.unescape(response.content.decode())


def test_a_choice_saved_as_a_template_comes_back_and_is_replaced_by_name(
        client, csp_agent, equipment_form):
    client.force_login(csp_agent)
    columns = ["case.reference", *columns_of(equipment_form, "Cout")]
    saved = client.post(CHOOSE, {"procedure": equipment_form.pk, "columns": columns,
                                 "repetition": "rows", "fmt": "csv", "name": "Suivi materiel",
                                 "enregistrer": "1", "filtres": "state=all"})
    template = ExportTemplate.objects.get(owner=csp_agent)
    assert saved.status_code == 302 and f"modele={template.pk}" in saved["Location"]
    assert "filtres=state%3Dall" in saved["Location"]
    assert (template.scope, template.columns, template.procedure, template.repetition) == (
        "queue", columns, equipment_form, "rows")
    page = client.get(saved["Location"]).content.decode()
    assert "Modèle « Suivi materiel » enregistré." in page
    assert 'value="rows"\n' in page or 'value="rows" checked' in page or "Suivi materiel" in page
    client.post(CHOOSE, {"columns": ["case.state"], "repetition": "join", "fmt": "csv",
                         "name": "Suivi materiel", "enregistrer": "1"})
    template.refresh_from_db()
    assert ExportTemplate.objects.count() == 1 and template.columns == ["case.state"]


def test_a_template_needs_a_name(client, csp_agent):
    client.force_login(csp_agent)
    response = client.post(CHOOSE, {"columns": ["case.state"], "repetition": "join",
                                    "fmt": "csv", "name": "  ", "enregistrer": "1"})
    assert "Donnez un nom au modèle." in response.content.decode()
    assert not ExportTemplate.objects.exists()


def test_templates_are_their_owner_s_only(client, csp_agent, csp_head):
    template = ExportTemplate.objects.create(owner=csp_head, scope="queue", name="Le mien",
                                             columns=["case.reference"])
    client.force_login(csp_agent)
    assert "Le mien" not in client.get(CHOOSE).content.decode()
    applied = client.get(CHOOSE, {"modele": template.pk}).content.decode()
    assert "Le mien" not in applied
    delete = reverse("cases:export_template_delete", args=[template.pk])
    assert client.post(delete).status_code == 404
    assert client.get(delete).status_code in (404, 405)
    client.force_login(csp_head)
    assert client.post(delete).status_code == 302
    assert not ExportTemplate.objects.exists()


@pytest.mark.parametrize("modele", ["abc", "9" * 40, "-1", "1 OR 1=1"])
def test_a_hostile_template_number_is_ignored(client, csp_agent, modele):
    client.force_login(csp_agent)
    assert client.get(CHOOSE, {"modele": modele, "filtres": "<script>"}).status_code == 200


def test_the_chooser_is_for_centre_members_and_the_sp_one_for_services(client, sp_agent,
                                                                       csp_agent):
    client.force_login(sp_agent)
    assert client.get(CHOOSE).status_code == 404
    assert client.get(reverse("cases:my_requests_export_choose")).status_code == 200
    client.force_login(csp_agent)
    assert client.get(reverse("cases:my_requests_export_choose")).status_code == 404


def test_the_queue_s_filters_apply_to_a_chosen_export(client, csp_agent, make_purchase_request,
                                                      sp_agent):
    small = make_purchase_request(sp_agent, amount="100.00", state="submitted")
    make_purchase_request(sp_agent, amount="5000.00", state="submitted")
    client.force_login(csp_agent)
    rows = csv_rows(choose(client, columns=["case.reference"], filtres="amount_max=1000"))
    assert [row[0] for row in rows[1:]] == [small.reference]
    wrong = choose(client, columns=["case.reference"], filtres="amount_min=abc")
    assert wrong.status_code == 302 and wrong["Location"].startswith(reverse("cases:queue"))


def test_a_large_chosen_export_becomes_a_task_with_its_columns(client, csp_agent, settings,
                                                               equipment_form, submitted):
    settings.EXPORT_SYNC_MAX_ROWS = 0
    submitted(**{"Materiel": "Souris", "Cout": "15.00"})
    client.force_login(csp_agent)
    columns = ["case.reference", *columns_of(equipment_form, "Materiel")]
    response = choose(client, procedure=equipment_form.pk, columns=columns, repetition="rows")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert (job.columns, job.procedure, job.repetition) == (columns, equipment_form, "rows")
    from cases.export_services import export_job_run

    export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    body = job.file.open("rb").read().decode("utf-8").lstrip("\ufeff")
    assert body.splitlines()[1].endswith(";Souris")


# --- repetition blocks ------------------------------------------------------------------------


def _columns():
    lines = export_columns.Column(key="r.item", label="Article", group="g", repeated=True,
                                  value=lambda case: case["items"])
    prices = export_columns.Column(key="r.price", label="Prix", group="g", repeated=True,
                                   value=lambda case: case["prices"])
    reference = export_columns.Column(key="case.ref", label="Réf", group="g",
                                      value=lambda case: case["ref"])
    return [reference, lines, prices]


@pytest.mark.parametrize("items, prices, joined, one_per_row", [
    (["a", "b"], [Decimal("1.00"), Decimal("2.50")], ["R", "a | b", "1,00 | 2,50"],
     [["R", "a", Decimal("1.00")], ["R", "b", Decimal("2.50")]]),
    (["a", "b", "c"], [Decimal("1.00")], ["R", "a | b | c", "1,00"],
     [["R", "a", Decimal("1.00")], ["R", "b", None], ["R", "c", None]]),
    ([], [], ["R", "", ""], [["R", None, None]]),
    (None, None, ["R", "", ""], [["R", None, None]]),
])
def test_repetitions_are_joined_or_written_one_row_each(items, prices, joined, one_per_row):
    case = {"ref": "R", "items": items, "prices": prices}
    assert exports.case_rows(case, _columns(), exports.JOIN) == [joined]
    assert exports.case_rows(case, _columns(), exports.ROWS) == one_per_row


def test_the_agent_group_is_a_column_of_the_centre_s_exports_only(client, csp_agent, sp_agent,
                                                                   make_purchase_request):
    from portal.services import agent_group_get_or_create

    case = make_purchase_request(sp_agent, state="submitted")
    group = agent_group_get_or_create(centre=case.processing_centre, name="Achats informatiques")
    Case.objects.filter(pk=case.pk).update(agent_group=group)
    client.force_login(csp_agent)
    rows = csv_rows(choose(client, columns=["case.reference", "case.agent_group"]))
    assert rows[1] == [case.reference, "Achats informatiques"]
    client.force_login(sp_agent)
    offered = client.get(reverse("cases:my_requests_export_choose")).content.decode()
    assert "case.agent_group" not in offered and "case.reference" in offered


# --- a catalogue form's repetition block, end to end -------------------------------------------

PEOPLE = [{"type": "text", "id": "nom", "value": {"label": "Nom", "help_text": "",
                                                  "required": True}},
          {"type": "integer", "id": "age", "value": {"label": "Age", "help_text": "",
                                                     "required": False}}]


@pytest.fixture
def training_form(publish_form, sp):
    return publish_form([inp("text", "Formation"),
                         ("repetition", {"label": "Participants", "help_text": "",
                                         "required": True, "min_rows": 1, "max_rows": 5,
                                         "fields": PEOPLE})],
                        title="Inscription", services=[sp])


def test_a_repetition_block_is_joined_or_written_one_row_per_repetition(
        client, csp_agent, sp, sp_agent, training_form):
    case = draft(training_form, sp_agent, sp)
    rows = [{"nom": "Ada", "age": 36}, {"nom": HOSTILE, "age": None}]
    case = case_services.answers_record(case=case, actor=sp_agent, answers={
        key_of(training_form.field_schema, "Formation"): "Chorus",
        key_of(training_form.field_schema, "Participants"): rows})
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    block = key_of(training_form.field_schema, "Participants")
    columns = ["case.reference", *columns_of(training_form, "Formation"),
               f"answer.{block}.nom", f"answer.{block}.age"]
    client.force_login(csp_agent)

    joined = csv_rows(choose(client, procedure=training_form.pk, columns=columns))
    assert joined[0] == ["Référence", "Formation", "Participants — Nom", "Participants — Age"]
    assert joined[1] == [case.reference, "Chorus", f"Ada | {HOSTILE}", "36 | "]

    one_each = csv_rows(choose(client, procedure=training_form.pk, columns=columns,
                               repetition="rows"))
    assert one_each[1:] == [[case.reference, "Chorus", "Ada", "36"],
                            [case.reference, "Chorus", "'" + HOSTILE, ""]]
