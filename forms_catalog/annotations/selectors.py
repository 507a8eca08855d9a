"""Reads on private annotations. Only those who may process a case (the processing centre's
agents: cases.permissions.PROCESS) ever read them; everything here takes the reader or is
called on a centre-only path (the queue's export)."""

from django.core.exceptions import ObjectDoesNotExist

from cases import permissions
from cases.workflow import OPEN_STATES

from ..models import CaseAnnotations
from ..schema import input_items, is_shown
from ..selectors import answers_by_step

EMPTY = {"steps": []}
PAIR_SEPARATOR = " ; "


def may_read(user, case) -> bool:
    """The centre's agents who may process the case (its processing centre's group)."""
    return permissions.visible_cases(user, permissions.PROCESS).filter(pk=case.pk).exists()


def is_editable(case) -> bool:
    """Open at the centre: from its arrival there until it is closed (read-only afterwards)."""
    return case.state in OPEN_STATES


def record_of(case) -> CaseAnnotations | None:
    """The case's saved annotations (None: never filled); uses a select_related row."""
    try:
        return case.private_annotations
    except ObjectDoesNotExist:
        return None


def live_schema(case) -> tuple[dict, object]:
    """(the annotation schema of the case's form as published now, its live revision): what
    a first save pins."""
    procedure = case.procedure
    if procedure is None:
        return EMPTY, None
    return procedure.annotations_schema, procedure.live_revision


def schema_for(case, record: CaseAnnotations | None = None) -> dict:
    """The schema the case's annotations are read and written with: the one pinned at the
    first save, else the form's as published now."""
    if record is not None:
        return record.schema
    return live_schema(case)[0]


def rows(schema: dict, values: dict) -> list[dict]:
    """{"label", "value", "type"} of each field that applies, in order (files are refused in
    annotations; lists are joined as the answers' summary does)."""
    return [row for step in answers_by_step(schema, values) for row in step["rows"]]


def annotations_text(case) -> str:
    """« label : value » of each filled field, joined: the centre's export column. The case
    must come with `private_annotations` selected (cases.exports does it)."""
    record = record_of(case)
    if record is None:
        return ""
    return PAIR_SEPARATOR.join(f"{row['label']} : {row['value']}"
                               for row in rows(record.schema, record.values or {})
                               if row["value"] not in (None, ""))


def annotations_data(case) -> dict:
    """What the REST API shows a centre agent: each field with its value (null: empty)."""
    record = CaseAnnotations.objects.filter(case=case).select_related("updated_by").first()
    schema = schema_for(case, record)
    values = record.values if record else {}
    fields = [{"key": item["key"], "label": item["label"], "type": item["type"],
               "value": values.get(item["key"])}
              for item in input_items(schema) if is_shown(item, values)]
    return {
        "version": record.version if record else 0,
        "editable": is_editable(case),
        "updated_at": record.updated_at.isoformat() if record and record.updated_at else None,
        "updated_by": record.updated_by.get_username() if record and record.updated_by
        else None,
        "fields": fields,
    }
