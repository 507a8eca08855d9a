"""Conditions on any earlier field (forms_catalog/conditions.py): evaluated alone, checked at
publication (build_schema, ProcedureFormPage.clean), applied on the server at submission
(a hidden field is neither required nor stored, forged values dropped, across steps), and
the conditions of the first forms (show_if) still read from old pages and pinned schemas."""


import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from forms_catalog.conditions import condition_of, evaluate
from forms_catalog.forms import StepForm
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import SchemaError, applicable_answers, input_items, is_shown
from forms_catalog.selectors import answers_by_step
from forms_catalog.tests.test_field_types import block, schema_of

REQUIRED = "Ce champ est obligatoire."


def rule(field, operator, value=""):
    return {"field": field, "operator": operator, "value": value}


def when(*rules, combine="and"):
    return {"conditions": {"combine": combine, "rules": list(rules)}}


# --- evaluate() ----------------------------------------------------------------------------------


def r(operator, value="", key="a"):
    return {"key": key, "operator": operator, "value": value}


@pytest.mark.parametrize("condition, answers, expected", [
    (None, {}, True),
    ({"combine": "and", "rules": []}, {}, True),
    ({"rules": [r("equals", "oui")]}, {"a": " OUI "}, True),
    ({"rules": [r("equals", "oui")]}, {"a": ["oui"]}, False),
    ({"rules": [r("equals", "oui")]}, {}, False),
    ({"rules": [r("not_equals", "oui")]}, {"a": "non"}, True),
    ({"rules": [r("not_equals", "oui")]}, {}, False),  # unanswered: no rule but « vide »
    ({"rules": [r("gt", "1000")]}, {"a": "1000.01"}, True),
    ({"rules": [r("gt", "1000")]}, {"a": "1000.00"}, False),
    ({"rules": [r("lt", "2,5")]}, {"a": 2}, True),
    ({"rules": [r("lt", "2.5")]}, {"a": "abc"}, False),
    ({"rules": [r("gt", "0")]}, {"a": True}, False),
    ({"rules": [r("filled")]}, {"a": [{"x": 1}]}, True),
    ({"rules": [r("filled")]}, {"a": []}, False),
    ({"rules": [r("empty")]}, {"a": None}, True),
    ({"rules": [r("empty")]}, {"a": {"street": "x"}}, False),
    ({"rules": [r("whatever")]}, {"a": "x"}, False),
    ({"combine": "and", "rules": [r("filled"), r("equals", "x", key="b")]}, {"a": 1}, False),
    ({"combine": "or", "rules": [r("filled"), r("equals", "x", key="b")]}, {"a": 1}, True),
    ({"combine": "or", "rules": [r("empty"), r("equals", "x", key="b")]}, {"a": 1}, False),
])
def test_evaluate(condition, answers, expected):
    assert evaluate(condition, answers) is expected


@settings(max_examples=200, deadline=None)
@given(answer=st.decimals(allow_nan=False, allow_infinity=False, places=2,
                          min_value=-10**9, max_value=10**9),
       bound=st.decimals(allow_nan=False, allow_infinity=False, places=3,
                         min_value=-10**9, max_value=10**9))
def test_number_rules_agree_with_decimal_comparison(answer, bound):
    assert evaluate({"rules": [r("gt", str(bound))]}, {"a": str(answer)}) is (answer > bound)
    assert evaluate({"rules": [r("lt", str(bound))]}, {"a": format(answer, "f")}) is (
        answer < bound)


def test_old_show_if_conditions_are_read_as_one_equals_rule():
    item = {"type": "date", "key": "k2", "show_if": {"key": "k1", "value": "non"}}
    assert condition_of(item) == {"combine": "and", "rules": [
        {"key": "k1", "operator": "equals", "value": "non"}]}
    assert is_shown(item, {"k1": "Non"}) and not is_shown(item, {"k1": "oui"})
    assert is_shown({"type": "text", "key": "k3", "show_if": None}, {})


# --- publication -----------------------------------------------------------------------------

AMOUNT, KIND, NOTE = "Montant estime", "Nature", "Precisions"


def base(*extra):
    return [block("amount", AMOUNT, required=False),
            block("choice", KIND, choices=["Logiciel", "Materiel"]), *extra]


@pytest.mark.parametrize("blocks, expected", [
    pytest.param(base(block("text", NOTE, **when(rule("Inconnu", "filled")))),
                 "« Inconnu », qui n'est pas un champ placé avant lui", id="unknown"),
    pytest.param([block("text", NOTE, **when(rule(AMOUNT, "gt", "10"))),
                  block("amount", AMOUNT)], "qui est placé après lui", id="later"),
    pytest.param(base(block("text", NOTE, **when(rule(AMOUNT, "equals", "10")))),
                 "n'est pas un champ oui/non ou à choix", id="equals-on-number"),
    pytest.param(base(block("text", NOTE, **when(rule(KIND, "gt", "10")))),
                 "ce n'est pas un champ numérique", id="gt-on-choice"),
    pytest.param(base(block("text", NOTE, **when(rule(AMOUNT, "lt", "dix")))),
                 "« dix » n'est pas un nombre", id="not-a-number"),
    pytest.param(base(block("text", NOTE, **when(rule(KIND, "not_equals", "Service")))),
                 "(valeurs : Logiciel, Materiel)", id="impossible-choice"),
    pytest.param(base(block("text", NOTE, **when(rule(KIND, "equals", "Logiciel"),
                                                 rule(AMOUNT, "filled"),
                                                 rule("Supprime", "empty")))),
                 "« Supprime »", id="deleted-in-a-list"),
])
def test_publication_refuses_inconsistent_conditions(blocks, expected):
    with pytest.raises(SchemaError) as excinfo:
        schema_of(*blocks)
    assert expected in str(excinfo.value)


def test_a_consistent_condition_is_stored_by_key_with_its_operators():
    schema = schema_of(*base(block("text", NOTE, **when(
        rule(" montant ESTIME ", "gt", "1 000,5"), rule(KIND, "equals", "LOGICIEL"),
        combine="or"))))
    note = input_items(schema)[2]
    assert note["condition"] == {"combine": "or", "rules": [
        {"key": "k1", "operator": "gt", "value": "1000.5"},
        {"key": "k2", "operator": "equals", "value": "logiciel"}]}


def test_the_simple_condition_and_the_rules_add_up():
    schema = schema_of(*base(block("text", NOTE, show_if_field=KIND, show_if_value="Logiciel",
                                   **when(rule(AMOUNT, "filled")))))
    assert [r["operator"] for r in input_items(schema)[2]["condition"]["rules"]] == [
        "equals", "filled"]


def test_the_page_refuses_a_condition_on_a_later_field_when_saved(editorial):
    page = ProcedureFormPage(title="Incoherent", slug="incoherent", fields=[
        block("text", NOTE, **when(rule(AMOUNT, "gt", "10"))), block("amount", AMOUNT)])
    with pytest.raises(ValidationError) as excinfo:
        page.clean()
    assert "placé après lui" in excinfo.value.message_dict["fields"][0]


# --- at submission ------------------------------------------------------------------------------


def form_of(schema, data, step=0, previous=None):
    return StepForm(data=data, items=schema["steps"][step]["items"], previous_answers=previous)


def number_schema():
    return schema_of(*base(
        block("long_text", NOTE, **when(rule(AMOUNT, "gt", "1000"), rule(KIND, "equals",
                                                                         "Logiciel"),
                                        combine="or")),
        block("yes_no", "Urgent", required=False),
        block("text", "Motif", **when(rule("Urgent", "filled"), rule(AMOUNT, "lt", "50")))))


@pytest.mark.parametrize("data, note_shown, motive_shown", [
    ({"k1": "1000,01", "k2": "Materiel"}, True, False),
    ({"k1": "1000", "k2": "Materiel"}, False, False),
    ({"k1": "", "k2": "Logiciel"}, True, False),
    ({"k1": "10", "k2": "Materiel", "k4": "non"}, False, True),
    ({"k1": "10", "k2": "Materiel"}, False, False),
    ({"k1": "60", "k2": "Materiel", "k4": "oui"}, False, False),
])
def test_conditions_decide_what_is_required_and_stored(data, note_shown, motive_shown):
    form = form_of(number_schema(), data)
    assert form.is_valid() is not (note_shown or motive_shown)
    assert set(form.errors) == {key for key, shown in (("k3", note_shown),
                                                       ("k5", motive_shown)) if shown}
    assert all(errors == [REQUIRED] for errors in form.errors.values())
    forged = form_of(number_schema(), {**data, "k3": "texte force", "k5": "motif force"})
    assert forged.is_valid(), forged.errors
    answers = forged.answers()
    assert answers["k3"] == ("texte force" if note_shown else None)
    assert answers["k5"] == ("motif force" if motive_shown else None)


def test_forged_hidden_values_are_dropped_across_steps():
    schema = schema_of(block("integer", "Nombre de postes"),
                       ("step_break", {"title": "Details"}),
                       block("text", "Salle", **when(rule("Nombre de postes", "gt", "5"))),
                       block("text", "Batiment", **when(rule("Salle", "filled"))))
    # On its own step, with the earlier step's answer.
    form = form_of(schema, {"k3": "B12", "k4": "Nord"}, step=1, previous={"k1": 3})
    assert form.is_valid() and form.answers() == {"k3": None, "k4": None}
    form = form_of(schema, {"k3": "B12", "k4": "Nord"}, step=1, previous={"k1": 6})
    assert form.answers() == {"k3": "B12", "k4": "Nord"}
    # The earlier answer changed since: the later step's answers go, and what hung on them.
    assert applicable_answers(schema, {"k1": 2, "k3": "B12", "k4": "Nord"}) == {"k1": 2}
    assert answers_by_step(schema, {"k1": 2, "k3": "B12", "k4": "Nord"}) == [
        {"title": "Votre demande", "rows": [
            {"label": "Nombre de postes", "value": 2, "type": "integer"}]}]


def test_a_condition_on_a_repetition_block_being_filled():
    schema = schema_of(
        block("repetition", "Participants", required=False, min_rows=0, max_rows=3,
              fields=[{"type": "text", "id": "s1", "value": {"label": "Nom", "help_text": "",
                                                              "required": True}}]),
        block("text", "Salle", **when(rule("Participants", "filled"))))
    form = form_of(schema, {"k1__rows": "1", "k1__0__s1": "", "k2": "forcee"})
    assert form.is_valid() and form.answers() == {"k1": None, "k2": None}
    form = form_of(schema, {"k1__rows": "1", "k1__0__s1": "Ada"})
    assert form.errors == {"k2": [REQUIRED]}


# --- the first forms' conditions, from old pages and old cases ----------------------------------

OLD_PINNED = {"steps": [{"title": "Votre demande", "items": [
    {"type": "yes_no", "key": "a", "label": "Urgent", "help_text": "", "required": True,
     "choices": [], "show_if": None},
    {"type": "text", "key": "b", "label": "Motif", "help_text": "", "required": True,
     "choices": [], "show_if": {"key": "a", "value": "oui"}}]}]}


def test_an_old_pinned_schema_is_still_evaluated_in_the_form_and_the_display():
    form = form_of(OLD_PINNED, {"a": "non", "b": "force"})
    assert form.is_valid() and form.answers() == {"a": "non", "b": None}
    form = form_of(OLD_PINNED, {"a": "oui"})
    assert form.errors == {"b": [REQUIRED]}
    assert [row["label"] for row in answers_by_step(OLD_PINNED, {"a": "non", "b": "x"})[0][
        "rows"]] == ["Urgent"]
    assert answers_by_step(OLD_PINNED, {"a": "oui", "b": "x"})[0]["rows"][1]["value"] == "x"


def test_an_old_page_value_without_the_new_blocks_still_builds(editorial):
    from forms_catalog.blocks import FieldStream

    raw = [{"type": "yes_no", "id": "a", "value": {
               "label": "Urgent", "help_text": "", "required": True,
               "show_if_field": "", "show_if_value": ""}},
           {"type": "text", "id": "b", "value": {
               "label": "Motif", "help_text": "", "required": True,
               "show_if_field": "Urgent", "show_if_value": "oui"}}]
    from forms_catalog.schema import build_schema

    schema = build_schema(FieldStream().to_python(raw), "Votre demande")
    assert input_items(schema)[1]["condition"] == {"combine": "and", "rules": [
        {"key": "a", "operator": "equals", "value": "oui"}]}


def test_the_editor_s_preview_describes_each_condition_in_words():
    from forms_catalog.preview import build_steps

    schema = schema_of(
        block("yes_no", "Urgent"), block("amount", "Montant"),
        block("text", "Motif", **when(rule("Urgent", "equals", "oui"),
                                      rule("Montant", "gt", "1000"), combine="or")),
        block("text", "Precision", required=False,
              **when(rule("Motif", "filled"), rule("Montant", "lt", "50"))),
        block("text", "Ancien", required=False, show_if_field="Urgent", show_if_value="non"))
    rows = {row["item"]["label"]: row.get("condition")
            for row in build_steps(schema)[0]["rows"]}
    assert rows["Urgent"] == ""
    assert rows["Motif"] == ("Affiché seulement si « Urgent » est égal à « oui » ou "
                             "« Montant » est supérieur à « 1000 ».")
    assert rows["Precision"] == ("Affiché seulement si « Motif » est rempli et « Montant » est "
                                 "inférieur à « 50 ».")
    assert rows["Ancien"] == "Affiché seulement si « Urgent » est égal à « non »."
