"""The catalogue's step forms (forms_catalog/forms.py StepForm): each field type, conditional
fields checked on the server, hostile values giving field errors, never exceptions."""

import json
from decimal import Decimal

import pytest
from django.utils.datastructures import MultiValueDict

from forms_catalog.selectors import answers_by_step
from forms_catalog.tests.test_schema import (
    REQUIRED,
    explanation,
    inp,
    schema_of,
    section,
    step_form,
    training_schema,
)
from tests.factories import valid_iban, valid_siret

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
