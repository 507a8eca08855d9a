"""Routing: a catalogue form's rules send a case, when it reaches its centre, to one of the
centre's groups of agents (a sub-queue) from one of its answers.

A rule reads « si le champ … vaut … → groupe … ». Rules are tried in their order; the first
that matches wins; a rule whose group belongs to another centre than the case's does not
apply (a form may serve several centres); no match leaves the case in the centre's general
queue. The comparison is deliberately small (an answer equals the value, or a multiple
choice contains it, ignoring case): it is `answer_matches`, the one place to swap for a
richer condition engine.
"""

from django.utils.translation import gettext as _

from .schema import NO, YES, input_items

# The fields a rule may read: their answers are a few known words (or a short text).
ROUTING_TYPES = ("choice", "multiple_choice", "yes_no", "text")


def _key(label: str) -> str:
    return " ".join((label or "").split()).casefold()


def routing_fields(schema: dict) -> dict[str, dict]:
    """The fields of `schema` a rule may name, by their label (case and spaces ignored); the
    first of two fields with the same label is the one named."""
    fields: dict[str, dict] = {}
    for item in input_items(schema):
        if item["type"] in ROUTING_TYPES:
            fields.setdefault(_key(item["label"]), item)
    return fields


def possible_values(item: dict) -> list[str] | None:
    """The values the field's answer may take; None for a free text."""
    if item["type"] == "yes_no":
        return [YES, NO]
    if item["type"] in ("choice", "multiple_choice"):
        return list(item["choices"])
    return None


def rule_error(fields: dict[str, dict], label: str, value: str) -> tuple[str, str] | None:
    """Why a rule naming `label` and `value` cannot match (field name, French message), or
    None when it can."""
    item = fields.get(_key(label))
    if item is None:
        return "field_label", _("Le champ « %(label)s » n'existe pas dans ce formulaire, ou "
                                "n'est pas un champ à choix, oui/non ou texte court.") % {
                                    "label": label}
    if not _key(value):
        return "value", _("Indiquez la valeur qui oriente le dossier.")
    allowed = possible_values(item)
    if allowed is not None and _key(value) not in [_key(a) for a in allowed]:
        return "value", _("La valeur « %(value)s » n'est pas possible pour « %(label)s » "
                          "(valeurs : %(allowed)s).") % {
                              "value": value, "label": item["label"],
                              "allowed": ", ".join(allowed)}
    return None


def answer_matches(answer, expected: str) -> bool:
    """Whether an answer (a text, or a list for a multiple choice) is, or contains, the
    expected value, case and spaces ignored. A missing answer matches nothing."""
    expected = _key(expected)
    if not expected:
        return False
    if isinstance(answer, str):
        return _key(answer) == expected
    if isinstance(answer, list):
        return any(isinstance(one, str) and _key(one) == expected for one in answer)
    return False


def group_for(case):
    """The agent group of the case's centre its form's rules send it to, or None (the
    centre's general queue). Labels are read in the schema the case was filled with: its
    answers are keyed by that schema's fields."""
    if case.procedure_id is None:
        return None
    rules = list(case.procedure.routing_rules.filter(
        group__centre_id=case.processing_centre_id)
        .select_related("group").order_by("sort_order", "pk"))
    if not rules:
        return None
    extra = case.extra or {}
    fields = routing_fields(extra.get("schema") or {})
    answers = extra.get("answers") or {}
    for rule in rules:
        item = fields.get(_key(rule.field_label))
        if item is not None and answer_matches(answers.get(item["key"]), rule.value):
            return rule.group
    return None
