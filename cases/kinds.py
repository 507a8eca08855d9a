"""The kinds of request the core serves without knowing them.

A kind (purchase request, tiers, service done, fixed asset, an editor's generic form…) is an
app that describes itself with a `KindSpec` and registers it in its `AppConfig.ready()`. The
core reads the registry wherever it needs to know something of a kind: the reference prefix
at submission, the delay, whether an ordonnateur validates, the checks before submission,
what an action does beyond the state change, the workflow rows only this kind has, the rules
those rows name, the case page's parts and what the queue's columns show. Nothing in the
core imports a kind; adding one touches no file of the core (README « Ajouter un type de
demande »).

A kind's effect is `effect(case, actor, inputs, now, data)`: it may refuse with CaseError
(nothing is written: it runs inside the transition's transaction), change the locked case
(saved by the transition) and put what the history should keep in `data`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from .workflow import TRANSITIONS, Action, Transition

Effect = Callable[[Any, Any, dict, datetime, dict], None]
Rule = Callable[[Any, Any], "str | None"]


class Validation:
    """Whether a submission waits for an ordonnateur (a catalogue form's policy overrides
    the last two)."""

    ALWAYS = "always"  # whatever the amount (a service-done statement is an order to pay)
    BEYOND_DELEGATION = "beyond_delegation"  # unless the creator's own delegation covers it
    NEVER = "never"  # commits no money (a supplier record)


@dataclass(frozen=True)
class CasePagePart:
    """A block of the case page, drawn by `template` with what `context(case, user,
    transitions)` returns; None or {} leaves it out. `slot`: "content" (after the case's
    facts), "follow_up" (after the answers, before the documents) or "thread" (after the
    attachments, before the history). Without a template the part only adds to the page's
    context (`certificates` for its documents, `case_links` for its actions panel)."""

    template: str | None
    context: Callable[[Any, Any, list], "dict | None"]
    slot: str = "content"


@dataclass(frozen=True)
class ApiDraft:
    """How the REST API creates, fills and submits drafts of the kind: the dotted path of its
    `cases.api_drafts.WizardDraft` subclass, which drives the kind's own wizard (its forms
    check the content). A path, imported when the API needs it: a kind registers in
    AppConfig.ready(), before the API module may be imported."""

    path: str

    def adapter(self):
        """A fresh adapter, for one request."""
        return import_string(self.path)()


@dataclass(frozen=True)
class KindSpec:
    code: str  # stored in Case.kind (at most 20 characters)
    label: Promise | str
    reference_prefix: str  # <prefix>-<SP code>-<year>-<number>
    resume_url: str  # URL name taking the draft's pk: where its author resumes it
    new_url: str | None = None  # URL name of a blank form; None: the catalogue page's own
    default_delay: int = 5  # working days, when no convention in force says otherwise
    validation: str = Validation.BEYOND_DELEGATION
    validation_refusal: Promise | str = ""  # why, for Validation.ALWAYS
    has_amount: bool = False  # its amount is always its own (lines): lists show it
    # An editor's catalogue form of this kind may require attachments (quote, market…).
    editor_attachments: bool = False
    # The catalogue form's answers are the whole request (an editor's generic form): its
    # title is the subject, its first amount field the amount.
    answers_are_content: bool = False
    submit_check: Callable[[Any, datetime], None] | None = None
    effects: Mapping[str, Effect] = field(default_factory=dict)
    # What entering a state does for this kind, whichever action leads there (its circuits:
    # the purchasing mission and the budget visa open the case to their members).
    on_enter: Mapping[str, Effect] = field(default_factory=dict)
    transitions: tuple[Transition, ...] = ()  # rows of the workflow only this kind has
    rules: Mapping[str, Rule] = field(default_factory=dict)  # named by its rows' who/guard
    case_page: tuple[CasePagePart, ...] = ()
    # What the queue's columns show for cases of this kind: annotation name ("supplier_name",
    # "has_penalties") -> a function giving a one-value subquery of OuterRef("pk").
    queue_columns: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    # Named conditions the queue's tabs and filters count and apply ("penalties"): a Q on
    # Case, applied to cases of this kind only.
    queue_filters: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    display_kind: Callable[[Any], str] | None = None  # what people call one case of it
    api_draft: ApiDraft | None = None  # the API creates drafts of it, content included
    amount_shown: Callable[[Any], Decimal | None] | None = None
    # The convention's circuits a case of this kind went through, for the API and exports
    # (JSON-ready values): the purchasing mission, the budget visa.
    circuits: Callable[[Any], dict] | None = None
    circuits_label: Callable[[Any], str] | None = None  # the same in one line, for exports


_KINDS: dict[str, KindSpec] = {}
# Parts another app adds to the page of any case (the service-done progress of an order, the
# message thread).
_CASE_PAGE_PARTS: list[CasePagePart] = []
# What other apps add to each row of the case lists (queue, « Mes demandes »): a function
# (queryset, user) -> queryset, annotating (`has_unread`: messaging).
_LIST_ANNOTATIONS: list[Callable[[Any, Any], Any]] = []


class UnknownKind(LookupError):
    pass


def register(spec: KindSpec) -> KindSpec:
    """Called from the kind's AppConfig.ready(); registering the same code again replaces it
    (tests re-register), a row naming another kind is refused. Its rows are marked as its
    own (Transition.kinds), as the shared table's readers expect."""
    own = frozenset({spec.code})
    for row in spec.transitions:
        if row.kinds not in (None, own):
            raise ValueError(f"{spec.code}: a row of its own names other kinds: {row}")
    spec = replace(spec, transitions=tuple(replace(row, kinds=own) for row in spec.transitions))
    _KINDS[spec.code] = spec
    return spec


def unregister(code: str) -> None:
    _KINDS.pop(code, None)


def add_case_page_part(part: CasePagePart) -> None:
    if part not in _CASE_PAGE_PARTS:
        _CASE_PAGE_PARTS.append(part)


def add_case_list_annotation(annotate: Callable[[Any, Any], Any]) -> None:
    if annotate not in _LIST_ANNOTATIONS:
        _LIST_ANNOTATIONS.append(annotate)


def annotate_case_list(queryset, user):
    for annotate in _LIST_ANNOTATIONS:
        queryset = annotate(queryset, user)
    return queryset


def get(code: str) -> KindSpec:
    try:
        return _KINDS[code]
    except KeyError:
        raise UnknownKind(code) from None


def all_kinds() -> list[KindSpec]:
    return list(_KINDS.values())


def codes() -> list[str]:
    return list(_KINDS)


def catalogue_only_codes() -> list[str]:
    """Kinds with no wizard of their own: the catalogue's generic wizard fills them from
    their form page's fields."""
    return [spec.code for spec in _KINDS.values() if spec.new_url is None]


def choices() -> list[tuple[str, str]]:
    """The model fields' choices (callable: a kind registered later needs no migration)."""
    return [(spec.code, spec.label) for spec in _KINDS.values()]


def label(code: str) -> str:
    spec = _KINDS.get(code)
    return str(spec.label) if spec else code


# --- the workflow, per kind ---------------------------------------------------------------


def _rows(kind: str) -> tuple[Transition, ...]:
    spec = _KINDS.get(kind)
    # The kind's own rows first: the first row whose guard holds wins.
    return (spec.transitions if spec else ()) + TRANSITIONS


def transitions_for(state: str, action: str, kind: str) -> list[Transition]:
    return [t for t in _rows(kind) if t.action == action and state in t.sources]


def actions_from(state: str, kind: str) -> list[Action]:
    seen: list[Action] = []
    for t in _rows(kind):
        if state in t.sources and t.action not in seen:
            seen.append(t.action)
    return seen


def transitions_of(kind: str) -> tuple[Transition, ...]:
    """The rows that apply to `kind`: its own, then the shared ones."""
    return _rows(kind)


def all_transitions() -> list[Transition]:
    """Every row of every kind, core rows once (documentation, tests)."""
    rows = list(TRANSITIONS)
    for spec in _KINDS.values():
        rows.extend(spec.transitions)
    return rows


def rule(name: str, kind: str, core_rules: Mapping[str, Rule]) -> Rule:
    spec = _KINDS.get(kind)
    if spec and name in spec.rules:
        return spec.rules[name]
    return core_rules[name]


def effect(kind: str, action: str) -> Effect | None:
    spec = _KINDS.get(kind)
    return spec.effects.get(action) if spec else None


def on_enter(kind: str, state: str) -> Effect | None:
    spec = _KINDS.get(kind)
    return spec.on_enter.get(state) if spec else None


def circuits(case) -> dict:
    spec = _KINDS.get(case.kind)
    return spec.circuits(case) if spec and spec.circuits else {}


def circuits_label(case) -> str:
    spec = _KINDS.get(case.kind)
    return spec.circuits_label(case) if spec and spec.circuits_label else ""


def case_page_parts(kind: str) -> list[CasePagePart]:
    spec = _KINDS.get(kind)
    return [*(spec.case_page if spec else ()), *_CASE_PAGE_PARTS]


def queue_filter(name: str):
    """A Q on Case: the cases of any kind that meet its condition `name`; none when no kind
    has one."""
    condition = Q(pk__in=[])
    for spec in _KINDS.values():
        if name in spec.queue_filters:
            condition |= Q(kind=spec.code) & spec.queue_filters[name]()
    return condition


def queue_columns(name: str) -> list:
    """Every kind's subquery for the queue column `name`, in registration order."""
    return [spec.queue_columns[name]() for spec in _KINDS.values() if name in spec.queue_columns]
