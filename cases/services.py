"""The only code that writes cases. `transition()` is the single door for state changes."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from documents.models import AttachmentKind
from portal.models import SP_ROLES, Role, Service
from portal.selectors import user_has_role

from . import kinds, permissions, sla, workflow
from .anomalies import case_typology, takes_anomaly
from .models import Case, CaseEvent
from .reads import convention_of, reads_once
from .references import allocate_reference
from .signals import case_transitioned
from .workflow import Action, State


class CaseError(Exception):
    """A refused operation; the message is for the user, in French."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class CaseNotFound(CaseError):
    """The actor may not see the case: callers answer 404, never leak its existence."""


class CaseConflict(CaseError):
    """The case changed since the actor loaded it (optimistic locking)."""


def _event(*, case, actor, action, from_state="", to_state="", comment="", data=None, at):
    return CaseEvent.objects.create(case=case, actor=actor, action=action, from_state=from_state,
                                    to_state=to_state, comment=comment, data=data or {},
                                    created_at=at)


# Inside `whole_transaction()`: the cases locked in it so far, by id.
_whole: ContextVar[dict | None] = ContextVar("whole_transaction", default=None)


@contextmanager
def whole_transaction():
    """One transaction for a whole submission (content written, then submitted): the
    services called in it take no savepoint of their own (two statements each), and a case
    locked once stays the same object for the others. An exception anywhere in it rolls all
    of it back: its callers catch CaseError (or anything else) outside the block, never
    inside it. Inside another one, it is a savepoint of it."""
    outer, locked = _whole.get(), {}
    token = _whole.set(locked)
    try:
        with transaction.atomic():
            yield
    finally:
        _whole.reset(token)
        if outer is not None:
            # What the outer block locked and this one changed: read again if asked.
            for pk in locked:
                outer.pop(pk, None)


def atomic(func):
    """A service's transaction: its own, or a savepoint inside a caller's — none inside
    `whole_transaction()`, whose refusal undoes everything anyway."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic(savepoint=_whole.get() is None):
            return func(*args, **kwargs)

    return wrapper


def lock_case(case: Case) -> Case:
    # The two services come with the row (rules, grants, reference and convention read
    # them); only the case's row is locked.
    locked = _whole.get()
    if locked is not None and case.pk in locked:
        # Locked earlier in this same transaction, and written since only through the
        # object that lock returned: it is the row as it stands.
        return locked[case.pk]
    case = (Case.objects.select_for_update(of=("self",))
            .select_related("requesting_service", "processing_centre").get(pk=case.pk))
    if locked is not None:
        locked[case.pk] = case
    return case


# --- drafts ---------------------------------------------------------------------------------


def may_edit_draft(case: Case, actor) -> bool:
    """A draft is edited by its author only, and only while it is a draft."""
    return case.state == State.DRAFT and case.created_by_id == actor.pk


def draft_for_author(case: Case, actor, *, lock: bool = True) -> Case:
    """The case opened for editing by `actor`: locked (unless `lock` is False, the caller
    holding the lock), refused with a CaseError unless it is a draft `actor` created."""
    if lock:
        case = lock_case(case)
    if not may_edit_draft(case, actor):
        raise CaseError(_("Seul l'auteur d'un brouillon peut le modifier."))
    return case


@atomic
def case_draft_create(*, actor, service: Service, kind: str, at: datetime | None = None) -> Case:
    if service.kind != Service.Kind.PRESCRIBING or not user_has_role(actor, service, *SP_ROLES):
        raise CaseError(_("Vous n'êtes pas agent de ce service prescripteur."))
    at = at or timezone.now()
    case = Case.objects.create(kind=kind, requesting_service=service,
                               processing_centre=service.processing_centre, created_by=actor,
                               created_at=at)
    permissions.grant_creator(case)
    _event(case=case, actor=actor, action=Action.CREATE, to_state=State.DRAFT, at=at)
    locked = _whole.get()
    if locked is not None:
        # Nobody else sees the row before this transaction commits: as good as locked.
        locked[case.pk] = case
    return case


def _without_nul(value):
    """A draft keeps what was typed, except NUL characters (PostgreSQL refuses them in text)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


@atomic
def case_draft_save(*, case: Case, actor, wizard_state: dict, subject: str | None = None,
                    amount: Decimal | None = None,
                    expected_version: int | None = None, if_draft: bool = False) -> Case:
    """Persist the wizard's progress. Refused once the case has left the draft state
    (`if_draft`: then nothing is written, the case is returned as it stands — a wizard's
    page answered after the submission, in another tab).

    `amount` is the draft's figure as its summary shows it (its lines' total): lists,
    exports and the API read `Case.amount`, which the filling service only sets at
    submission; None leaves it as it is."""
    case = lock_case(case)
    if case.created_by_id != actor.pk:
        raise CaseNotFound(_("Dossier introuvable."))
    if case.state != State.DRAFT and if_draft:
        return case
    if case.state != State.DRAFT:
        raise CaseError(_("Cette demande a déjà été déposée : elle ne peut plus être modifiée."))
    if expected_version is not None and expected_version != case.version:
        raise CaseConflict(_("Cette demande a été modifiée dans un autre onglet ou par une "
                             "autre personne. Rechargez la page : rien n'a été perdu."))
    case.wizard_state = _without_nul(wizard_state)
    fields = ["wizard_state", "subject", "version", "updated_at"]
    if subject is not None:
        case.subject = subject.replace("\x00", "")[:200]
    if amount is not None:
        case.amount = amount
        fields.append("amount")
    case.version += 1
    case.save(update_fields=fields)
    return case


# --- catalogue (generic) forms -----------------------------------------------------------------


def _pin_procedure(case: Case, procedure) -> None:
    """Fix the catalogue page revision (and its schema) a draft is filled with."""
    case.procedure = procedure
    case.procedure_revision = procedure.live_revision
    case.extra = {"procedure_title": procedure.title, "schema": procedure.field_schema,
                  "answers": {}, "validation": procedure.validation_policy(),
                  "required_attachments": list(procedure.required_attachments or [])
                  if kinds.get(procedure.form_kind).editor_attachments else []}
    case.save(update_fields=["procedure", "procedure_revision", "subject", "extra",
                             "updated_at"])


@atomic
def catalogue_draft_create(*, actor, service: Service, procedure, at: datetime | None = None
                           ) -> Case:
    """A draft of a catalogue form, pinned to the page revision (and schema) live now."""
    from forms_catalog.selectors import forms_for_service

    if not forms_for_service(service).filter(pk=procedure.pk).exists():
        raise CaseError(_("Ce formulaire n'est pas ouvert à votre service."))
    case = case_draft_create(actor=actor, service=service, kind=procedure.form_kind, at=at)
    if kinds.get(procedure.form_kind).answers_are_content:
        case.subject = procedure.title[:200]
    _pin_procedure(case, procedure)
    return case


@atomic
def answers_record(*, case: Case, actor, answers: dict) -> Case:
    """Record the answers to a draft's catalogue fields (validated by its wizard forms); when
    the answers are the whole request (an editor's generic form) its amount is their first
    amount field."""
    from forms_catalog.schema import first_amount, input_items

    case = draft_for_author(case, actor)
    schema = case.extra.get("schema", {})
    known = {item["key"] for item in input_items(schema)}
    answers = {key: value for key, value in answers.items() if key in known}
    case.extra = {**case.extra, "answers": answers}
    fields = ["extra", "version", "updated_at"]
    if kinds.get(case.kind).answers_are_content:
        case.amount = first_amount(schema, answers)
        fields.append("amount")
    case.version += 1
    case.save(update_fields=fields)
    return case


# --- the workflow door --------------------------------------------------------------------


def _delay(case: Case, convention) -> int:
    """The contractual delay in working days: the convention's, else the deployment's
    (settings.CASE_DELAYS_WORKING_DAYS), else the kind's own default."""
    delays = convention.delays_working_days() if convention is not None else {}
    if case.kind in delays:
        return delays[case.kind]
    return settings.CASE_DELAYS_WORKING_DAYS.get(case.kind, kinds.get(case.kind).default_delay)


def _enter_submitted(case, actor, inputs, now, data) -> None:
    """The case reaches the centre: its delay starts (once: a release back to the queue
    keeps it), the centre may see and process it."""
    if case.submitted_at is None:
        case.submitted_at = now
        convention = convention_of(case, timezone.localdate(now))
        delay = _delay(case, convention)
        case.convention, case.delay_working_days = convention, delay
        case.due_at = sla.add_working_days(now, delay)
        permissions.grant_processing_centre(case)
        _route(case, data)


def _route(case: Case, data: dict) -> None:
    """The centre's group of agents the form's routing rules send the case to, said in the
    event; none: the centre's general queue (forms_catalog.routing)."""
    from forms_catalog.routing import group_for

    group = group_for(case)
    case.agent_group = group
    if group is not None:
        data["agent_group"] = group.name
        data["agent_group_id"] = group.pk


def _effect_submit(case, actor, inputs, now, data):
    check = kinds.get(case.kind).submit_check
    if check is not None:
        check(case, now)
    for kind in case.extra.get("required_attachments", []):
        if not case.attachments.filter(kind=kind).exists():
            raise CaseError(_("Pièce obligatoire manquante : %(kind)s.")
                            % {"kind": AttachmentKind(kind).label}, field=kind)
    if not case.reference:
        case.reference = allocate_reference(service=case.requesting_service, kind=case.kind,
                                            year=timezone.localtime(now).year)
        data["reference"] = case.reference
    permissions.grant_requesting_service(case)


def _effect_assign(case, actor, inputs, now, data):
    assignee = inputs["assignee"]
    if not user_has_role(assignee, case.processing_centre, Role.CSP_AGENT, Role.CSP_HEAD):
        raise CaseError(_("Cette personne n'est pas agent du centre."), field="assignee")
    case.assigned_to = assignee
    data["assignee"] = assignee.get_full_name() or assignee.get_username()


def _effect_claim(case, actor, inputs, now, data):
    case.assigned_to = actor


def _effect_release(case, actor, inputs, now, data):
    case.assigned_to = None


def _effect_return(case, actor, inputs, now, data):
    # Back to its author for correction: a new submission starts a new delay.
    case.submitted_at = case.due_at = case.paused_at = None
    case.assigned_to = None


def _enter_final(case, actor, inputs, now, data):
    """Completed, rejected or cancelled: what the kind does then runs after (kinds.py)."""
    case.completed_at = now


def _clock(case: Case, from_state: str, to_state: str, now: datetime, data: dict) -> None:
    """The contractual clock stops in the paused states (a question to the SP, the CST's
    check); on leaving them, the due day moves by the working days spent there (the rule
    is in cases/sla.py)."""
    was_paused = from_state in workflow.PAUSED_STATES
    paused = to_state in workflow.PAUSED_STATES
    if paused and not was_paused:
        case.paused_at = now
    elif was_paused and not paused:
        if case.paused_at and case.due_at:
            data["paused_working_days"] = sla.paused_working_days(case.paused_at, now)
            case.due_at = sla.resume_due_at(case.due_at, case.paused_at, now)
        case.paused_at = None


# What each action does in the core; the kind's own effect for the action runs after it.
EFFECTS = {
    Action.SUBMIT: _effect_submit,
    Action.ASSIGN: _effect_assign,
    Action.CLAIM: _effect_claim,
    Action.RELEASE: _effect_release,
    Action.RETURN: _effect_return,
}

# What entering a state does in the core, whichever action leads there (a row that stays in
# its state enters nothing); the kind's own (KindSpec.on_enter) runs after it.
ON_ENTER = {
    State.SUBMITTED: _enter_submitted,
    State.COMPLETED: _enter_final,
    State.REJECTED: _enter_final,
    State.CANCELLED: _enter_final,
}

# The core's inputs; a kind's row says the message of its own (Transition.messages).
REQUIRED_MESSAGES = {
    "comment": _lazy("Un commentaire est obligatoire pour cette action."),
    "assignee": _lazy("Choisissez l'agent à qui attribuer le dossier."),
    "anomaly": _lazy("Choisissez le type d'anomalie."),
    "anomaly_text": _lazy("Précisez l'anomalie : c'est obligatoire pour ce type."),
}
ANOMALY_UNKNOWN = _lazy("Ce type d'anomalie n'existe pas (ou plus) dans la convention.")
ANOMALY_TEXT_MAX = 500
ANOMALY_TEXT_TOO_LONG = _lazy("Précisez l'anomalie en 500 caractères au plus.")


def _record_anomaly(case: Case, chosen: workflow.Transition, inputs: dict, data: dict) -> None:
    """A question, return or rejection is classified in the case's typology: the type's code
    and label (as they read today: a later edit of the convention leaves the history alone)
    and, if given, its description go into the event."""
    if not takes_anomaly(chosen):
        return
    code, text = inputs.get("anomaly"), inputs.get("anomaly_text") or ""
    if not code:
        return  # optional on this row, and not given
    kind = next((k for k in case_typology(case) if k.code == code), None)
    if kind is None:
        raise CaseError(str(ANOMALY_UNKNOWN), field="anomaly")
    if kind.needs_text and not text:
        raise CaseError(required_message(chosen, "anomaly_text"), field="anomaly_text")
    if len(text) > ANOMALY_TEXT_MAX:
        raise CaseError(str(ANOMALY_TEXT_TOO_LONG), field="anomaly_text")
    data.update(anomaly=kind.code, anomaly_label=kind.label)
    if text:
        data["anomaly_text"] = text


def required_message(chosen: workflow.Transition, name: str) -> str:
    """What a missing required input reads: the row's own message (a kind's input), else
    the core's. The service and the action form both say it."""
    return str(dict(chosen.messages).get(name) or REQUIRED_MESSAGES[name])


def _inputs(chosen: workflow.Transition, given: dict) -> dict:
    """The action's inputs as its row describes them: only the names it requires or accepts
    (text stripped), each required one present, or CaseError on its field."""
    named = chosen.requires + chosen.accepts
    inputs = {name: given.get(name) for name in named}
    for name, value in inputs.items():
        if isinstance(value, str):
            inputs[name] = value.strip()
    inputs["comment"] = inputs.get("comment") or ""
    for name in chosen.requires:
        if not inputs.get(name):
            raise CaseError(required_message(chosen, name), field=name)
    return inputs


def choose_transition(*, case: Case, action: str, actor) -> workflow.Transition:
    """The transition row that applies, or CaseError saying why none does."""
    candidates = kinds.transitions_for(case.state, action, case.kind)
    if not candidates:
        raise CaseError(_("L'action « %(action)s » n'est pas possible sur un dossier à l'état "
                          "« %(state)s ».") % {"action": Action(action).label,
                                              "state": State(case.state).label})
    refusal = None
    # Rules are functions of (actor, case): one that several rows name (submit's
    # "creator_may_commit", read for the mission's row and the centre's) is read once.
    answers: dict[str, str | None] = {}

    def check(name: str) -> str | None:
        if name not in answers:
            answers[name] = kinds.rule(name, case.kind, permissions.RULES)(actor, case)
        return answers[name]

    for candidate in candidates:
        refusal = check(candidate.who)
        if refusal:
            continue
        for guard in workflow.guards_of(candidate):
            refusal = check(guard)
            if refusal:
                break
        if refusal:
            continue
        return candidate
    raise CaseError(refusal)


def transition(*, case: Case, action: str, actor, expected_version: int | None = None,
               at: datetime | None = None, inputs: dict | None = None, **named_inputs) -> Case:
    """Apply `action` to `case` for `actor`, or raise CaseError with nothing changed.

    The action's inputs (`comment`, `assignee`, a kind's own such as `ej_number`) come as one
    mapping, `inputs`, or as keywords; the transition row says which it requires or
    accepts, the others are ignored."""
    with transaction.atomic(savepoint=_whole.get() is None):
        case = lock_case(case)
        if not permissions.can_view(actor, case):
            raise CaseNotFound(_("Dossier introuvable."))
        if expected_version is not None and expected_version != case.version:
            raise CaseConflict(_("Le dossier a changé depuis que vous l'avez ouvert. "
                                 "Rechargez la page pour voir son état actuel."))
        with reads_once(case):
            chosen = choose_transition(case=case, action=action, actor=actor)
            # A comment is kept only where the action takes one.
            inputs = _inputs(chosen, {**(inputs or {}), **named_inputs})
            comment = inputs["comment"]
            now = at or timezone.now()
            data: dict = {}
            _record_anomaly(case, chosen, inputs, data)
            from_state = case.state
            _clock(case, from_state, chosen.target, now, data)
            effects = [EFFECTS.get(chosen.action), kinds.effect(case.kind, chosen.action)]
            if chosen.target != from_state:
                effects += [ON_ENTER.get(chosen.target),
                            kinds.on_enter(case.kind, chosen.target)]
            with permissions.grants_together(case):
                for effect in effects:
                    if effect:
                        effect(case, actor, inputs, now, data)
        case.state = chosen.target
        case.version += 1
        case.save()
        event = _event(case=case, actor=actor, action=chosen.action, from_state=from_state,
                       to_state=chosen.target, comment=comment, data=data, at=now)
        # Whoever listens records its part in this transaction (cases.signals).
        case_transitioned.send(sender=Case, event=event)
    return case


def case_available_transitions(*, case: Case, user) -> list[workflow.Transition]:
    """The transition row of each action the user could perform now (the case page's forms)."""
    allowed = []
    with reads_once(case):  # nothing is written here
        for action in kinds.actions_from(case.state, case.kind):
            try:
                allowed.append(choose_transition(case=case, action=action, actor=user))
            except CaseError:
                continue
    return allowed


def case_available_actions(*, case: Case, user) -> list[Action]:
    return [t.action for t in case_available_transitions(case=case, user=user)]
