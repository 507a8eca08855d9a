"""A catalogue form in the REST API.

The answers a client posts (a JSON object keyed by field key, the block id) become the data
the wizard's page would post (`answer_data`: one line per field type that is not a plain
value: composite fields become `<key>__<part>` inputs, a repetition block its row count and
`<key>__<row>__<sub>` inputs), and are then checked by the wizard's own StepForm
(cases.api_drafts), whose errors are reported at `<key>.<part>` / `<key>.<row>.<sub>`.
The JSON Schema of the answers object (`answers_json_schema`) is read from the same StepForm
fields and schema items — bounds, choices, patterns, rows, required state, conditions — so
that it describes what the server checks.
"""

import re
from datetime import date
from decimal import Decimal

from django import forms
from django.core import validators
from django.utils.translation import gettext as _

from . import conditions as cond
from .forms import SEP, StepForm
from .schema import INPUT_TYPES, NO, YES, input_items


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


def _text(value, message) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise AnswerError(message)
    return str(value)


def _parts(item: dict, value, parts: tuple[str, ...], message: str) -> dict[str, list[str]]:
    """An object answer ({"street": …, "postcode": …}) as the page's `<key>__<part>` inputs."""
    if not isinstance(value, dict) or set(value) - set(parts):
        raise AnswerError(message)
    return {f"{item['key']}{SEP}{part}": [_text(value[part], message)]
            for part in parts if value.get(part) is not None}


def _address(item: dict, value) -> dict[str, list[str]]:
    return _parts(item, value, ("street", "postcode", "commune"), _(
        "Un objet est attendu : {\"street\": …, \"postcode\": …, \"commune\": …}."))


def _commune(item: dict, value) -> dict[str, list[str]]:
    return _parts(item, value, ("postcode", "commune"), _(
        "Un objet est attendu : {\"postcode\": …, \"commune\": …}."))


def _date_range(item: dict, value) -> dict[str, list[str]]:
    return _parts(item, value, ("start", "end"), _(
        "Un objet est attendu : {\"start\": \"AAAA-MM-JJ\", \"end\": \"AAAA-MM-JJ\"}."))


def _rows(item: dict, value) -> dict[str, list[str]]:
    """A repetition block's rows (a list of objects keyed by the sub-fields' keys) as the
    page posts them: the row count, then each row's fields. More rows than the block allows
    are refused here (the page never shows more); the minimum is the StepForm's."""
    key, subs = item["key"], {sub["key"]: sub for sub in item["fields"]}
    message = _("Une liste de lignes est attendue, chacune un objet dont les clés sont les "
                "identifiants des champs du bloc.")
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise AnswerError(message)
    if len(value) > item["max_rows"]:
        raise AnswerError(_("Au plus %(max)s ligne(s) (vous en avez envoyé %(count)s).")
                          % {"max": item["max_rows"], "count": len(value)})
    data = {f"{key}{SEP}rows": [str(len(value))]}
    for index, row in enumerate(value):
        for sub_key, sub_value in row.items():
            if sub_key not in subs:
                raise AnswerError(_("Ligne %(row)s : champ « %(key)s » inconnu dans ce bloc.")
                                  % {"row": index + 1, "key": str(sub_key)[:100]})
            if sub_value is None:
                continue
            data[f"{key}{SEP}{index}{SEP}{sub_key}"] = [_text(sub_value, _(
                "Ligne %(row)s : une seule valeur est attendue (texte ou nombre).")
                % {"row": index + 1})]
    return data


def _item_one(item: dict, value) -> dict[str, list[str]]:
    return _one(item["key"], value)


# What the wizard's page posts for an answer, by field type (default: the value as text,
# which fits nir, vat, department, country, bounded_number, pattern_text and case_link).
# A new type whose input is not one plain value needs one line here. Each takes the item and
# the answer as the case stores it (Case.extra["answers"]).
ANSWER_DATA = {
    "multiple_choice": lambda item, value: _many(item["key"], value),
    "address": _address,
    "commune": _commune,
    "date_range": _date_range,
    "repetition": _rows,
}
# Types whose answer is a file: the id of an attachment of the draft (POST
# /api/cases/<id>/attachments/), never the file itself; `files`: a list of such ids.
FILE_TYPES = frozenset({"file", "files"})


def answer_data(item: dict, value) -> dict[str, list[str]]:
    """The form data (field name -> values) the wizard's page would post for `value`; {} for
    no answer. AnswerError for a value of the wrong shape."""
    if value is None:
        return {}
    return ANSWER_DATA.get(item["type"], _item_one)(item, value)


def answer_path(field_name: str) -> str:
    """Where a StepForm field's error is in the answers object: `<key>__street` ->
    `<key>.street`, `<key>__rows` -> `<key>`, `<key>__0__<sub>` -> `<key>.0.<sub>`."""
    parts = field_name.split(SEP)
    if len(parts) == 2 and parts[1] == "rows":
        return parts[0]
    return ".".join(parts)


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


# A Python regex is emitted as a JSON Schema `pattern` (an ECMA-262 regex, which clients may
# compile with the « u » flag) only when both engines read it alike: literals, escaped syntax
# characters, classes of those, groups, alternations and quantifiers. `.` is written `[^\n]`
# (Python's dot; ECMA's also refuses \r). \d, \w, \s, \b, flags, named groups, lookarounds,
# back-references are read differently (Unicode digits…): such a pattern is only described.
_SYNTAX = r"\^$\\.*+?()[\]{}|/"
_SAFE_TOKEN = re.compile(
    rf"\\[{_SYNTAX}]"                                     # an escaped syntax character
    r"|\\[ntrfv]"                                         # a control character
    rf"|\[\^?(?:[^\\\[\]]|\\[{_SYNTAX}\-ntrfv])+\]"       # a class of those, ranges with -
    r"|\(\?:|[()|]"                                       # groups, alternation
    r"|[*+?]\??|\{\d+(?:,\d*)?\}\??"                      # quantifiers
    rf"|\.|[^{_SYNTAX}]")                                 # any character; a literal


def ecma_pattern(pattern: str) -> str | None:
    """The JSON Schema pattern matching exactly what re.fullmatch(pattern) matches, or None
    when it cannot be written safely."""
    body = pattern[1:] if pattern.startswith("^") else pattern
    if body.endswith("$") and not body.endswith("\\$"):
        body = body[:-1]
    out, position, after_atom = [], 0, False
    while position < len(body):
        token = _SAFE_TOKEN.match(body, position)
        if token is None:
            return None
        text = token.group()
        quantifier = text[0] in "*+?{"
        if quantifier and not after_atom:
            return None  # "(?i)", "(?P<…>", "|*": no quantifier without something to repeat
        after_atom = not quantifier and text not in ("(", "(?:", "|")
        out.append(r"[^\n]" if text == "." else text)
        position = token.end()
    return f"^(?:{''.join(out)})$" if out else None


def _rule_text(rule: dict, labels: dict[str, str]) -> str:
    label = labels.get(rule.get("key"), rule.get("key"))
    operator = cond.OPERATOR_LABELS.get(rule.get("operator"), rule.get("operator"))
    if rule.get("operator") in cond.VALUE_OPERATORS:
        return f"« {label} » {operator} « {rule.get('value', '')} »"
    return f"« {label} » {operator}"


def _condition_text(condition: dict, labels: dict[str, str]) -> str:
    joiner = _(" ou ") if condition.get("combine") == cond.OR else _(" et ")
    return (_("Demandé seulement si %(rules)s ; sinon la réponse est ignorée.")
            % {"rules": joiner.join(_rule_text(rule, labels)
                                    for rule in condition.get("rules") or [])})


def _exact_if(condition: dict, items: dict[str, dict]) -> dict | None:
    """The JSON Schema `if` that holds exactly when the condition does, or None: rules « est
    égal à » on choice or yes/no fields that have no condition themselves (a hidden field's
    answer is dropped, which a schema cannot say), all required (« et », or one rule)."""
    rules = condition.get("rules") or []
    if not rules or (condition.get("combine") == cond.OR and len(rules) > 1):
        return None
    properties = {}
    for rule in rules:
        controller = items.get(rule.get("key"))
        if (rule.get("operator") != cond.EQUALS or controller is None
                or controller["type"] not in ("yes_no", "choice")
                or cond.condition_of(controller)):
            return None
        allowed = [YES, NO] if controller["type"] == "yes_no" else controller["choices"]
        # The server compares without regard to case; the field takes only its own choices.
        same = [choice for choice in allowed
                if choice.strip().casefold() == str(rule.get("value", "")).strip().casefold()]
        if len(same) != 1 or rule["key"] in properties:
            return None
        properties[rule["key"]] = {"const": same[0]}
    return {"properties": properties, "required": list(properties)}


def _text_schema(length: int, description: str = "") -> dict:
    schema = {"type": "string", "maxLength": length}
    if description:
        schema["description"] = description
    return schema


def _item_schema(item: dict, form: StepForm) -> dict:
    """The JSON Schema of one catalogue item's answer (the JSON the case stores)."""
    kind, key = item["type"], item["key"]
    if kind in ("address", "commune"):
        parts = {"street": _text_schema(200, _("Numéro et voie.")),
                 "postcode": _text_schema(10, _("Code postal (vérifié avec la commune contre "
                                                "le référentiel des codes postaux).")),
                 "commune": _text_schema(100, _("Commune."))}
        if kind == "commune":
            del parts["street"]
        return {"type": "object", "properties": parts, "required": list(parts),
                "additionalProperties": False}
    if kind == "date_range":
        notes = [_("Du `start` au `end` inclus ; la fin n'est pas avant le début.")]
        if item.get("earliest_days") is not None:
            notes.append(_("Début au plus tôt %(days)s jour(s) après la date du jour "
                           "(négatif : avant).") % {"days": item["earliest_days"]})
        if item.get("latest_days") is not None:
            notes.append(_("Fin au plus tard %(days)s jour(s) après la date du jour "
                           "(négatif : avant).") % {"days": item["latest_days"]})
        day = {"type": "string", "format": "date"}
        return {"type": "object", "properties": {"start": day, "end": day},
                "required": ["start", "end"], "additionalProperties": False,
                "description": " ".join(notes),
                "x-earliest-days": item.get("earliest_days"),
                "x-latest-days": item.get("latest_days")}
    if kind == "files":
        return {"type": "array", "minItems": 1 if item["required"] else 0,
                "maxItems": item["max_files"],
                "uniqueItems": True, "items": {"type": "integer", "minimum": 1},
                "x-attachment": True,
                "description": _("Identifiants de pièces jointes au brouillon (POST "
                                 "/api/cases/{id}/attachments/), au plus %(max)s.")
                % {"max": item["max_files"]}}
    if kind == "case_link":
        return _text_schema(40, _("Référence d'une autre de vos demandes (par exemple "
                                  "DG-2026-00012), parmi celles que vous pouvez consulter."))
    if kind == "nir":
        return _text_schema(30, _("Numéro de sécurité sociale (NIR) de 15 chiffres, clé "
                                  "comprise ; les espaces sont ignorés."))
    if kind == "vat":
        return _text_schema(30, _("Numéro de TVA intracommunautaire (par exemple "
                                  "FR40303265045), clé vérifiée."))
    if kind == "pattern_text":
        schema = _text_schema(form.fields[key].max_length)
        pattern = ecma_pattern(item["pattern"])
        if pattern is not None:
            schema["pattern"] = pattern
        else:
            schema["description"] = (_("Doit correspondre en entier à l'expression régulière "
                                       "(Python) de `x-pattern`.") + " "
                                     + (item.get("pattern_message") or ""))
        schema["x-pattern"] = item["pattern"]
        return schema
    if kind == "repetition":
        rows = StepForm(items=item["fields"])
        properties = {sub["key"]: {"title": sub["label"], "x-type": sub["type"],
                                   **(_field_schema(rows.fields[sub["key"]])
                                      if sub["required"] else
                                      {"anyOf": [_field_schema(rows.fields[sub["key"]]),
                                                 {"type": "null"}]})}
                      for sub in item["fields"]}
        least = max(item["min_rows"], 1) if item["required"] else item["min_rows"]
        schema = {"type": "array", "maxItems": item["max_rows"],
                  "items": {"type": "object", "properties": properties,
                            "required": [sub["key"] for sub in item["fields"]
                                         if sub["required"]],
                            "additionalProperties": False},
                  "description": _("Une ligne par objet (de %(min)s à %(max)s lignes), ses clés "
                                   "sont les identifiants des champs du bloc.")
                  % {"min": least, "max": item["max_rows"]}}
        if least:
            schema["minItems"] = least
        return schema
    field = form.fields.get(key)
    return _field_schema(field) if field is not None else {}


def answers_json_schema(schema: dict, *, title: str = "") -> dict:
    """The JSON Schema (draft 2020-12) of a form's answers object: one property per input
    field (key: the field's block id) with its label, help, type and bounds as the wizard's
    StepForm checks them; required fields, and fields asked under a condition described in
    French (`x-condition`; their answer is dropped when the condition does not hold) and,
    when a schema can say it exactly, required by an `if`/`then`."""
    properties, required, conditional, labels, steps = {}, [], [], {}, []
    items = {item["key"]: item for item in input_items(schema)}
    for step in schema.get("steps", []):
        form = StepForm(items=step["items"])
        keys = []
        for item in step["items"]:
            if item["type"] not in INPUT_TYPES:
                continue
            key = item["key"]
            keys.append(key)
            labels[key] = item["label"]
            base = _item_schema(item, form)
            described = {"title": item["label"], "x-type": item["type"]}
            help_text = " ".join(filter(None, [item.get("help_text") or "",
                                               base.pop("description", "")]))
            if help_text:
                described["description"] = help_text
            condition = cond.condition_of(item)
            if condition:
                text = _condition_text(condition, labels)
                described["x-condition"] = text
                described["x-condition-text"] = text  # the name of the first version
                described["x-condition-rules"] = condition
            if item.get("required") and not condition:
                required.append(key)
                properties[key] = {**described, **base}
                continue
            properties[key] = {**described, "anyOf": [base, {"type": "null"}]}
            when = _exact_if(condition, items) if condition and item.get("required") else None
            if when is not None:
                conditional.append({"if": when, "then": {
                    "required": [key], "properties": {key: {"not": {"type": "null"}}}}})
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
