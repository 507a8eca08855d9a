"""The only code that writes cases. `transition()` is the single door for state changes."""

from dataclasses import dataclass
from datetime import datetime
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from conventions.selectors import convention_in_force
from documents.models import AttachmentKind
from portal.models import SP_ROLES, Role, Service
from portal.selectors import user_has_role

from . import limits, permissions, sla, workflow
from .budget import imputation_clashes
from .models import (
    BudgetImputation,
    Case,
    CaseEvent,
    CaseKind,
    PurchaseLine,
    PurchaseRequest,
    Tiers,
    ej_number_validator,
)
from .references import allocate_reference
from .workflow import Action, State

CENT = Decimal("0.01")
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


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


def _locked(case: Case) -> Case:
    # The two services come with the row (rules, grants, reference and convention read
    # them); only the case's row is locked.
    return (Case.objects.select_for_update(of=("self",))
            .select_related("requesting_service", "processing_centre").get(pk=case.pk))


# --- drafts ---------------------------------------------------------------------------------


@transaction.atomic
def case_draft_create(*, actor, service: Service, kind: str, at: datetime | None = None) -> Case:
    if service.kind != Service.Kind.PRESCRIBING or not user_has_role(actor, service, *SP_ROLES):
        raise CaseError(_("Vous n'êtes pas agent de ce service prescripteur."))
    at = at or timezone.now()
    case = Case.objects.create(kind=kind, requesting_service=service,
                               processing_centre=service.processing_centre, created_by=actor,
                               created_at=at)
    permissions.grant_creator(case)
    _event(case=case, actor=actor, action=Action.CREATE, to_state=State.DRAFT, at=at)
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


@transaction.atomic
def case_draft_save(*, case: Case, actor, wizard_state: dict, subject: str | None = None,
                    amount: Decimal | None = None,
                    expected_version: int | None = None) -> Case:
    """Persist the wizard's progress. Refused once the case has left the draft state.

    `amount` is the draft's figure as its summary shows it (its lines' total): lists,
    exports and the API read `Case.amount`, which the filling service only sets at
    submission; None leaves it as it is."""
    case = _locked(case)
    if case.created_by_id != actor.pk:
        raise CaseNotFound(_("Dossier introuvable."))
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
                  if procedure.form_kind == CaseKind.PURCHASE_REQUEST else []}
    case.save(update_fields=["procedure", "procedure_revision", "subject", "extra",
                             "updated_at"])


@transaction.atomic
def catalogue_draft_create(*, actor, service: Service, procedure, at: datetime | None = None
                           ) -> Case:
    """A draft of a catalogue form, pinned to the page revision (and schema) live now."""
    from forms_catalog.selectors import forms_for_service

    if not forms_for_service(service).filter(pk=procedure.pk).exists():
        raise CaseError(_("Ce formulaire n'est pas ouvert à votre service."))
    case = case_draft_create(actor=actor, service=service, kind=procedure.form_kind, at=at)
    if procedure.form_kind == CaseKind.GENERIC:
        case.subject = procedure.title[:200]
    _pin_procedure(case, procedure)
    return case


@transaction.atomic
def answers_record(*, case: Case, actor, answers: dict) -> Case:
    """Record the answers to a draft's catalogue fields (validated by its wizard forms); a
    generic form's amount is its first amount field."""
    from forms_catalog.schema import first_amount, input_items

    case = _locked(case)
    if case.state != State.DRAFT or case.created_by_id != actor.pk:
        raise CaseError(_("Seul l'auteur d'un brouillon peut le modifier."))
    schema = case.extra.get("schema", {})
    known = {item["key"] for item in input_items(schema)}
    answers = {key: value for key, value in answers.items() if key in known}
    case.extra = {**case.extra, "answers": answers}
    fields = ["extra", "version", "updated_at"]
    if case.kind == CaseKind.GENERIC:
        case.amount = first_amount(schema, answers)
        fields.append("amount")
    case.version += 1
    case.save(update_fields=fields)
    return case


# --- purchase request content ------------------------------------------------------------------


@dataclass(frozen=True)
class LineData:
    label: str
    quantity: Decimal
    unit_price_ht: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class PurchaseRequestData:
    subject: str
    financial_centre: BudgetImputation
    cost_centre: BudgetImputation
    activity: BudgetImputation
    funds: BudgetImputation | None
    tiers: Tiers
    lines: list[LineData]
    description: str = ""
    market_reference: str = ""
    delivery_address: str = ""


@dataclass(frozen=True)
class Totals:
    ht: Decimal
    vat: Decimal
    ttc: Decimal


def line_totals(line: LineData) -> Totals:
    # Exact whatever the figures: a line stored before cases.limits (or one being checked
    # against them) may exceed the default context's 28 digits, where rounding to the cent
    # would raise InvalidOperation and take its page down.
    with localcontext(EXACT):
        ht = (line.quantity * line.unit_price_ht).quantize(CENT, ROUND_HALF_UP)
        vat = (ht * line.vat_rate / 100).quantize(CENT, ROUND_HALF_UP)
        return Totals(ht=ht, vat=vat, ttc=ht + vat)


def purchase_totals(lines: list[LineData]) -> Totals:
    per_line = [line_totals(line) for line in lines]
    with localcontext(EXACT):
        ht = sum((t.ht for t in per_line), Decimal("0.00"))
        vat = sum((t.vat for t in per_line), Decimal("0.00"))
        return Totals(ht=ht, vat=vat, ttc=ht + vat)


def _check_imputations(service: Service, data) -> None:
    """`data`: a PurchaseRequestData being filled, or the PurchaseRequest being submitted."""
    expected = {
        "financial_centre": data.financial_centre,
        "cost_centre": data.cost_centre,
        "activity": data.activity,
        "funds": data.funds,
    }
    for axis, imputation in expected.items():
        if imputation is None and axis != "funds":
            raise CaseError(_("Imputation budgétaire manquante."), field=axis)
    # The service's referential in force, and one programme for all (cases.budget).
    clashes = imputation_clashes(service, **expected)
    if clashes:
        raise CaseError(clashes[0].message, field=clashes[0].field)


@transaction.atomic
def purchase_request_fill(*, case: Case, actor, data: PurchaseRequestData) -> PurchaseRequest:
    """Write the purchase request's content on a draft (replacing any previous content)."""
    case = _locked(case)
    if case.kind != CaseKind.PURCHASE_REQUEST:
        raise CaseError(_("Ce dossier n'est pas une demande d'achat."))
    if case.state != State.DRAFT or case.created_by_id != actor.pk:
        raise CaseError(_("Seul l'auteur d'un brouillon peut le modifier."))
    try:
        limits.validate_line_count(len(data.lines))
    except ValidationError as exc:
        raise CaseError(exc.messages[0], field="lines") from exc
    if not data.tiers.active:
        raise CaseError(_("Ce fournisseur n'est plus actif dans l'annuaire des tiers."),
                        field="tiers")
    _check_imputations(case.requesting_service, data)
    # Every bound is checked before anything is written (cases.limits): a refused line
    # leaves no request, no line and no amount behind.
    lines = _checked_lines(data.lines)
    totals = purchase_totals(data.lines)
    try:
        limits.validate_request_total(totals.ttc)
    except ValidationError as exc:
        raise CaseError(exc.messages[0], field="lines") from exc
    content = {
        "financial_centre": data.financial_centre,
        "cost_centre": data.cost_centre,
        "activity": data.activity,
        "funds": data.funds,
        "tiers": data.tiers,
        "description": data.description,
        "delivery_address": data.delivery_address,
        "market_reference": data.market_reference,
        "amount_ht": totals.ht,
        "amount_vat": totals.vat,
        "amount_ttc": totals.ttc,
    }
    # The draft's row is locked: nobody else writes its request meanwhile, so no
    # update_or_create (and its two savepoints) is needed.
    request = PurchaseRequest.objects.filter(case=case).first()
    if request is None:
        request = PurchaseRequest.objects.create(case=case, **content)
    else:
        for name, value in content.items():
            setattr(request, name, value)
        request.save(update_fields=list(content))
        request.lines.all().delete()
    for line in lines:
        line.purchase_request = request
    PurchaseLine.objects.bulk_create(lines)
    case.subject = data.subject[:200]
    case.amount = totals.ttc
    case.version += 1
    case.save(update_fields=["subject", "amount", "version", "updated_at"])
    return request


def _checked_lines(lines: list[LineData]) -> list[PurchaseLine]:
    """The lines as unsaved rows, each within the bounds of cases.limits."""
    rows = []
    for position, line in enumerate(lines, start=1):
        row = PurchaseLine(position=position, label=line.label, quantity=line.quantity,
                           unit_price_ht=line.unit_price_ht, vat_rate=line.vat_rate)
        try:
            # The fields' validators say what the check constraints say, in French and
            # without a query per constraint and line; the constraints stay the backstop.
            row.full_clean(exclude=["purchase_request"], validate_constraints=False)
            limits.validate_line_total(line_totals(line).ht)
        except ValidationError as exc:
            raise CaseError(_("Ligne %(n)s : %(errors)s") % {
                "n": position, "errors": " ".join(exc.messages)}, field="lines") from exc
        rows.append(row)
    return rows


# --- the workflow door --------------------------------------------------------------------


def _enter_submitted(case: Case, now: datetime) -> None:
    if case.submitted_at is None:
        case.submitted_at = now
        convention = convention_in_force(service=case.requesting_service,
                                         centre=case.processing_centre,
                                         on=timezone.localdate(now))
        if convention is not None:
            delay = convention.delays_working_days()[case.kind]
        else:
            delay = settings.CASE_DELAYS_WORKING_DAYS[case.kind]
        case.convention, case.delay_working_days = convention, delay
        case.due_at = sla.add_working_days(now, delay)
        permissions.grant_processing_centre(case)


def _effect_submit(case, actor, inputs, now, data):
    if case.kind == CaseKind.PURCHASE_REQUEST:
        request = (PurchaseRequest.objects.filter(case=case)
                   .select_related("financial_centre", "cost_centre", "activity", "funds")
                   .first())
        if request is None:
            raise CaseError(_("La demande d'achat est incomplète."))
        # Checked again here, not only when filled: a draft filled before the rule, or whose
        # referential changed since, is not submitted with clashing imputations.
        _check_imputations(case.requesting_service, request)
    if case.kind == CaseKind.PURCHASE_REQUEST and not case.attachments.filter(
            kind="quote").exists():
        raise CaseError(_("Un devis doit être joint à la demande d'achat."), field="quote")
    if case.kind == CaseKind.TIERS:
        from suppliers.services import tiers_request_check

        tiers_request_check(case)
    elif case.kind == CaseKind.SERVICE_DONE:
        from service_done.services import statement_check

        statement_check(case, now)
    elif case.kind == CaseKind.FIXED_ASSET:
        from fixed_assets.services import asset_request_check

        asset_request_check(case)
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


def _effect_complete(case, actor, inputs, now, data):
    case.completed_at = now
    if case.kind == CaseKind.FIXED_ASSET:
        from fixed_assets.services import asset_record_number

        data["asset_number"] = asset_record_number(case=case, number=inputs["asset_number"])
        return
    if case.kind != CaseKind.PURCHASE_REQUEST:
        return
    ej_number = (inputs.get("ej_number") or "").strip()
    try:
        ej_number_validator(ej_number)
    except ValidationError as exc:
        raise CaseError(exc.messages[0], field="ej_number") from exc
    if PurchaseRequest.objects.filter(ej_number=ej_number).exclude(case=case).exists():
        raise CaseError(_("Ce numéro d'EJ est déjà attribué à une autre demande."),
                        field="ej_number")
    try:
        with transaction.atomic():
            PurchaseRequest.objects.filter(case=case).update(ej_number=ej_number)
    except IntegrityError as exc:  # a concurrent completion took the number first
        raise CaseError(_("Ce numéro d'EJ est déjà attribué à une autre demande."),
                        field="ej_number") from exc
    data["ej_number"] = ej_number
    case.completed_at = now
    case.awaiting_signature = True


def _effect_sign(case, actor, inputs, now, data):
    # documents renders cases' data, so it imports this module: import it here, not above.
    from documents.services import DocumentError, order_form_issue

    try:
        document = order_form_issue(case=case, actor=actor, at=now)
    except DocumentError as exc:
        raise CaseError(exc.message) from exc
    data["document"] = document.pk
    data["sha256"] = document.sha256
    data["signer"] = document.signer_name
    case.awaiting_signature = False


def _effect_certify(case, actor, inputs, now, data):
    from documents.services import DocumentError, certificate_issue

    try:
        document = certificate_issue(case=case, actor=actor, at=now)
    except DocumentError as exc:
        raise CaseError(exc.message) from exc
    data["document"] = document.pk
    data["sha256"] = document.sha256
    case.completed_at = now


def _effect_cst_validate(case, actor, inputs, now, data):
    # suppliers builds on cases: import it here, not above.
    from suppliers.services import tiers_directory_apply

    record = tiers_directory_apply(case=case, actor=actor, at=now)
    data["tiers"] = record.pk
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


def _effect_close(case, actor, inputs, now, data):
    case.completed_at = now
    if case.kind == CaseKind.FIXED_ASSET:
        from fixed_assets.services import inventory_number_release

        inventory_number_release(case)


EFFECTS = {
    Action.SUBMIT: _effect_submit,
    Action.ASSIGN: _effect_assign,
    Action.CLAIM: _effect_claim,
    Action.RELEASE: _effect_release,
    Action.COMPLETE: _effect_complete,
    Action.SIGN: _effect_sign,
    Action.CST_VALIDATE: _effect_cst_validate,
    Action.CERTIFY: _effect_certify,
    Action.RETURN: _effect_return,
    Action.REJECT: _effect_close,
    Action.CANCEL: _effect_close,
}

REQUIRED_MESSAGES = {
    "comment": _lazy("Un commentaire est obligatoire pour cette action."),
    "assignee": _lazy("Choisissez l'agent à qui attribuer le dossier."),
    "ej_number": _lazy("Le numéro d'EJ est obligatoire."),
    "asset_number": _lazy("Le numéro de la fiche immobilisation créée dans Chorus est "
                          "obligatoire."),
}


def choose_transition(*, case: Case, action: str, actor) -> workflow.Transition:
    """The transition row that applies, or CaseError saying why none does."""
    candidates = workflow.transitions_for(case.state, action, case.kind)
    if not candidates:
        raise CaseError(_("L'action « %(action)s » n'est pas possible sur un dossier à l'état "
                          "« %(state)s ».") % {"action": Action(action).label,
                                              "state": State(case.state).label})
    refusal = None
    for candidate in candidates:
        refusal = permissions.RULES[candidate.who](actor, case)
        if refusal:
            continue
        if candidate.guard:
            refusal = permissions.RULES[candidate.guard](actor, case)
            if refusal:
                continue
        return candidate
    raise CaseError(refusal)


def transition(*, case: Case, action: str, actor, comment: str = "", assignee=None,
               ej_number: str | None = None, asset_number: str | None = None,
               expected_version: int | None = None, at: datetime | None = None) -> Case:
    """Apply `action` to `case` for `actor`, or raise CaseError with nothing changed."""
    with transaction.atomic():
        case = _locked(case)
        if not permissions.can_view(actor, case):
            raise CaseNotFound(_("Dossier introuvable."))
        if expected_version is not None and expected_version != case.version:
            raise CaseConflict(_("Le dossier a changé depuis que vous l'avez ouvert. "
                                 "Rechargez la page pour voir son état actuel."))
        chosen = choose_transition(case=case, action=action, actor=actor)
        # A comment is kept only where the action takes one.
        comment = (comment or "").strip() if "comment" in chosen.requires + chosen.accepts else ""
        inputs = {"comment": comment, "assignee": assignee, "ej_number": ej_number,
                  "asset_number": (asset_number or "").strip()}
        for name in chosen.requires:
            if not inputs.get(name):
                raise CaseError(str(REQUIRED_MESSAGES[name]), field=name)
        now = at or timezone.now()
        data: dict = {}
        from_state = case.state
        _clock(case, from_state, chosen.target, now, data)
        effect = EFFECTS.get(chosen.action)
        if effect:
            effect(case, actor, inputs, now, data)
        if chosen.target == State.SUBMITTED:
            _enter_submitted(case, now)
        case.state = chosen.target
        case.version += 1
        case.save()
        event = _event(case=case, actor=actor, action=chosen.action, from_state=from_state,
                       to_state=chosen.target, comment=comment, data=data, at=now)
        # notifications builds on cases: import it here, not above.
        from notifications.services import notify_event

        notify_event(event, fresh=True)
    return case


def case_available_transitions(*, case: Case, user) -> list[workflow.Transition]:
    """The transition row of each action the user could perform now (the case page's forms)."""
    allowed = []
    for action in workflow.actions_from(case.state, case.kind):
        try:
            allowed.append(choose_transition(case=case, action=action, actor=user))
        except CaseError:
            continue
    return allowed


def case_available_actions(*, case: Case, user) -> list[Action]:
    return [t.action for t in case_available_transitions(case=case, user=user)]
