"""The export columns of a catalogue form: one per field it asks (cases/export_columns.py).

A field's column reads the answer stored under its key (the StreamField block id, stable
across the form's revisions), typed for the spreadsheet: amounts as Decimal, dates as dates,
choices and files as text. A repetition block gives one column per field of the block, whose
value lists the answers of each repetition.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from cases.export_columns import QUEUE, Column

from .annotations.selectors import annotations_text, record_of
from .schema import input_items

REPETITION = "repetition"


def answer_cell(item: dict, value):
    """An answer as one spreadsheet cell."""
    if value in (None, "", [], {}):
        return None
    kind = item.get("type")
    try:
        if kind in ("amount", "decimal"):
            return Decimal(str(value))
        if kind == "integer":
            return int(value)
        if kind == "date":
            return date.fromisoformat(value)
    except (InvalidOperation, TypeError, ValueError):
        pass  # a value stored by an older revision of the field: shown as it is
    return _text(value)


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(_text(part) for part in value if part not in (None, ""))
    if isinstance(value, dict):
        # A file ({attachment, name}) shows its name; anything else its parts in order.
        if "name" in value and "attachment" in value:
            return str(value["name"])
        return ", ".join(_text(part) for part in value.values() if part not in (None, ""))
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return str(value)


def _answers(case) -> dict:
    return (case.extra or {}).get("answers") or {}


def _field_column(item: dict, group: str) -> Column:
    key = item["key"]
    return Column(key=f"answer.{key}", label=item["label"], group=group,
                  value=lambda case: answer_cell(item, _answers(case).get(key)))


def _repeated_column(block: dict, item: dict, group: str) -> Column:
    key, sub = block["key"], item["key"]

    def value(case):
        repetitions = _answers(case).get(key)
        if not isinstance(repetitions, list):
            return []
        return [answer_cell(item, entry.get(sub)) if isinstance(entry, dict) else None
                for entry in repetitions]

    return Column(key=f"answer.{key}.{sub}", label=f"{block['label']} — {item['label']}",
                  group=group, value=value, repeated=True)


def answer_columns(user, scope, procedure) -> list[Column]:
    """The columns of the chosen catalogue form's fields (its live schema)."""
    if procedure is None:
        return []
    group = _("Formulaire « %(title)s »") % {"title": procedure.title}
    columns = []
    for item in input_items(procedure.field_schema):
        if item["type"] == REPETITION:
            columns.extend(_repeated_column(item, sub, group)
                           for sub in item.get("fields", []))
        else:
            columns.append(_field_column(item, group))
    return columns


# --- the centre's private annotations -------------------------------------------------------

ANNOTATIONS = "private_annotations"


def _annotation_values(case) -> dict:
    record = record_of(case)
    return (record.values or {}) if record is not None else {}


def annotation_columns(user, scope, procedure) -> list[Column]:
    """The centre's export only: every annotation in one column (in the default export), and
    with a chosen form one column per annotation field."""
    if scope != QUEUE:
        return []
    group = _("Annotations privées (centre)")
    columns = [Column(key="annotations.all", label=_("Annotations privées"), group=group,
                      value=annotations_text, centre_only=True, in_default=True,
                      relations=(ANNOTATIONS,))]
    if procedure is None:
        return columns
    for item in input_items(procedure.annotations_schema):
        key = item["key"]
        columns.append(Column(
            key=f"annotation.{key}", label=item["label"], group=group, centre_only=True,
            relations=(ANNOTATIONS,),
            value=lambda case, item=item, key=key: answer_cell(item,
                                                               _annotation_values(case).get(key))))
    return columns
