"""Conditions on catalogue fields: whether a field applies, given the answers so far.

A condition is plain JSON, stored in the schema pinned on each case:

    {"combine": "and" | "or",
     "rules": [{"key": <block id of an earlier field>, "operator": <operator>, "value": <str>}]}

Operators: « est égal à » / « est différent de » (a choice or yes/no field, compared without
regard to case or surrounding spaces), « est supérieur à » / « est inférieur à » (a number:
integer, decimal, amount, bounded number; strictly), « est rempli » / « n'est pas rempli »
(any field). A rule on an unanswered field holds only for « n'est pas rempli »: a field
hidden by its own condition has no answer, so conditions chain naturally.

Schemas pinned before conditions had several rules carry `{"show_if": {"key", "value"}}`:
`condition_of()` reads them as one « est égal à » rule, so old drafts and cases behave as
they always did. This module only reads JSON: the routing rules may use `evaluate()` too.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

AND, OR = "and", "or"
EQUALS, NOT_EQUALS, GREATER, LESS, FILLED, EMPTY = (
    "equals", "not_equals", "gt", "lt", "filled", "empty")
OPERATOR_LABELS = {
    EQUALS: _("est égal à"),
    NOT_EQUALS: _("est différent de"),
    GREATER: _("est supérieur à"),
    LESS: _("est inférieur à"),
    FILLED: _("est rempli"),
    EMPTY: _("n'est pas rempli"),
}
COMBINE_LABELS = {AND: _("toutes les règles (et)"), OR: _("au moins une règle (ou)")}
VALUE_OPERATORS = (EQUALS, NOT_EQUALS, GREATER, LESS)


def as_number(value) -> Decimal | None:
    """A number from an answer or an editor's value ("2,5", "1 000", 3, Decimal); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and len(value) <= 40:
        try:
            number = Decimal(value.strip().replace("\u202f", "").replace(" ", "")
                             .replace(",", "."))
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def is_filled(value) -> bool:
    return value not in (None, "", [], {})


def _same(answer, expected) -> bool:
    return (isinstance(answer, str) and isinstance(expected, str)
            and answer.strip().casefold() == expected.strip().casefold())


def rule_holds(rule: dict, answers: dict) -> bool:
    answer = answers.get(rule.get("key"))
    operator, expected = rule.get("operator"), rule.get("value")
    if operator == FILLED:
        return is_filled(answer)
    if operator == EMPTY:
        return not is_filled(answer)
    if operator == EQUALS:
        return _same(answer, expected)
    if operator == NOT_EQUALS:
        return is_filled(answer) and not _same(answer, expected)
    if operator in (GREATER, LESS):
        number, bound = as_number(answer), as_number(expected)
        if number is None or bound is None:
            return False
        return number > bound if operator == GREATER else number < bound
    return False  # an unknown operator never shows a field


def evaluate(condition: dict | None, answers: dict) -> bool:
    """Whether the condition holds for the answers (no condition, or no rule: it holds)."""
    rules = (condition or {}).get("rules") or []
    if not rules:
        return True
    results = (rule_holds(rule, answers) for rule in rules)
    return any(results) if condition.get("combine") == OR else all(results)


def condition_of(item: dict) -> dict | None:
    """An item's condition, old-format ones (`show_if`) read as one « est égal à » rule."""
    if item.get("condition"):
        return item["condition"]
    old = item.get("show_if")
    if old and old.get("key"):
        return {"combine": AND, "rules": [{"key": old["key"], "operator": EQUALS,
                                           "value": old.get("value", "")}]}
    return None


def describe(condition: dict | None, labels: dict[str, str]) -> str:
    """The condition in words, for an editor's preview: « Affiché seulement si « Urgent » est
    égal à « oui » ou « Montant » est supérieur à « 1000 ». » ("" without a condition)."""
    rules = (condition or {}).get("rules") or []
    if not rules:
        return ""
    parts = []
    for rule in rules:
        label = labels.get(rule.get("key"), "?")
        text = f"« {label} » {OPERATOR_LABELS.get(rule.get('operator'), '?')}"
        if rule.get("operator") in VALUE_OPERATORS:
            text += f" « {rule.get('value', '')} »"
        parts.append(text)
    joiner = f" {_('ou') if condition.get('combine') == OR else _('et')} "
    return _("Affiché seulement si %(rules)s.") % {"rules": joiner.join(parts)}
