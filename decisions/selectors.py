"""Reads on decision letters: which letter a decision calls for, what its placeholders say,
the letter issued for a case."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent
from cases.workflow import State
from common.dates import long_date
from documents.models import IssuedDocument, IssuedDocumentKind
from forms_catalog.letters import field_name, normalize
from forms_catalog.schema import input_items, is_shown

EMPTY = "—"
# A value longer than the wizard's own limits (a long text: 4,000 characters) is cut: no
# answer, however built, makes a letter of hundreds of pages.
MAX_VALUE_CHARS = 10_000
MAX_VALUE_LINES = 300
CUT = " […]"


@dataclass(frozen=True)
class Decision:
    """What a final state calls for: the page's letter field and the document's kind."""

    state: str
    letter_field: str
    kind: str

    @property
    def accepted(self) -> bool:
        return self.state == State.COMPLETED


DECISIONS = {
    State.COMPLETED: Decision(State.COMPLETED, "acceptance_letter",
                              IssuedDocumentKind.ACCEPTANCE_LETTER),
    State.REJECTED: Decision(State.REJECTED, "refusal_letter", IssuedDocumentKind.REFUSAL_LETTER),
}
LETTER_KINDS = [decision.kind for decision in DECISIONS.values()]


def decision_of(event: CaseEvent) -> Decision | None:
    """The decision an event records (a case entering « terminé » or « rejeté »), if any."""
    if event.from_state == event.to_state:
        return None
    return DECISIONS.get(event.to_state)


def decision_event(case: Case) -> CaseEvent | None:
    """The event of the case's decision: the last one that brought it to its final state."""
    if case.state not in DECISIONS:
        return None
    return (case.events.filter(to_state=case.state).exclude(from_state=case.state)
            .select_related("actor").order_by("-created_at", "-pk").first())


def letter_text(case: Case, decision: Decision) -> str:
    """The letter of the catalogue page revision the case was filled with ("" for none).

    The pinned revision, not the live page: its placeholders were checked against the very
    schema the case's answers follow."""
    if case.procedure_id is None:
        return ""
    page = case.procedure_revision.as_object() if case.procedure_revision_id else None
    if page is None:
        page = case.procedure
    return (getattr(page, decision.letter_field, "") or "").strip()


def letter_of(case: Case, decision: Decision | None = None) -> IssuedDocument | None:
    kinds = [decision.kind] if decision else LETTER_KINDS
    return (IssuedDocument.objects.filter(case=case, kind__in=kinds)
            .select_related("case").order_by("-issued_at", "-pk").first())


# --- the placeholders' values ------------------------------------------------------------------


def _labels_by_key(node, found: dict[str, str]) -> dict[str, str]:
    """Every field key -> label of a schema, nested ones too (a repetition block's fields)."""
    if isinstance(node, dict):
        if isinstance(node.get("key"), str) and isinstance(node.get("label"), str):
            found[node["key"]] = node["label"]
        for value in node.values():
            _labels_by_key(value, found)
    elif isinstance(node, list):
        for value in node:
            _labels_by_key(value, found)
    return found


def readable(value, labels: dict[str, str] | None = None) -> str:
    """Any answer as text: strings as they are, yes/no, lists joined, a file by its name, a
    group of fields (a repetition) as « label : value » pairs."""
    labels = labels or {}
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        parts = [readable(item, labels) for item in value]
        separator = "\n" if any(isinstance(item, dict) for item in value) else ", "
        return separator.join(part for part in parts if part)
    if isinstance(value, dict):
        if "name" in value and isinstance(value["name"], str):
            return value["name"]
        pairs = [(labels.get(str(key), str(key)), readable(item, labels))
                 for key, item in value.items()]
        return " ; ".join(f"{label} : {text}" for label, text in pairs if text)
    return str(value)


def bounded(text: str) -> str:
    lines = text.split("\n")
    if len(lines) > MAX_VALUE_LINES:
        text = "\n".join(lines[:MAX_VALUE_LINES]) + CUT
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + CUT
    return text


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def placeholder_values(case: Case, event: CaseEvent) -> Callable[[str], str]:
    """name -> text for the case's letter (an unknown name or an empty answer gives « — »)."""
    schema = case.extra.get("schema") or {}
    answers = case.extra.get("answers") or {}
    labels = _labels_by_key(schema, {})
    by_label = {}
    for item in input_items(schema):
        if item.get("label") and normalize(item["label"]) not in by_label:
            shown = is_shown(item, answers)
            by_label[normalize(item["label"])] = (
                readable(answers.get(item["key"]), labels) if shown else "")
    facts = {
        "reference": case.reference,
        "objet": case.subject,
        "formulaire": case.extra.get("procedure_title") or "",
        "demandeur": _person(case.created_by),
        "service": case.requesting_service.name,
        "centre": case.processing_centre.name if case.processing_centre_id else "",
        "date_depot": long_date(case.submitted_at) if case.submitted_at else "",
        "date_decision": long_date(event.created_at),
        "agent": _person(event.actor),
        "motif": event.comment,
    }

    def value_of(name: str) -> str:
        label = field_name(name)
        text = by_label.get(label) if label is not None else facts.get(normalize(name))
        return bounded(text or EMPTY)

    return value_of
