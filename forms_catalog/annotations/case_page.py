"""The private annotations' panel on the case page, for the centre's agents only
(cases/kinds.py: CasePagePart; registered in forms_catalog.apps)."""

from cases.kinds import CasePagePart

from ..annotation_schema import has_inputs
from .forms import AnnotationsForm
from .selectors import is_editable, may_read, record_of, rows, schema_for


def panel(case, user, *, bound: AnnotationsForm | None = None) -> dict | None:
    """The panel's context: a form while the case is open at the centre, the values
    otherwise; None for anyone who may not process the case, or a form without annotations."""
    if not may_read(user, case):
        return None
    record = record_of(case)
    schema = schema_for(case, record)
    if not has_inputs(schema):
        return None
    values = record.values if record else {}
    form = None
    if is_editable(case):
        form = bound or AnnotationsForm(schema=schema, values=values,
                                        version=record.version if record else 0)
    return {"record": record, "rows": rows(schema, values), "form": form,
            "wizard": {"form": form}}


def annotations_part(case, user, transitions) -> dict | None:
    context = panel(case, user)
    return {"private_annotations": context} if context else None


ANNOTATIONS = CasePagePart("forms_catalog/annotations/_panel.html", annotations_part,
                           slot="follow_up")
