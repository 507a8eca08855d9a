"""Every field type of issue 22 through the REST API: answers posted in the JSON shape the case
stores, checked by the wizard's StepForm (errors at content.answers.<key>[.<part>]), hidden
answers dropped under « et / ou » conditions, and the form's JSON Schema agreeing with the
server (jsonschema)."""

from decimal import Decimal

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case
from cases.workflow import State
from forms_catalog.api import ecma_pattern
from forms_catalog.tests.test_api_drafts import PDF, REQUIRED, api_for
from forms_catalog.tests.test_field_types import block
from forms_catalog.tests.test_new_types_wizard import _nir, _vat
from forms_catalog.tests.test_repetition import sub
from forms_catalog.tests.test_schema import publish_form as _publish_form
from forms_catalog.tests.test_wizard import editorial  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
publish_form = _publish_form

ROW = [sub("text", "Nom", "nom"), sub("date", "Naissance", "naissance", required=False),
       sub("yes_no", "Repas", "repas", required=False)]


def rules(combine, *triples):
    return {"conditions": {"combine": combine, "rules": [
        {"field": field, "operator": operator, "value": value}
        for field, operator, value in triples]}}


ALL = [
    block("address", "Adresse"),
    block("commune", "Commune du site"),
    block("department", "Departement"),
    block("country", "Pays"),
    block("nir", "NIR"),
    block("vat", "TVA"),
    block("bounded_number", "Effectif", minimum=Decimal(1), maximum=Decimal(50)),
    block("pattern_text", "Code", pattern="[A-Z]{3}-20[0-9]{2}-[0-9]{2}",
          pattern_message="Trois lettres, l'année et le numéro : CHO-2026-04."),
    block("date_range", "Periode", earliest_days=-3650, latest_days=3650),
    block("files", "Pieces", required=False, max_files=2),
    block("case_link", "Demande liee", required=False),
    block("repetition", "Participants", min_rows=1, max_rows=3, fields=ROW),
    block("yes_no", "Hebergement"),
    block("choice", "Transport", choices=["Train", "Voiture"]),
    block("text", "Detail", **rules("or", ("Hebergement", "equals", "oui"),
                                    ("Transport", "equals", "voiture"))),
    block("text", "Motif", **rules("and", ("Hebergement", "equals", "oui"),
                                   ("Transport", "equals", "train"))),
    block("long_text", "Remarque", required=False, **rules("or", ("Effectif", "gt", "10"))),
]


@pytest.fixture
def postcodes(db):
    from kinds.tiers.models import PostalCode

    for postcode, commune in (("57000", "METZ"), ("29200", "BREST")):
        PostalCode.objects.create(postcode=postcode, insee_code=f"{postcode[:2]}000",
                                  commune=commune, delivery_label=commune)


@pytest.fixture
def form_page(publish_form, sp, other_sp, postcodes):
    return publish_form(ALL, title="Tous les types", services=[sp, other_sp])


def keys(form_page) -> dict:
    return {item["label"]: item["key"] for step in form_page.field_schema["steps"]
            for item in step["items"]}


def valid(form_page) -> dict:
    k = keys(form_page)
    return {k["Adresse"]: {"street": "3 place d'Armes", "postcode": "57000", "commune": "Metz"},
            k["Commune du site"]: {"postcode": "29200", "commune": "brest"},
            k["Departement"]: "2A", k["Pays"]: "BE", k["NIR"]: _nir(), k["TVA"]: _vat(),
            k["Effectif"]: 12, k["Code"]: "CHO-2026-04",
            k["Periode"]: {"start": "2026-03-02", "end": "2026-03-06"},
            k["Participants"]: [{"nom": "Ada", "naissance": "1990-12-10", "repas": "oui"},
                                {"nom": "Alan"}],
            k["Hebergement"]: "non", k["Transport"]: "Voiture", k["Detail"]: "Parking"}


def post(api, form_page, service, answers):
    return api.post("/api/cases/", {"kind": "generic", "service": service.code,
                                    "procedure": form_page.pk, "content": {"answers": answers}},
                    format="json")


def test_a_draft_with_every_new_type_is_filled_and_submitted(form_page, sp, other_sp, sp_agent,
                                                             foreign_sp_agent):
    api, k = api_for(sp_agent), keys(form_page)
    mine = post(api, form_page, sp, valid(form_page))
    assert mine.status_code == 201, mine.json()
    theirs = post(api_for(foreign_sp_agent), form_page, other_sp, valid(form_page))
    assert theirs.status_code == 201, theirs.json()
    for created, client in ((mine, api), (theirs, api_for(foreign_sp_agent))):
        done = client.post(f"/api/cases/{created.json()['id']}/actions/submit/", {},
                           format="json")
        assert done.status_code == 200, done.json()
    mine_ref = Case.objects.get(pk=mine.json()["id"]).reference
    theirs_ref = Case.objects.get(pk=theirs.json()["id"]).reference

    created = post(api, form_page, sp, {**valid(form_page), k["Demande liee"]: mine_ref})
    assert created.status_code == 201, created.json()
    case = Case.objects.get(pk=created.json()["id"])
    pk = case.pk
    uploads = [api.post(f"/api/cases/{pk}/attachments/", {
        "kind": "other", "file": SimpleUploadedFile(name, PDF + name.encode())},
        format="multipart").json()["id"] for name in ("a.pdf", "b.pdf", "c.pdf")]
    # Another service's case, or an unknown reference, is no case the caller may link.
    for foreign in (theirs_ref, "DG-1999-00001"):
        refused = api.patch(f"/api/cases/{pk}/content/",
                            {"content": {"answers": {k["Demande liee"]: foreign}}},
                            format="json")
        assert refused.json()["errors"] == {f"content.answers.{k['Demande liee']}": [
            "Choisissez l'une de vos demandes dans la liste."]}, foreign
    too_many = api.patch(f"/api/cases/{pk}/content/",
                         {"content": {"answers": {k["Pieces"]: uploads}}}, format="json")
    assert too_many.json()["errors"] == {f"content.answers.{k['Pieces']}": [
        "Au plus 2 fichiers (vous en avez indiqué 3)."]}
    files = api.patch(f"/api/cases/{pk}/content/",
                      {"content": {"answers": {k["Pieces"]: uploads[:2]}}}, format="json")
    assert files.status_code == 200, files.json()
    submitted = api.post(f"/api/cases/{pk}/actions/submit/", {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    case.refresh_from_db()
    answers = case.extra["answers"]
    assert case.state == State.SUBMITTED
    assert answers[k["Adresse"]] == {"street": "3 place d'Armes", "postcode": "57000",
                                     "commune": "Metz"}
    assert answers[k["Commune du site"]] == {"postcode": "29200", "commune": "brest"}
    assert (answers[k["Departement"]], answers[k["Pays"]]) == ("2A", "BE")
    assert answers[k["NIR"]] and answers[k["TVA"]].startswith("FR")
    assert answers[k["Effectif"]] == "12" and answers[k["Code"]] == "CHO-2026-04"
    assert answers[k["Periode"]] == {"start": "2026-03-02", "end": "2026-03-06"}
    assert [f["name"] for f in answers[k["Pieces"]]] == ["a.pdf", "b.pdf"]
    assert answers[k["Demande liee"]] == mine_ref
    assert answers[k["Participants"]] == [
        {"nom": "Ada", "naissance": "1990-12-10", "repas": "oui"},
        {"nom": "Alan", "naissance": None, "repas": None}]
    assert answers[k["Detail"]] == "Parking" and answers.get(k["Motif"]) is None


def test_refused_values_are_named_by_their_path_in_french(form_page, sp, sp_agent):
    api, k = api_for(sp_agent), keys(form_page)
    before = Case.objects.count()
    response = post(api, form_page, sp, {
        **valid(form_page),
        k["Adresse"]: {"street": "1 rue", "postcode": "57000", "commune": "Brest"},
        k["Commune du site"]: {"postcode": "29200"},
        k["NIR"]: "185057800608400", k["TVA"]: "FR00123456789",
        k["Effectif"]: 51, k["Code"]: "cho-2026-04",
        k["Periode"]: {"start": "2026-03-06", "end": "2026-03-02"},
        k["Participants"]: [{"naissance": "1990-12-10"}, {"nom": "Alan", "repas": "peut-être"}],
    })
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {f"content.answers.{path}" for path in (
        f"{k['Adresse']}.commune", f"{k['Commune du site']}.commune", k["NIR"], k["TVA"],
        k["Effectif"], k["Code"], f"{k['Periode']}.end", f"{k['Participants']}.0.nom",
        f"{k['Participants']}.1.repas")}, errors
    assert "METZ" in errors[f"content.answers.{k['Adresse']}.commune"][0]
    assert errors[f"content.answers.{k['Commune du site']}.commune"] == [REQUIRED]
    assert errors[f"content.answers.{k['Effectif']}"] == [
        "Saisissez un nombre inférieur ou égal à 50."]
    assert errors[f"content.answers.{k['Code']}"] == [
        "Trois lettres, l'année et le numéro : CHO-2026-04."]
    assert errors[f"content.answers.{k['Periode']}.end"] == [
        "La date de fin doit être égale ou postérieure à la date de début."]
    assert errors[f"content.answers.{k['Participants']}.0.nom"] == [REQUIRED]
    # Shapes no form could read.
    shapes = post(api, form_page, sp, {**valid(form_page), k["Adresse"]: "3 place d'Armes",
                                  k["Periode"]: {"start": "2026-03-02", "fin": "x"},
                                  k["Participants"]: [{"nom": "Ada", "age": 3}],
                                  k["Pieces"]: 3})
    assert set(shapes.json()["errors"]) == {f"content.answers.{k[label]}" for label in (
        "Adresse", "Periode", "Participants", "Pieces")}
    # A repetition over its maximum is refused, not cut.
    over = post(api, form_page, sp, {**valid(form_page),
                                     k["Participants"]: [{"nom": n} for n in "ABCD"]})
    assert over.json()["errors"] == {f"content.answers.{k['Participants']}": [
        "Au plus 3 ligne(s) (vous en avez envoyé 4)."]}
    under = post(api, form_page, sp, {**valid(form_page), k["Participants"]: []})
    assert under.json()["errors"] == {f"content.answers.{k['Participants']}": [
        "Remplissez au moins une ligne."]}
    assert Case.objects.count() == before


def test_a_forged_hidden_value_is_dropped_under_an_or_condition(form_page, sp, sp_agent):
    api, k = api_for(sp_agent), keys(form_page)
    shown = post(api, form_page, sp,
                 {**valid(form_page), k["Transport"]: "Train", k["Detail"]: None})
    # Neither rule holds: « Détail » is hidden; « Motif » needs both.
    assert shown.status_code == 201, shown.json()
    needed = post(api, form_page, sp, {**valid(form_page), k["Hebergement"]: "oui",
                                  k["Transport"]: "Train", k["Detail"]: None})
    assert needed.json()["errors"] == {f"content.answers.{k['Detail']}": [REQUIRED],
                                       f"content.answers.{k['Motif']}": [REQUIRED]}
    forged = post(api, form_page, sp, {**valid(form_page), k["Transport"]: "Train",
                                  k["Detail"]: "forgé", k["Motif"]: "forgé aussi",
                                  k["Effectif"]: 3, k["Remarque"]: "x" * 5000})
    assert forged.status_code == 201, forged.json()
    case = Case.objects.get(pk=forged.json()["id"])
    for label in ("Detail", "Motif", "Remarque"):
        assert case.extra["answers"].get(k[label]) is None, label
    assert "forgé" not in str(case.wizard_state) and "xxxxx" not in str(case.wizard_state)
    # Changing an earlier answer hides what depended on it, on the next write.
    kept = api.patch(f"/api/cases/{case.pk}/content/", {"content": {"answers": {
        k["Transport"]: "Voiture", k["Detail"]: "Parking"}}}, format="json")
    assert kept.status_code == 200, kept.json()
    hidden = api.patch(f"/api/cases/{case.pk}/content/", {"content": {"answers": {
        k["Transport"]: "Train"}}}, format="json")
    assert hidden.status_code == 200, hidden.json()
    case.refresh_from_db()
    assert case.extra["answers"].get(k["Detail"]) is None


def test_the_schema_describes_every_new_type_and_agrees_with_the_server(form_page, sp, sp_agent):
    api, k = api_for(sp_agent), keys(form_page)
    schema = api.get(f"/api/cases/forms/{form_page.pk}/schema/").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    props = schema["properties"]
    assert props[k["Adresse"]]["required"] == ["street", "postcode", "commune"]
    assert props[k["Periode"]]["properties"]["start"]["format"] == "date"
    assert "2A" in props[k["Departement"]]["enum"] and "BE" in props[k["Pays"]]["enum"]
    assert (props[k["Effectif"]]["minimum"], props[k["Effectif"]]["maximum"]) == (1, 50)
    assert props[k["Code"]]["pattern"] == "^(?:[A-Z]{3}-20[0-9]{2}-[0-9]{2})$"
    pieces = props[k["Pieces"]]["anyOf"][0]
    assert (pieces["type"], pieces["maxItems"], pieces["items"]["type"]) == (
        "array", 2, "integer")
    rows = props[k["Participants"]]
    assert (rows["minItems"], rows["maxItems"]) == (1, 3)
    assert rows["items"]["required"] == ["nom"]
    # « ou » cannot be said exactly by a schema: described, never required.
    assert "« Hebergement » est égal à « oui » ou « Transport » est égal à « voiture »" in (
        props[k["Detail"]]["x-condition"])
    assert props[k["Motif"]]["x-condition-rules"]["combine"] == "and"
    assert schema["allOf"] == [{"if": {"properties": {k["Hebergement"]: {"const": "oui"},
                                                      k["Transport"]: {"const": "Train"}},
                                       "required": [k["Hebergement"], k["Transport"]]},
                                "then": {"required": [k["Motif"]], "properties": {
                                    k["Motif"]: {"not": {"type": "null"}}}}}]
    assert k["Detail"] not in schema["required"] and k["Motif"] not in schema["required"]

    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    good = valid(form_page)
    assert not list(validator.iter_errors(good))
    assert post(api, form_page, sp, good).status_code == 201
    for bad in ({**good, k["Adresse"]: {"street": "1 rue", "postcode": "57000"}},
                {**good, k["Departement"]: "99"},
                {**good, k["Pays"]: "XX"},
                {**good, k["Effectif"]: 51},
                {**good, k["Code"]: "CHO-2026-4"},
                {**good, k["Periode"]: {"start": "2026-02-30", "end": "2026-03-01"}},
                {**good, k["Pieces"]: [1, 2, 3]},
                {**good, k["Participants"]: [{"nom": n} for n in "ABCD"]},
                {**good, k["Participants"]: [{"age": 3}]},
                {**good, k["Hebergement"]: "oui", k["Transport"]: "Train"}):  # Motif needed
        assert list(validator.iter_errors(bad)), bad
        assert post(api, form_page, sp, bad).status_code == 400, bad


@pytest.mark.parametrize("pattern, expected", [
    ("[A-Z]{2}[0-9]{6}", "^(?:[A-Z]{2}[0-9]{6})$"),
    ("^a.b$", r"^(?:a[^\n]b)$"),
    (r"\d{5}", None),  # Python's \d takes every Unicode digit
    (r"(?i)abc", None),
    (r"(?P<x>a)", None),
    (r"a\Z", None),
    ("a^b", None),
    (r"[\w-]+", None),
    (r"\.\-", None),  # \- outside a class is an error in ECMA's unicode mode
])
def test_only_patterns_both_engines_read_alike_are_emitted(pattern, expected):
    assert ecma_pattern(pattern) == expected
