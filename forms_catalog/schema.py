"""A catalogue form's field schema: plain JSON, derived from the page's StreamField.

The schema is what a case stores with its answers, so that a case always shows what was
asked when it was filled, whatever the editors changed since.
"""

from django.utils.translation import gettext as _

INPUT_TYPES = ("text", "long_text", "integer", "decimal", "amount", "date", "choice",
               "multiple_choice", "yes_no", "email", "phone", "siret", "iban", "file")
DISPLAY_TYPES = ("section", "explanation")
YES, NO = "oui", "non"


class SchemaError(ValueError):
    """The editor's fields are inconsistent; the message says where, in French."""


def _condition(value: dict, earlier: dict[str, dict]) -> dict | None:
    label = (value.get("show_if_field") or "").strip()
    expected = (value.get("show_if_value") or "").strip()
    if not label:
        return None
    controller = earlier.get(label.casefold())
    if controller is None:
        raise SchemaError(_("Le champ « %(field)s » dépend de « %(label)s », qui n'est pas un "
                            "champ oui/non ou à choix placé avant lui.")
                          % {"field": value["label"], "label": label})
    allowed = [YES, NO] if controller["type"] == "yes_no" else controller["choices"]
    if expected.casefold() not in [a.casefold() for a in allowed]:
        raise SchemaError(_("Le champ « %(field)s » : la valeur « %(value)s » n'est pas "
                            "possible pour « %(label)s » (valeurs : %(allowed)s).")
                          % {"field": value["label"], "value": expected, "label": label,
                             "allowed": ", ".join(allowed)})
    return {"key": controller["key"], "value": expected.casefold()}


def build_schema(stream, first_step_title: str) -> dict:
    """{"steps": [{"title", "items": [...]}, ...]} from a FieldStream value."""
    steps = [{"title": first_step_title, "items": []}]
    earlier: dict[str, dict] = {}
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
        item = {
            "type": kind, "key": block.id, "label": value["label"],
            "help_text": value.get("help_text") or "", "required": bool(value.get("required")),
            "choices": list(value.get("choices") or []),
        }
        item["show_if"] = _condition(value, earlier)
        steps[-1]["items"].append(item)
        if kind in ("yes_no", "choice"):
            earlier[value["label"].strip().casefold()] = item
    return {"steps": [step for step in steps if step["items"]] or steps[:1]}


def input_items(schema: dict) -> list[dict]:
    return [item for step in schema.get("steps", []) for item in step["items"]
            if item["type"] in INPUT_TYPES]


def is_shown(item: dict, answers: dict) -> bool:
    """Whether a field applies given the answers so far (conditions are checked server-side)."""
    condition = item.get("show_if")
    if not condition:
        return True
    answer = answers.get(condition["key"])
    return isinstance(answer, str) and answer.casefold() == condition["value"]


def first_amount(schema: dict, answers: dict):
    from decimal import Decimal

    for item in input_items(schema):
        if item["type"] == "amount" and answers.get(item["key"]) not in (None, ""):
            return Decimal(answers[item["key"]])
    return Decimal("0")
