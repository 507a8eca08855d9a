"""The form catalogue's schemas: built from the editors' fields (forms_catalog/schema.py), the
schema helpers, the pages' field schema; the helpers and page fixtures the other catalogue
tests share."""

import copy
import itertools
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases import services as case_services
from conventions.services import editorial_setup
from forms_catalog.blocks import FieldStream
from forms_catalog.forms import StepForm
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import SchemaError, build_schema, first_amount, input_items, is_shown
from forms_catalog.selectors import answers_by_step
from portal.models import Role
from tests.factories import member

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
                        "choices": [], "condition": None}
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
    assert items[2]["condition"] == {"combine": "and", "rules": [
        {"key": "k1", "operator": "equals", "value": "non"}]}
    assert items[3]["condition"]["rules"] == [
        {"key": "k2", "operator": "equals", "value": "validation (ordonnateur)"}]
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
