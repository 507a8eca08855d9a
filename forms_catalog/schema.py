"""A catalogue form's field schema: plain JSON, derived from the page's StreamField.

The schema is what a case stores with its answers, so that a case always shows what was
asked when it was filled, whatever the editors changed since. It is built (and so checked)
when the page is validated: an inconsistent form is never published.

An input item: {"type", "key", "label", "help_text", "required", "choices", "condition"}
plus its type's settings: "min"/"max" (bounded number, as strings), "pattern" and
"pattern_message" (text with a pattern), "earliest_days"/"latest_days" (date range, days
relative to the day of filling), "max_files" (several files), "min_rows"/"max_rows" and
"fields" (repetition: its sub-items, simple types only, without conditions).
"""

import re

from django.utils.translation import gettext as _

from . import conditions as cond

SIMPLE_TYPES = ("text", "long_text", "integer", "decimal", "amount", "date", "choice",
                "multiple_choice", "yes_no", "email", "phone", "siret", "iban", "file")
NEW_TYPES = ("address", "commune", "department", "country", "nir", "vat", "bounded_number",
             "pattern_text", "date_range", "files", "case_link", "repetition")
INPUT_TYPES = SIMPLE_TYPES + NEW_TYPES
# What a repetition block repeats: simple fields whose answer is one JSON value.
ROW_TYPES = ("text", "long_text", "integer", "decimal", "amount", "date", "choice", "yes_no",
             "email", "phone")
NUMBER_TYPES = ("integer", "decimal", "amount", "bounded_number")
EQUALITY_TYPES = ("yes_no", "choice")
DISPLAY_TYPES = ("section", "explanation")
YES, NO = "oui", "non"
MAX_ROWS = 50
MAX_FILES = 10
# A regex is refused when a quantified group itself holds a quantifier — "(a+)+", "(\w*)*",
# "(x|y+){2,}" — the shape of catastrophic backtracking. Inputs are short anyway (200).
NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,)")


class SchemaError(ValueError):
    """The editor's fields are inconsistent; the message says where, in French."""


# --- conditions -----------------------------------------------------------------------------


def _rules_of(value: dict) -> list[dict]:
    """The editor's rules as {"field", "operator", "value"}: the simple condition of the
    first forms (show_if_field / show_if_value) first, then the rules of « Conditions »."""
    rules = []
    label = (value.get("show_if_field") or "").strip()
    if label:
        rules.append({"field": label, "operator": cond.EQUALS,
                      "value": (value.get("show_if_value") or "").strip()})
    for rule in (value.get("conditions") or {}).get("rules") or []:
        field = (rule.get("field") or "").strip()
        if field:
            rules.append({"field": field, "operator": rule.get("operator") or cond.EQUALS,
                          "value": (rule.get("value") or "").strip()})
    return rules


def _rule(field: str, rule: dict, earlier: dict[str, dict], later: set[str]) -> dict:
    label, operator, expected = rule["field"], rule["operator"], rule["value"]
    names = {"field": field, "label": label}
    controller = earlier.get(label.casefold())
    if controller is None:
        if label.casefold() in later:
            raise SchemaError(_("Le champ « %(field)s » dépend de « %(label)s », qui est placé "
                                "après lui : une condition ne porte que sur un champ placé "
                                "avant.") % names)
        raise SchemaError(_("Le champ « %(field)s » dépend de « %(label)s », qui n'est pas un "
                            "champ placé avant lui (libellé inconnu ou supprimé).") % names)
    kind = controller["type"]
    if operator in (cond.EQUALS, cond.NOT_EQUALS):
        if kind not in EQUALITY_TYPES:
            raise SchemaError(_("Le champ « %(field)s » dépend de « %(label)s », qui n'est pas "
                                "un champ oui/non ou à choix placé avant lui.") % names)
        allowed = [YES, NO] if kind == "yes_no" else controller["choices"]
        if expected.casefold() not in [a.casefold() for a in allowed]:
            raise SchemaError(_("Le champ « %(field)s » : la valeur « %(value)s » n'est pas "
                                "possible pour « %(label)s » (valeurs : %(allowed)s).")
                              % {**names, "value": expected, "allowed": ", ".join(allowed)})
        return {"key": controller["key"], "operator": operator, "value": expected.casefold()}
    if operator in (cond.GREATER, cond.LESS):
        if kind not in NUMBER_TYPES:
            raise SchemaError(_("Le champ « %(field)s » compare « %(label)s » à un nombre, mais "
                                "ce n'est pas un champ numérique.") % names)
        number = cond.as_number(expected)
        if number is None:
            raise SchemaError(_("Le champ « %(field)s » : « %(value)s » n'est pas un nombre "
                                "(condition sur « %(label)s »).")
                              % {**names, "value": expected})
        return {"key": controller["key"], "operator": operator, "value": format(number, "f")}
    if operator in (cond.FILLED, cond.EMPTY):
        return {"key": controller["key"], "operator": operator, "value": ""}
    raise SchemaError(_("Le champ « %(field)s » : opérateur de condition inconnu.") % names)


def _condition(value: dict, earlier: dict[str, dict], later: set[str]) -> dict | None:
    rules = [_rule(value["label"], rule, earlier, later) for rule in _rules_of(value)]
    if not rules:
        return None
    combine = (value.get("conditions") or {}).get("combine")
    return {"combine": cond.OR if combine == cond.OR else cond.AND, "rules": rules}


# --- each type's settings -------------------------------------------------------------------


def _bound(value) -> str | None:
    number = cond.as_number(value) if value not in (None, "") else None
    return None if number is None else format(number, "f")


def _settings(kind: str, value: dict) -> dict:
    label = value["label"]
    if kind == "bounded_number":
        low, high = _bound(value.get("minimum")), _bound(value.get("maximum"))
        if low is not None and high is not None and cond.as_number(low) > cond.as_number(high):
            raise SchemaError(_("Le champ « %(field)s » : le minimum (%(low)s) dépasse le "
                                "maximum (%(high)s).") % {"field": label, "low": low,
                                                          "high": high})
        return {"min": low, "max": high}
    if kind == "pattern_text":
        pattern = value.get("pattern") or ""
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as exc:
            raise SchemaError(_("Le champ « %(field)s » : le motif n'est pas une expression "
                                "régulière valide (%(error)s).")
                              % {"field": label, "error": exc}) from exc
        if not pattern or NESTED_QUANTIFIER.search(pattern):
            raise SchemaError(_("Le champ « %(field)s » : motif vide, ou trop coûteux à vérifier "
                                "(un groupe répété qui contient lui-même une répétition, comme "
                                "« (a+)+ »).") % {"field": label})
        return {"pattern": pattern,
                "pattern_message": (value.get("pattern_message") or "").strip()}
    if kind == "date_range":
        earliest, latest = value.get("earliest_days"), value.get("latest_days")
        if earliest is not None and latest is not None and earliest > latest:
            raise SchemaError(_("Le champ « %(field)s » : la première date permise (%(earliest)s "
                                "jours) est après la dernière (%(latest)s jours).")
                              % {"field": label, "earliest": earliest, "latest": latest})
        return {"earliest_days": earliest, "latest_days": latest}
    if kind == "files":
        return {"max_files": max(1, min(int(value.get("max_files") or 1), MAX_FILES))}
    if kind == "repetition":
        low, high = int(value.get("min_rows") or 0), int(value.get("max_rows") or 1)
        if not 0 <= low <= high <= MAX_ROWS:
            raise SchemaError(_("Le bloc répété « %(field)s » : il faut 0 ≤ minimum ≤ maximum ≤ "
                                "%(most)s (ici %(low)s et %(high)s).")
                              % {"field": label, "most": MAX_ROWS, "low": low, "high": high})
        fields = [_base(block.block_type, block.id, block.value)
                  for block in value.get("fields") or []]
        if not fields:
            raise SchemaError(_("Le bloc répété « %(field)s » n'a aucun champ.")
                              % {"field": label})
        return {"min_rows": low, "max_rows": high, "fields": fields}
    return {}


def _base(kind: str, key: str, value: dict) -> dict:
    return {"type": kind, "key": key, "label": value["label"],
            "help_text": value.get("help_text") or "", "required": bool(value.get("required")),
            "choices": list(value.get("choices") or [])}


def build_schema(stream, first_step_title: str) -> dict:
    """{"steps": [{"title", "items": [...]}, ...]} from a FieldStream value."""
    steps = [{"title": first_step_title, "items": []}]
    earlier: dict[str, dict] = {}
    later = {block.value["label"].strip().casefold() for block in stream
             if block.block_type in INPUT_TYPES}
    for block in stream:
        kind, value = block.block_type, block.value
        if kind == "step_break":
            steps.append({"title": value["title"], "items": []})
            continue
        if kind in DISPLAY_TYPES:
            steps[-1]["items"].append({"type": kind, "key": block.id,
                                       "title": value.get("title", ""),
                                       "text": value.get("text", "")})
            continue
        item = _base(kind, block.id, value)
        item["condition"] = _condition(value, earlier, later)
        item.update(_settings(kind, value))
        steps[-1]["items"].append(item)
        earlier[value["label"].strip().casefold()] = item
    return {"steps": [step for step in steps if step["items"]] or steps[:1]}


# --- reading ------------------------------------------------------------------------------------


def input_items(schema: dict) -> list[dict]:
    return [item for step in schema.get("steps", []) for item in step["items"]
            if item["type"] in INPUT_TYPES]


def is_shown(item: dict, answers: dict) -> bool:
    """Whether a field applies given the answers so far (conditions are checked server-side)."""
    return cond.evaluate(cond.condition_of(item), answers)


def applicable_answers(schema: dict, answers: dict) -> dict:
    """The answers of the fields that apply, in the form's order: an answer to a field
    hidden by its condition (forged, or left from before an earlier answer changed) is
    dropped, and so is any answer depending on it."""
    kept: dict = {}
    for item in input_items(schema):
        if item["key"] in answers and is_shown(item, kept):
            kept[item["key"]] = answers[item["key"]]
    return kept


def first_amount(schema: dict, answers: dict):
    from decimal import Decimal

    for item in input_items(schema):
        if item["type"] == "amount" and answers.get(item["key"]) not in (None, ""):
            return Decimal(answers[item["key"]])
    return Decimal("0")
