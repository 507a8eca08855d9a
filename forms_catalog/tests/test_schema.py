"""The form catalogue: schemas built from the editors' fields, step forms, services, the
validation policy, the generic workflow, selectors and the API."""

import copy
import itertools
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

from cases import services as case_services
from cases.models import Case, CaseKind
from cases.selectors import case_queue_for_user
from cases.workflow import Action, State
from conventions.services import editorial_setup
from forms_catalog.blocks import FieldStream
from forms_catalog.forms import StepForm
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import SchemaError, build_schema, first_amount, input_items, is_shown
from forms_catalog.selectors import answers_by_step, catalogue_for_user, forms_for_service
from portal import services as portal_services
from portal.models import Role
from tests.factories import member, valid_iban, valid_siret

REQUIRED = "Ce champ est obligatoire."


# --- building fields and schemas --------------------------------------------------------------


def inp(kind, label, *, required=True, help_text="", choices=None, show_if=None):
    """An input block as (type, value), as an editor would fill it in the admin."""
    value = {"label": label, "help_text": help_text, "required": required,
             "show_if_field": show_if[0] if show_if else "",
             "show_if_value": show_if[1] if show_if else ""}
    if choices is not None:
        value["choices"] = choices
    return (kind, value)


def section(title):
    return ("section", {"title": title})


def explanation(text):
    return ("explanation", {"text": text})


def step_break(title):
    return ("step_break", {"title": title})


def stream(*blocks):
    """A FieldStream value whose block ids are k1, k2, … (no database needed)."""
    raw = [{"type": kind, "value": value, "id": f"k{n}"}
           for n, (kind, value) in enumerate(blocks, start=1)]
    return FieldStream().to_python(raw)


def schema_of(*blocks) -> dict:
    return build_schema(stream(*blocks), "Votre demande")


def key_of(schema: dict, label: str) -> str:
    for item in input_items(schema):
        if item["label"] == label:
            return item["key"]
    raise KeyError(label)


def step_form(schema: dict, data: dict, *, step: int = 0, previous=None) -> StepForm:
    return StepForm(data=data, items=schema["steps"][step]["items"], previous_answers=previous)


TRAINING = "Formation suivie"
TRAINING_DATE = "Date de formation souhaitee"


def training_schema(*, same_step=True) -> dict:
    """A yes/no question and a required date asked only when the answer is "non"."""
    blocks = [inp("yes_no", TRAINING),
              inp("date", TRAINING_DATE, show_if=(TRAINING, "non"))]
    if not same_step:
        blocks.insert(1, step_break("Formation"))
    return schema_of(*blocks)


# --- build_schema ------------------------------------------------------------------------------


def test_step_breaks_split_fields_into_titled_steps_and_keep_display_items():
    schema = schema_of(
        section("La personne"),
        inp("text", "Nom de l agent", help_text="Tel qu il figure dans l annuaire"),
        inp("email", "Adresse electronique", required=False),
        step_break("Justification"),
        explanation("Joignez l arrete de delegation."),
        inp("long_text", "Motif"),
        step_break("Pieces"),
        inp("file", "Arrete", required=False),
    )

    assert [step["title"] for step in schema["steps"]] == ["Votre demande", "Justification",
                                                           "Pieces"]
    first, second, third = (step["items"] for step in schema["steps"])
    assert [(i["type"], i["key"]) for i in first] == [("section", "k1"), ("text", "k2"),
                                                      ("email", "k3")]
    assert first[0]["title"] == "La personne"
    assert first[1] == {"type": "text", "key": "k2", "label": "Nom de l agent",
                        "help_text": "Tel qu il figure dans l annuaire", "required": True,
                        "choices": [], "show_if": None}
    assert first[2]["required"] is False
    # The step break itself (k4) is no item; the explanation is kept for display.
    assert [(i["type"], i["key"]) for i in second] == [("explanation", "k5"),
                                                       ("long_text", "k6")]
    assert second[0]["text"] == "Joignez l arrete de delegation."
    assert [(i["type"], i["key"]) for i in third] == [("file", "k8")]
    # Display items are not inputs.
    assert [i["key"] for i in input_items(schema)] == ["k2", "k3", "k6", "k8"]


def test_empty_steps_are_dropped_but_a_schema_always_has_one_step():
    schema = schema_of(step_break("Vide"), inp("text", "Objet"), step_break("Fin"))
    assert [step["title"] for step in schema["steps"]] == ["Vide"]
    assert schema_of() == {"steps": [{"title": "Votre demande", "items": []}]}


def test_a_condition_points_at_its_controller_by_key_case_insensitively():
    schema = schema_of(
        inp("yes_no", TRAINING),
        inp("choice", "Profil", choices=["Consultation", "Validation (ordonnateur)"]),
        inp("date", TRAINING_DATE, show_if=("  formation SUIVIE ", "NON")),
        inp("file", "Arrete", show_if=("Profil", "validation (ORDONNATEUR)")),
    )
    items = input_items(schema)
    assert items[2]["show_if"] == {"key": "k1", "value": "non"}
    assert items[3]["show_if"] == {"key": "k2", "value": "validation (ordonnateur)"}
    assert is_shown(items[2], {"k1": "Non"}) and not is_shown(items[2], {"k1": "oui"})
    assert not is_shown(items[2], {}) and not is_shown(items[2], {"k1": ["non"]})
    assert is_shown(items[3], {"k2": "Validation (ordonnateur)"})


@pytest.mark.parametrize("blocks, expected", [
    pytest.param([inp("date", TRAINING_DATE, show_if=(TRAINING, "non")),
                  inp("yes_no", TRAINING)],
                 f"« {TRAINING_DATE} » dépend de « {TRAINING} »", id="later-field"),
    pytest.param([inp("text", "Service"),
                  inp("date", TRAINING_DATE, show_if=("Service", "DRAC"))],
                 "n'est pas un champ oui/non ou à choix placé avant lui", id="text-controller"),
    pytest.param([inp("multiple_choice", "Profils", choices=["A", "B"]),
                  inp("date", TRAINING_DATE, show_if=("Profils", "A"))],
                 "n'est pas un champ oui/non ou à choix", id="multiple-choice-controller"),
    pytest.param([inp("yes_no", TRAINING),
                  inp("date", TRAINING_DATE, show_if=("Formation inconnue", "non"))],
                 "« Formation inconnue »", id="unknown-label"),
    pytest.param([inp("yes_no", TRAINING),
                  inp("date", TRAINING_DATE, show_if=(TRAINING, "peut-être"))],
                 "la valeur « peut-être » n'est pas possible pour « Formation suivie » "
                 "(valeurs : oui, non)", id="impossible-yes-no-value"),
    pytest.param([inp("yes_no", TRAINING),
                  inp("date", TRAINING_DATE, show_if=(TRAINING, ""))],
                 "n'est pas possible", id="missing-value"),
    pytest.param([inp("choice", "Profil", choices=["Consultation", "Saisie"]),
                  inp("date", TRAINING_DATE, show_if=("Profil", "Validation"))],
                 "(valeurs : Consultation, Saisie)", id="impossible-choice"),
])
def test_inconsistent_conditions_raise_a_french_schema_error(blocks, expected):
    with pytest.raises(SchemaError) as excinfo:
        schema_of(*blocks)
    assert expected in str(excinfo.value)


def test_the_page_refuses_inconsistent_fields_in_clean_and_on_save(editorial):
    bad = [inp("date", TRAINING_DATE, show_if=(TRAINING, "non")), inp("yes_no", TRAINING)]
    page = ProcedureFormPage(title="Formulaire incoherent", slug="incoherent", fields=bad)
    with pytest.raises(ValidationError) as excinfo:
        page.clean()
    assert "fields" in excinfo.value.message_dict
    assert TRAINING in excinfo.value.message_dict["fields"][0]

    # Wagtail validates pages when they are saved: the catalogue never holds such a form.
    with pytest.raises(ValidationError):
        editorial.sections["catalogue"].add_child(instance=page)
    assert not ProcedureFormPage.objects.exists()


def test_full_clean_of_a_published_page_reports_bad_fields(publish_form):
    page = publish_form([inp("yes_no", TRAINING)])
    page.fields = [inp("yes_no", TRAINING), inp("text", "Precisions", show_if=(TRAINING, "?"))]
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    assert set(excinfo.value.message_dict) == {"fields"}
    assert "« ? » n'est pas possible" in excinfo.value.message_dict["fields"][0]


def test_unknown_required_attachment_kinds_are_refused(publish_form):
    page = publish_form([inp("text", "Objet")])
    page.required_attachments = ["quote", "photo-de-vacances"]
    with pytest.raises(ValidationError) as excinfo:
        page.clean()
    assert "required_attachments" in excinfo.value.message_dict


# --- StepForm: one type at a time --------------------------------------------------------------

CHOICES = ["Rouge", "Vert"]


def one_field(kind, **kwargs) -> dict:
    if kind in ("choice", "multiple_choice"):
        kwargs.setdefault("choices", CHOICES)
    return schema_of(inp(kind, "Valeur", **kwargs))


@pytest.mark.parametrize("kind, posted, stored", [
    ("text", "  Agent Dupont  ", "Agent Dupont"),
    ("long_text", "Ligne 1\nLigne 2", "Ligne 1\nLigne 2"),
    ("integer", "42", 42),
    ("integer", "-1000000000000", -10**12),
    ("integer", "1000000000000", 10**12),
    ("decimal", "3.141592", "3.141592"),
    ("decimal", "-2.5", "-2.5"),
    ("amount", "1234.56", "1234.56"),
    ("amount", "0", "0.00"),
    ("amount", "2,5", "2.50"),  # the French decimal comma
    ("decimal", "2,5", "2.5"),
    ("amount", "999999999999.99", "999999999999.99"),
    ("date", "2026-03-02", "2026-03-02"),
    ("date", "02/03/2026", "2026-03-02"),
    ("email", "agent@drac.gouv.fr", "agent@drac.gouv.fr"),
    ("phone", "+33 1 23 45 67 89", "+33 1 23 45 67 89"),
    ("phone", "03.88.00.00.00", "03.88.00.00.00"),
    ("siret", valid_siret(7), valid_siret(7)),
    ("siret", " ".join([valid_siret(7)[:3], valid_siret(7)[3:6], valid_siret(7)[6:9],
                        valid_siret(7)[9:]]), valid_siret(7)),
    ("iban", valid_iban(7), valid_iban(7)),
    ("iban", " ".join(valid_iban(7)[i:i + 4] for i in range(0, 27, 4)), valid_iban(7)),
    ("choice", "Vert", "Vert"),
    ("multiple_choice", ["Rouge", "Vert"], ["Rouge", "Vert"]),
    ("yes_no", "oui", "oui"),
    ("yes_no", "non", "non"),
])
def test_each_type_accepts_a_valid_value_and_stores_it_as_json(kind, posted, stored):
    schema = one_field(kind)
    form = step_form(schema, MultiValueDict({"k1": posted if isinstance(posted, list)
                                             else [posted]}))
    assert form.is_valid(), form.errors
    assert form.answers() == {"k1": stored}
    json.dumps(form.answers())  # what the case stores must be JSON


@pytest.mark.parametrize("kind, posted, message", [
    ("integer", "4.5", None),
    ("integer", "douze", None),
    ("integer", "1000000000001", None),
    ("integer", "-1000000000001", None),
    ("decimal", "1.1234567", None),
    ("decimal", "abc", None),
    ("amount", "-0.01", None),
    ("amount", "-100", None),
    ("amount", "10.001", None),
    ("amount", "1000000000000.00", None),
    ("date", "2026-02-30", None),
    ("date", "30 février", None),
    ("email", "agent@", None),
    ("phone", "appelez-moi", "Numéro de téléphone invalide."),
    ("phone", "12", "Numéro de téléphone invalide."),
    ("siret", valid_siret(7)[:-1] + str((int(valid_siret(7)[-1]) + 1) % 10), "SIRET"),
    ("siret", "1234567890123", "SIRET"),
    ("siret", "ABCDEFGHIJKLMN", "SIRET"),
    ("iban", valid_iban(7)[:-1] + str((int(valid_iban(7)[-1]) + 1) % 10), "IBAN"),
    ("iban", "FR76", "IBAN"),
    ("iban", "XX00 0000 0000 0000", "IBAN"),
    ("choice", "Violet", None),
    ("multiple_choice", ["Rouge", "Violet"], None),
    ("yes_no", "peut-être", None),
    ("yes_no", "Oui ", None),
])
def test_each_type_refuses_an_invalid_value_with_a_field_error(kind, posted, message):
    form = step_form(one_field(kind), MultiValueDict({"k1": posted if isinstance(posted, list)
                                                      else [posted]}))
    assert not form.is_valid()
    assert list(form.errors) == ["k1"]
    if message:
        assert any(message in error for error in form.errors["k1"]), form.errors


@pytest.mark.parametrize("kind", ["decimal", "amount"])
def test_numbers_in_exponent_notation_are_stored_as_plain_decimals(kind):
    form = step_form(one_field(kind), {"k1": "1e2"})
    assert form.is_valid(), form.errors
    answer = form.answers()["k1"]
    assert "E" not in answer.upper() and Decimal(answer) == 100


def test_the_siret_and_iban_messages_are_french_and_explain_the_key():
    siret = step_form(one_field("siret"), {"k1": "73282932000075"})
    iban = step_form(one_field("iban"), {"k1": "FR7630006000011234567890180"})
    assert not siret.is_valid() and not iban.is_valid()
    # The messages of cases.identifiers: they name the faulty part.
    assert siret.errors["k1"] == ["Clé de contrôle SIRET invalide : vérifiez les 14 chiffres."]
    assert iban.errors["k1"] == ["Clé de contrôle IBAN invalide (les 2 chiffres après le code "
                                 "pays) : vérifiez la saisie."]


@pytest.mark.parametrize("kind", ["text", "long_text", "integer", "decimal", "amount", "date",
                                  "choice", "multiple_choice", "yes_no", "email", "phone",
                                  "siret", "iban", "file"])
def test_required_and_optional_fields_when_left_empty(kind):
    required = step_form(one_field(kind), {})
    assert not required.is_valid()
    assert required.errors["k1"] == [REQUIRED]
    optional = step_form(one_field(kind, required=False), {})
    assert optional.is_valid(), optional.errors
    assert optional.answers() == ({} if kind == "file" else {"k1": None})


# --- StepForm: conditional fields, checked on the server ------------------------------------


def test_a_required_field_hidden_by_its_condition_is_not_required():
    schema = training_schema()
    form = step_form(schema, {"k1": "oui"})
    assert form.is_valid(), form.errors
    assert form.answers() == {"k1": "oui", "k2": None}


def test_a_forged_value_for_a_hidden_field_is_dropped():
    form = step_form(training_schema(), {"k1": "oui", "k2": "2026-05-04"})
    assert form.is_valid(), form.errors
    assert form.answers()["k2"] is None
    assert form.cleaned_data["k2"] is None


@pytest.mark.parametrize("garbage", ["pas une date", "x" * 10_000, "2026-02-30", "\x00"])
def test_an_invalid_value_for_a_hidden_field_gives_no_error(garbage):
    form = step_form(training_schema(), {"k1": "oui", "k2": garbage})
    assert form.is_valid(), form.errors
    assert form.answers() == {"k1": "oui", "k2": None}


def test_a_shown_required_field_left_empty_is_an_error():
    form = step_form(training_schema(), {"k1": "non"})
    assert not form.is_valid()
    assert form.errors == {"k2": [REQUIRED]}
    form = step_form(training_schema(), {"k1": "non", "k2": ""})
    assert form.errors == {"k2": [REQUIRED]}


def test_a_shown_field_is_validated_and_kept():
    assert not step_form(training_schema(), {"k1": "non", "k2": "bientôt"}).is_valid()
    form = step_form(training_schema(), {"k1": "non", "k2": "2026-05-04"})
    assert form.is_valid(), form.errors
    assert form.answers() == {"k1": "non", "k2": "2026-05-04"}


def test_a_field_controlled_by_a_missing_or_invalid_answer_stays_hidden():
    form = step_form(training_schema(), {"k2": "n'importe quoi"})
    assert form.errors == {"k1": [REQUIRED]}
    form = step_form(training_schema(), {"k1": "peut-être", "k2": "n'importe quoi"})
    assert list(form.errors) == ["k1"]


def test_conditions_cascade_through_a_hidden_controller():
    schema = schema_of(
        inp("yes_no", "Nouvel agent"),
        inp("choice", "Profil", choices=["Consultation", "Validation"],
            show_if=("Nouvel agent", "oui")),
        inp("text", "Numero de l arrete", show_if=("Profil", "Validation")),
    )
    # The profile is hidden, so whatever is posted for it cannot reveal the third field.
    form = step_form(schema, {"k1": "non", "k2": "Validation"})
    assert form.is_valid(), form.errors
    assert form.answers() == {"k1": "non", "k2": None, "k3": None}
    form = step_form(schema, {"k1": "oui", "k2": "Validation"})
    assert form.errors == {"k3": [REQUIRED]}


def test_a_condition_on_a_previous_steps_answer_uses_previous_answers():
    schema = training_schema(same_step=False)
    assert [len(step["items"]) for step in schema["steps"]] == [1, 1]

    form = step_form(schema, {}, step=1, previous={"k1": "non"})
    assert form.errors == {"k3": [REQUIRED]}
    form = step_form(schema, {"k3": "2026-05-04"}, step=1, previous={"k1": "non"})
    assert form.is_valid() and form.answers() == {"k3": "2026-05-04"}

    for previous in ({"k1": "oui"}, {}, None):
        form = step_form(schema, {"k3": "2026-05-04"}, step=1, previous=previous)
        assert form.is_valid(), form.errors
        assert form.answers() == {"k3": None}


def test_the_browser_is_told_a_field_is_required_only_when_it_always_applies():
    form = step_form(training_schema(), None)
    # Both are required as the editors said (no « (Optionnel) » beside them)...
    assert form.fields["k1"].required and form.fields["k2"].required
    # ...but the browser insists only on the one always shown: the conditional one may be
    # hidden, and the server drops it then.
    assert "required" in form["k1"].build_widget_attrs({})
    assert "required" not in form["k2"].build_widget_attrs({})
    html = form.as_div()
    assert html.count(" required") == html.count('name="k1"')


def test_display_items_are_kept_for_the_template_but_are_no_fields():
    schema = schema_of(section("La personne"), inp("text", "Nom"), explanation("Texte"))
    form = step_form(schema, None)
    assert list(form.fields) == ["k2"]
    assert [item["type"] for item in form.display_items] == ["section", "text", "explanation"]


# --- hostile values: field errors, never exceptions ----------------------------------------

ALL_KINDS = ["text", "long_text", "integer", "decimal", "amount", "date", "choice",
             "multiple_choice", "yes_no", "email", "phone", "siret", "iban"]


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("value", [
    pytest.param("x" * 10_000, id="10000-chars"),
    pytest.param("12\x0034", id="nul-byte"),
    pytest.param("\x00", id="only-nul"),
    pytest.param("9" * 5_000, id="5000-digits"),
    pytest.param("é" * 4001 + "\u202e", id="long-unicode"),
])
def test_hostile_values_give_field_errors_for_every_type(kind, value):
    form = step_form(one_field(kind), MultiValueDict({"k1": [value]}))
    assert not form.is_valid()
    assert list(form.errors) == ["k1"]


@pytest.mark.parametrize("kind", ["integer", "decimal", "amount"])
@pytest.mark.parametrize("value", ["1e999999999", "-1e999999999", "1e-999999999", "NaN",
                                   "sNaN", "Infinity", "-Infinity", "0x10",
                                   "1" + "0" * 40])
def test_huge_or_special_numbers_give_field_errors(kind, value):
    form = step_form(one_field(kind), {"k1": value})
    assert not form.is_valid()
    assert list(form.errors) == ["k1"]


@pytest.mark.parametrize("value", ["0000-01-01", "10000-01-01", "2026-13-01", "2026-00-10",
                                   "9999-99-99", "-0001-01-01", "2026-02-29"])
def test_impossible_dates_give_field_errors(value):
    form = step_form(one_field("date"), {"k1": value})
    assert not form.is_valid()
    assert list(form.errors) == ["k1"]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "01/01/0001", "31/12/9999"])
def test_extreme_dates_never_raise_and_round_trip_as_iso(value):
    """Years 1 and 9999 are real dates for Django's DateField: no exception, and if the
    form accepts them, the stored answer is an ISO date the case page can show as is."""
    form = step_form(one_field("date"), {"k1": value})
    if form.is_valid():
        answer = form.answers()["k1"]
        assert answer in ("0001-01-01", "9999-12-31")
        schema = one_field("date")
        assert answers_by_step(schema, {"k1": answer})[0]["rows"][0]["value"] == answer
    else:
        assert list(form.errors) == ["k1"]


def test_a_list_posted_for_a_single_value_field_is_not_an_exception():
    data = MultiValueDict({"k1": ["oui", "non"], "k2": ["1", "2"]})
    schema = schema_of(inp("yes_no", "Question"), inp("integer", "Nombre"))
    form = step_form(schema, data)
    # The last value wins (QueryDict semantics), as for any Django form.
    assert form.is_valid(), form.errors
    assert form.answers() == {"k1": "non", "k2": 2}


# --- schema helpers -----------------------------------------------------------------------------


def test_first_amount_follows_the_schema_order_and_skips_empty_answers():
    schema = schema_of(inp("text", "Objet"), inp("amount", "Montant HT"),
                       step_break("Suite"), inp("amount", "Montant TTC"))
    # k3 is the step break.
    assert first_amount(schema, {"k4": "120.00", "k2": "100.00"}) == Decimal("100.00")
    assert first_amount(schema, {"k2": None, "k4": "120.00"}) == Decimal("120.00")
    assert first_amount(schema, {"k2": ""}) == Decimal("0")
    assert first_amount(schema_of(inp("text", "Objet")), {"k1": "12"}) == Decimal("0")


def test_answers_by_step_leaves_out_fields_that_did_not_apply():
    schema = schema_of(section("La personne"), inp("yes_no", TRAINING),
                       inp("date", TRAINING_DATE, show_if=(TRAINING, "non")),
                       inp("multiple_choice", "Profils", choices=["A", "B"]),
                       step_break("Pieces"), inp("file", "Arrete", required=False),
                       step_break("Vide"), explanation("Rien a saisir"))
    answers = {"k2": "oui", "k3": "2026-05-04", "k4": ["A", "B"],
               "k6": {"attachment": 1, "name": "arrete.pdf"}}
    assert answers_by_step(schema, answers) == [
        {"title": "Votre demande", "rows": [
            {"label": TRAINING, "value": "oui", "type": "yes_no"},
            {"label": "Profils", "value": "A, B", "type": "multiple_choice"}]},
        {"title": "Pieces", "rows": [
            {"label": "Arrete", "value": "arrete.pdf", "type": "file"}]},
    ]


# --- pages in the catalogue -------------------------------------------------------------------


@pytest.fixture
def editorial(db):
    return editorial_setup()


@pytest.fixture
def publish_form(editorial):
    """Publish a catalogue form under the catalogue; returns it fresh from the database."""
    numbers = itertools.count(1)

    def publish(fields, *, title=None, services=(), live=True, form_kind="generic",
                **settings):
        n = next(numbers)
        page = ProcedureFormPage(title=title or f"Formulaire numero {n}", slug=f"formulaire-{n}",
                                 form_kind=form_kind, fields=fields, **settings)
        page.services = list(services)
        page.live = live
        editorial.sections["catalogue"].add_child(instance=page)
        revision = page.save_revision()
        if live:
            revision.publish()
        return ProcedureFormPage.objects.get(pk=page.pk)

    return publish


def republish(page: ProcedureFormPage, edit) -> ProcedureFormPage:
    """Let `edit` change the page's raw blocks (ids kept, as in the admin), then publish."""
    page = ProcedureFormPage.objects.get(pk=page.pk)
    raw = copy.deepcopy([dict(block) for block in page.fields.raw_data])
    page.fields = json.dumps(edit(raw))
    page.save_revision().publish()
    return ProcedureFormPage.objects.get(pk=page.pk)


BADGE_FIELDS = [
    section("La personne"),
    inp("text", "Nom de l agent"),
    inp("amount", "Montant estime", required=False),
    inp("yes_no", "Urgent"),
    inp("text", "Motif de l urgence", show_if=("Urgent", "oui")),
    step_break("Financement"),
    inp("amount", "Montant plafond", required=False),
]


@pytest.fixture
def badge_form(publish_form):
    return publish_form(BADGE_FIELDS, title="Demande de badge")


@pytest.fixture
def no_delegation_agent(sp):
    return member(sp, Role.SP_AGENT, username="agent_sans_delegation")


def draft(page, actor, service):
    return case_services.catalogue_draft_create(actor=actor, service=service, procedure=page)


def answers_for(page, **by_label) -> dict:
    return {key_of(page.field_schema, label): value for label, value in by_label.items()}


def test_field_schema_uses_the_stream_block_ids_as_keys(badge_form):
    schema = badge_form.field_schema
    raw_ids = [block["id"] for block in badge_form.fields.raw_data
               if block["type"] not in ("section", "step_break")]
    assert [item["key"] for item in input_items(schema)] == raw_ids
    assert all(raw_ids) and len(set(raw_ids)) == len(raw_ids)
    assert [step["title"] for step in schema["steps"]] == ["Votre demande", "Financement"]
    assert badge_form.validation_policy() == {"required": False, "above": None}


# --- services -----------------------------------------------------------------------------------


def test_catalogue_draft_create_pins_the_live_revision_and_its_schema(badge_form, sp, sp_agent):
    case = draft(badge_form, sp_agent, sp)

    case.refresh_from_db()
    assert case.kind == CaseKind.GENERIC and case.state == State.DRAFT
    assert case.requesting_service == sp and case.processing_centre == sp.processing_centre
    assert case.procedure == badge_form
    assert case.procedure_revision == badge_form.live_revision
    assert case.procedure_revision is not None
    assert case.subject == "Demande de badge"
    pinned = {name: case.extra.get(name) for name in ("procedure_title", "schema", "answers",
                                                      "validation")}
    assert pinned == {"procedure_title": "Demande de badge", "schema": badge_form.field_schema,
                      "answers": {}, "validation": {"required": False, "above": None}}
    assert case.created_by == sp_agent and not case.reference


def test_catalogue_draft_create_refuses_a_form_not_open_to_the_service(publish_form, sp, other_sp,
                                                                     sp_agent):
    restricted = publish_form([inp("text", "Objet")], services=[other_sp])
    with pytest.raises(case_services.CaseError, match="pas ouvert à votre service"):
        draft(restricted, sp_agent, sp)
    assert not Case.objects.exists()


@pytest.mark.parametrize("page_settings", [
    pytest.param({"live": False}, id="unpublished"),
])
def test_catalogue_draft_create_refuses_other_unusable_forms(publish_form, sp, sp_agent,
                                                           page_settings):
    page = publish_form([inp("text", "Objet")], **page_settings)
    with pytest.raises(case_services.CaseError):
        draft(page, sp_agent, sp)
    assert not Case.objects.exists()


def test_catalogue_draft_create_refuses_a_user_outside_the_service(badge_form, sp,
                                                                 foreign_sp_agent):
    with pytest.raises(case_services.CaseError):
        draft(badge_form, foreign_sp_agent, sp)


def test_answers_record_keeps_known_keys_and_takes_the_first_amount(badge_form, sp, sp_agent):
    case = draft(badge_form, sp_agent, sp)
    answers = answers_for(badge_form, **{"Montant plafond": "900.00", "Nom de l agent": "Dupont",
                                         "Montant estime": "250.50", "Urgent": "non"})
    section_key = badge_form.field_schema["steps"][0]["items"][0]["key"]

    case = case_services.answers_record(case=case, actor=sp_agent, answers={
        **answers, "forged": "x", section_key: "pas une question", "amount": "1"})

    case.refresh_from_db()
    assert case.extra["answers"] == answers
    assert case.amount == Decimal("250.50")
    assert case.extra["schema"] == badge_form.field_schema  # the rest of extra is kept

    case = case_services.answers_record(case=case, actor=sp_agent, answers=answers_for(
        badge_form, **{"Montant estime": None, "Montant plafond": "900.00"}))
    assert case.amount == Decimal("900.00")
    case = case_services.answers_record(case=case, actor=sp_agent, answers={})
    assert case.amount == Decimal("0") and case.extra["answers"] == {}


def test_answers_record_is_refused_to_others_and_after_submission(badge_form, sp, sp_agent,
                                                                ordonnateur):
    case = draft(badge_form, sp_agent, sp)
    with pytest.raises(case_services.CaseError):
        case_services.answers_record(case=case, actor=ordonnateur, answers={})
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert case.state == State.SUBMITTED
    with pytest.raises(case_services.CaseError):
        case_services.answers_record(case=case, actor=sp_agent, answers={})


def test_editing_the_page_never_changes_a_case_already_started(badge_form, sp, sp_agent):
    case = draft(badge_form, sp_agent, sp)
    old_schema, old_revision = badge_form.field_schema, badge_form.live_revision
    case_services.answers_record(case=case, actor=sp_agent, answers=answers_for(
        badge_form, **{"Nom de l agent": "Dupont", "Montant estime": "250.00", "Urgent": "oui",
                       "Motif de l urgence": "Prise de poste lundi"}))

    def edit(raw):
        by_label = {b["value"].get("label"): b for b in raw}
        by_label["Nom de l agent"]["value"]["label"] = "Nom complet"
        by_label["Urgent"]["value"]["label"] = "Demande urgente"
        by_label["Motif de l urgence"]["value"]["show_if_field"] = "Demande urgente"
        # Move the ceiling first, drop the estimate, add a new required question.
        raw.remove(by_label["Montant estime"])
        raw.remove(by_label["Montant plafond"])
        raw.insert(0, by_label["Montant plafond"])
        raw.append({"type": "email", "value": {"label": "Adresse du responsable",
                                               "required": True, "help_text": "",
                                               "show_if_field": "", "show_if_value": ""}})
        return raw

    edited = republish(badge_form, edit)

    assert edited.live_revision != old_revision
    assert [i["label"] for i in input_items(edited.field_schema)] == [
        "Montant plafond", "Nom complet", "Demande urgente", "Motif de l urgence",
        "Adresse du responsable"]
    case.refresh_from_db()
    assert case.extra["schema"] == old_schema
    assert case.procedure_revision == old_revision
    assert answers_by_step(case.extra["schema"], case.extra["answers"]) == [
        {"title": "Votre demande", "rows": [
            {"label": "Nom de l agent", "value": "Dupont", "type": "text"},
            {"label": "Montant estime", "value": "250.00", "type": "amount"},
            {"label": "Urgent", "value": "oui", "type": "yes_no"},
            {"label": "Motif de l urgence", "value": "Prise de poste lundi", "type": "text"}]},
        {"title": "Financement", "rows": [
            {"label": "Montant plafond", "value": None, "type": "amount"}]},
    ]
    # Filling again still goes by the pinned schema: the removed field is kept, the new
    # one is unknown to this case.
    new_key = key_of(edited.field_schema, "Adresse du responsable")
    case = case_services.answers_record(case=case, actor=sp_agent, answers={
        key_of(old_schema, "Montant estime"): "300.00", new_key: "chef@drac.gouv.fr"})
    assert new_key not in case.extra["answers"] and case.amount == Decimal("300.00")


# --- the validation policy of a catalogue form ----------------------------------------------


@pytest.fixture
def amount_form(publish_form):
    def make(**policy):
        return publish_form([inp("text", "Objet"), inp("amount", "Montant TTC")], **policy)

    return make


def submit(page, actor, service, amount):
    case = draft(page, actor, service)
    case_services.answers_record(case=case, actor=actor, answers=answers_for(
        page, **{"Objet": "Formation", "Montant TTC": amount}))
    return case_services.transition(case=case, action=Action.SUBMIT, actor=actor)


def test_without_required_validation_any_amount_goes_to_the_centre(amount_form, sp,
                                                                   sp_agent,
                                                                   no_delegation_agent):
    page = amount_form(validation_required=False)
    assert submit(page, sp_agent, sp, "90000.00").state == State.SUBMITTED
    case = submit(page, no_delegation_agent, sp, "90000.00")
    assert case.state == State.SUBMITTED
    assert case.reference.startswith(f"DG-{sp.code}-") and case.due_at is not None


@pytest.mark.parametrize("amount", ["500.00", "1000.00"])
def test_required_validation_is_waived_up_to_the_threshold(amount_form, sp, no_delegation_agent,
                                                           amount):
    page = amount_form(validation_required=True, validation_above=Decimal("1000"))
    assert submit(page, no_delegation_agent, sp, amount).state == State.SUBMITTED


def test_above_the_threshold_the_agents_own_delegation_covers_the_amount(amount_form, sp,
                                                                         sp_agent):
    page = amount_form(validation_required=True, validation_above=Decimal("1000"))
    # creator_may_commit falls back to the creator's delegation (5 000 €): no ordonnateur.
    assert submit(page, sp_agent, sp, "2000.00").state == State.SUBMITTED
    assert submit(page, sp_agent, sp, "5000.00").state == State.SUBMITTED
    assert submit(page, sp_agent, sp, "5000.01").state == State.AWAITING_VALIDATION


def test_above_the_threshold_without_delegation_an_ordonnateur_validates(
        amount_form, sp, no_delegation_agent, ordonnateur, low_ordonnateur):
    page = amount_form(validation_required=True, validation_above=Decimal("1000"))
    case = submit(page, no_delegation_agent, sp, "1000.01")
    assert case.state == State.AWAITING_VALIDATION
    assert case.reference.startswith("DG-") and case.submitted_at is None

    with pytest.raises(case_services.CaseError, match="ne couvre pas"):
        case_services.transition(case=case, action=Action.VALIDATE, actor=low_ordonnateur,
                                 comment="")
    case = case_services.transition(case=case, action=Action.VALIDATE, actor=ordonnateur)
    assert case.state == State.SUBMITTED and case.submitted_at is not None


def test_required_validation_without_threshold_applies_to_every_amount(amount_form, sp,
                                                                       no_delegation_agent,
                                                                       ordonnateur):
    page = amount_form(validation_required=True)
    case = submit(page, no_delegation_agent, sp, "10.00")
    assert case.state == State.AWAITING_VALIDATION
    case = case_services.transition(case=case, action=Action.VALIDATE, actor=ordonnateur)
    assert case.state == State.SUBMITTED


def test_the_policy_is_pinned_on_the_case_when_the_draft_starts(amount_form, sp,
                                                                no_delegation_agent):
    page = amount_form(validation_required=False)
    case = draft(page, no_delegation_agent, sp)
    page.validation_required = True
    page.save_revision().publish()
    case_services.answers_record(case=case, actor=no_delegation_agent, answers=answers_for(
        page, **{"Objet": "Formation", "Montant TTC": "50.00"}))
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=no_delegation_agent)
    assert case.extra["validation"] == {"required": False, "above": None}
    assert case.state == State.SUBMITTED


# --- the generic workflow -----------------------------------------------------------------------


def test_a_generic_case_reaches_the_centres_queue(badge_form, sp, sp_agent, csp_agent,
                                                  foreign_csp_agent):
    case = draft(badge_form, sp_agent, sp)
    assert case not in case_queue_for_user(user=csp_agent)
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert list(case_queue_for_user(user=csp_agent)) == [case]
    assert not case_queue_for_user(user=foreign_csp_agent).exists()


def test_a_generic_case_is_claimed(badge_form, sp, sp_agent, csp_agent):
    case = case_services.transition(case=draft(badge_form, sp_agent, sp), action=Action.SUBMIT,
                                    actor=sp_agent)
    case = case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)
    assert case.state == State.IN_PROGRESS and case.assigned_to == csp_agent
    assert Action.COMPLETE in case_services.case_available_actions(case=case, user=csp_agent)


def test_a_generic_case_is_completed_without_an_ej_number(badge_form, sp, sp_agent, csp_agent):
    case = case_services.transition(case=draft(badge_form, sp_agent, sp), action=Action.SUBMIT,
                                    actor=sp_agent)
    case = case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    comment="Accès ouvert")
    assert case.state == State.COMPLETED and case.completed_at is not None
    assert case.events.filter(action=Action.COMPLETE).get().comment == "Accès ouvert"


# --- selectors ----------------------------------------------------------------------------------


def titles(pages) -> list[str]:
    return [page.title for page in pages]


@pytest.fixture
def catalogue(publish_form, sp, other_sp):
    return {
        "open": publish_form([inp("text", "Objet")], title="Ouvert a tous"),
        "sp": publish_form([inp("text", "Objet")], title="Reserve DRAC", services=[sp]),
        "both": publish_form([inp("text", "Objet")], title="DRAC et DREAL",
                             services=[sp, other_sp]),
        "other": publish_form([inp("text", "Objet")], title="Reserve DREAL",
                              services=[other_sp]),
        "unpublished": publish_form([inp("text", "Objet")], title="Brouillon", live=False),
        "purchase": publish_form([], title="Acheter", form_kind="purchase_request"),
    }


def test_catalogue_for_user_lists_the_live_forms_of_the_users_services(
        catalogue, sp, other_sp, sp_agent, foreign_sp_agent, csp_agent):
    assert titles(catalogue_for_user(sp_agent)) == ["Ouvert a tous", "Reserve DRAC",
                                                    "DRAC et DREAL", "Acheter"]
    assert titles(catalogue_for_user(foreign_sp_agent)) == ["Ouvert a tous", "DRAC et DREAL",
                                                            "Reserve DREAL", "Acheter"]
    assert titles(catalogue_for_user(csp_agent)) == []
    assert titles(forms_for_service(sp)) == titles(catalogue_for_user(sp_agent))

    both = member(sp, Role.SP_AGENT, username="deux_services")
    portal_services.membership_grant(user=both, service=other_sp, role=Role.SP_AGENT)
    assert titles(catalogue_for_user(both)) == ["Ouvert a tous", "Reserve DRAC",
                                                "DRAC et DREAL", "Reserve DREAL", "Acheter"]


def test_unpublishing_a_form_removes_it_from_the_catalogue(catalogue, sp_agent):
    catalogue["sp"].unpublish()
    assert catalogue["sp"] not in catalogue_for_user(sp_agent)


def test_restricting_a_form_later_removes_it_for_other_services(catalogue, sp, other_sp,
                                                                foreign_sp_agent):
    page = ProcedureFormPage.objects.get(pk=catalogue["open"].pk)
    page.services.set([sp])
    page.save_revision().publish()
    assert catalogue["open"] not in catalogue_for_user(foreign_sp_agent)
    assert ProcedureFormPage.objects.get(pk=page.pk).service_codes == [sp.code]


# --- API v2 ---------------------------------------------------------------------------------


def test_api_v2_exposes_the_field_schema_and_the_services(client, badge_form, catalogue, sp,
                                                          other_sp):
    response = client.get("/api/v2/pages/", {"type": "forms_catalog.ProcedureFormPage",
                                             "fields": "*"})
    assert response.status_code == 200
    items = {item["title"]: item for item in response.json()["items"]}
    assert "Brouillon" not in items
    badge = items["Demande de badge"]
    assert badge["form_kind"] == "generic"
    assert badge["service_codes"] == []
    assert badge["validation_required"] is False
    assert badge["field_schema"] == json.loads(json.dumps(badge_form.field_schema))
    steps = badge["field_schema"]["steps"]
    assert [step["title"] for step in steps] == ["Votre demande", "Financement"]
    assert [item["type"] for item in steps[0]["items"]] == ["section", "text", "amount",
                                                            "yes_no", "text"]
    assert steps[0]["items"][4]["show_if"] == {"key": steps[0]["items"][3]["key"],
                                               "value": "oui"}
    assert items["DRAC et DREAL"]["service_codes"] == sorted([sp.code, other_sp.code])


def test_the_admin_form_edits_required_attachments_as_check_boxes():
    from django import forms as django_forms

    form_class = ProcedureFormPage.get_edit_handler().get_form_class()
    field = form_class.base_fields["required_attachments"]
    assert isinstance(field, django_forms.MultipleChoiceField)
    assert field.clean(["quote", "price_schedule"]) == ["quote", "price_schedule"]
    with pytest.raises(django_forms.ValidationError):
        field.clean(["../etc"])
