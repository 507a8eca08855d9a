"""A catalogue form in the REST API.

The answers a client posts (a JSON object keyed by field key, the block id) become the data
the wizard's page would post (`answer_data`: one line per field type that is not a plain
value), and are then checked by the wizard's own StepForm (cases.api_drafts). The JSON Schema
of the answers object (`answers_json_schema`) is read from the same StepForm fields — their
bounds, choices, patterns and required state — so that it describes what the server checks.
"""

from datetime import date
from decimal import Decimal

from django import forms
from django.core import validators
from django.utils.translation import gettext as _

from .forms import StepForm
from .schema import INPUT_TYPES, input_items


class AnswerError(ValueError):
    """An answer of the wrong shape; the message is in French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _one(key: str, value) -> dict[str, list[str]]:
    if isinstance(value, dict | list | bool):
        raise AnswerError(_("Une seule valeur est attendue (texte ou nombre)."))
    return {key: [str(value)]}


def _many(key: str, value) -> dict[str, list[str]]:
    if not isinstance(value, list) or any(isinstance(v, dict | list | bool) or v is None
                                          for v in value):
        raise AnswerError(_("Une liste de valeurs est attendue."))
    return {key: [str(v) for v in value]}


# What the wizard's page posts for an answer, by field type (default: the value as text).
# A new type whose input is not one plain value needs one line here.
ANSWER_DATA = {
    "multiple_choice": _many,
}
# Types whose answer is a file: the id of an attachment of the draft (POST
# /api/cases/<id>/attachments/), never the file itself.
FILE_TYPES = frozenset({"file"})


def answer_data(item: dict, value) -> dict[str, list[str]]:
    """The form data (field name -> values) the wizard's page would post for `value`; {} for
    no answer. AnswerError for a value of the wrong shape."""
    if value is None:
        return {}
    return ANSWER_DATA.get(item["type"], _one)(item["key"], value)


# --- the JSON Schema of a form's answers --------------------------------------------------------

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _bounds(field) -> tuple:
    low = high = None
    for validator in field.validators:
        if isinstance(validator, validators.MinValueValidator):
            low = validator.limit_value
        elif isinstance(validator, validators.MaxValueValidator):
            high = validator.limit_value
    return low, high


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _choices(field) -> list[str]:
    return [str(value) for value, _label in field.choices if value not in ("", None)]


def _field_schema(field) -> dict:
    """The JSON Schema of one Django form field's answer, from its own rules."""
    if isinstance(field, forms.FileField):
        return {"type": "integer", "minimum": 1,
                "x-attachment": True,
                "description": _("Identifiant d'une pièce jointe au brouillon (POST "
                                 "/api/cases/{id}/attachments/).")}
    if isinstance(field, forms.MultipleChoiceField):
        return {"type": "array", "items": {"type": "string", "enum": _choices(field)},
                "uniqueItems": True}
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": _choices(field)}
    low, high = _bounds(field)
    if isinstance(field, forms.DecimalField):  # before IntegerField: Django derives it
        whole = (field.max_digits - (field.decimal_places or 0)) if field.max_digits else None
        pattern = r"^-?[0-9]" + (f"{{1,{whole}}}" if whole else "+")
        if field.decimal_places:
            pattern += rf"([.,][0-9]{{1,{field.decimal_places}}})?"
        schema = {"type": ["number", "string"], "pattern": pattern + "$"}
    elif isinstance(field, forms.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "format": "date"}
        if isinstance(low, date):
            schema["formatMinimum"] = low.isoformat()
        if isinstance(high, date):
            schema["formatMaximum"] = high.isoformat()
        return schema
    else:
        schema = {"type": "string"}
        if isinstance(field, forms.EmailField):
            schema["format"] = "email"
        if isinstance(field, forms.RegexField):
            schema["pattern"] = field.regex.pattern
        if getattr(field, "max_length", None):
            schema["maxLength"] = field.max_length
        if getattr(field, "min_length", None):
            schema["minLength"] = field.min_length
        return schema
    if low is not None:
        schema["minimum"] = _number(low)
    if high is not None:
        schema["maximum"] = _number(high)
    return schema


def _condition_text(condition: dict, labels: dict[str, str]) -> str:
    if set(condition) >= {"key", "value"}:
        return (_("Demandé seulement si « %(label)s » vaut « %(value)s » ; sinon la réponse "
                  "est ignorée.") % {"label": labels.get(condition["key"], condition["key"]),
                                     "value": condition["value"]})
    return _("Demandé seulement sous condition (voir x-condition) ; sinon la réponse est "
             "ignorée.")


def answers_json_schema(schema: dict, *, title: str = "") -> dict:
    """The JSON Schema (draft 2020-12) of a form's answers object: one property per input
    field (key: the field's block id) with its label, help, type and bounds as the wizard's
    StepForm checks them; required fields, and fields asked under a condition described (their
    answer is dropped when the condition does not hold)."""
    properties, required, conditional, labels, steps = {}, [], [], {}, []
    for step in schema.get("steps", []):
        form = StepForm(items=step["items"])
        keys = []
        for item in step["items"]:
            if item["type"] not in INPUT_TYPES:
                continue
            key = item["key"]
            keys.append(key)
            labels[key] = item["label"]
            field = form.fields.get(key)
            base = _field_schema(field) if field is not None else {}
            described = {"title": item["label"], "x-type": item["type"]}
            help_text = " ".join(filter(None, [item.get("help_text") or "",
                                               base.pop("description", "")]))
            if help_text:
                described["description"] = help_text
            condition = item.get("show_if")
            if condition:
                described["x-condition"] = condition
                described["x-condition-text"] = _condition_text(condition, labels)
            if item.get("required") and not condition:
                required.append(key)
                properties[key] = {**described, **base}
            else:
                properties[key] = {**described, "anyOf": [base, {"type": "null"}]}
                if item.get("required") and set(condition) >= {"key", "value"}:
                    conditional.append({
                        "if": {"properties": {condition["key"]: {"const": condition["value"]}},
                               "required": [condition["key"]]},
                        "then": {"required": [key],
                                 "properties": {key: {"not": {"type": "null"}}}}})
        steps.append({"title": step["title"], "fields": keys})
    document = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": title or _("Réponses du formulaire"),
        "description": _("Les réponses d'un formulaire du catalogue : un objet dont chaque clé "
                         "est l'identifiant d'un champ. À envoyer dans `content.answers` "
                         "(POST /api/cases/, PUT ou PATCH /api/cases/{id}/content/). Un champ "
                         "dont la condition ne tient pas est ignoré ; un fichier se joint par "
                         "POST /api/cases/{id}/attachments/ puis se désigne par l'identifiant "
                         "de la pièce."),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "x-steps": steps,
    }
    if required:
        document["required"] = required
    if conditional:
        document["allOf"] = conditional
    return document


def keys_of(schema: dict) -> set[str]:
    return {item["key"] for item in input_items(schema)}
