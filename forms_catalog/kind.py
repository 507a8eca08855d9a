"""The generic request — an editor's catalogue form whose answers are the whole request — as
the core sees it (cases/kinds.py)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.kinds import ApiDraft, KindSpec
from cases.workflow import Action, State, row

from .schema import input_items


def display_kind(case) -> str:
    # « Demande générique » is the portal's internal name for "an editor's form": people
    # call the request by the form's title.
    return case.extra.get("procedure_title") or _("Demande")


def amount_shown(case):
    """Its amount only when its editors gave it an amount field."""
    schema = (case.extra or {}).get("schema") or {}
    if any(item["type"] == "amount" for item in input_items(schema)):
        return case.amount
    return None


GENERIC = KindSpec(
    code="generic",
    label=gettext_lazy("Demande générique"),
    reference_prefix="DG",
    resume_url="forms_catalog:resume",
    default_delay=5,
    answers_are_content=True,
    transitions=(
        row(State.IN_PROGRESS, Action.COMPLETE, State.COMPLETED, "assignee",
            accepts=("comment",)),
    ),
    display_kind=display_kind,
    amount_shown=amount_shown,
    api_draft=ApiDraft("forms_catalog.api_draft.CatalogueDraft"),
)
