"""The purchase request as the core sees it (cases/kinds.py)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import permissions
from cases.kinds import ApiDraft, CasePagePart, KindSpec, Validation
from cases.models import CaseKind, PurchaseRequest, ej_number_validator
from cases.services import CaseError
from cases.workflow import Action, State, row
from documents.credentials import signing_problem
from documents.selectors import order_form_of
from documents.services import DocumentError, order_form_issue
from portal.models import Role
from portal.selectors import user_has_role

from . import circuits
from .services import check_imputations


def submit_check(case, now) -> None:
    request = circuits.request_of(case)
    if request is None:
        raise CaseError(_("La demande d'achat est incomplète."))
    # Checked again here, not only when filled: a draft filled before the rule, or whose
    # referential changed since, is not submitted with clashing imputations.
    check_imputations(case.requesting_service, request)
    if not request.has_quote:
        raise CaseError(_("Un devis doit être joint à la demande d'achat."), field="quote")


def record_ej(case, actor, inputs, now, data) -> None:
    ej_number = inputs.get("ej_number") or ""
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
    case.awaiting_signature = True


def sign_order_form(case, actor, inputs, now, data) -> None:
    try:
        document = order_form_issue(case=case, actor=actor, at=now)
    except DocumentError as exc:
        raise CaseError(exc.message) from exc
    data["document"] = document.pk
    data["sha256"] = document.sha256
    data["signer"] = document.signer_name
    case.awaiting_signature = False


def centre_signatory(user, case) -> str | None:
    if not user_has_role(user, case.processing_centre, Role.CSP_AGENT, Role.CSP_HEAD):
        return _("Seuls les agents du centre qui traite ce dossier peuvent signer son bon de "
                 "commande.")
    return None


def order_form_unsigned(user, case) -> str | None:
    if case.issued_documents.filter(kind="order_form").exists():
        return _("Le bon de commande de ce dossier est déjà signé.")
    return None


def case_page(case, user, transitions) -> dict | None:
    request = getattr(case, "purchase_request", None)
    if request is None:
        return None
    context = {"purchase_request": request, "lines": request.lines.all()}
    completed = case.state == State.COMPLETED
    context["order_form"] = order_form = order_form_of(case) if completed else None
    if completed and order_form is None:
        context["can_preview_order_form"] = (
            permissions.visible_cases(user, permissions.PROCESS).filter(pk=case.pk).exists())
    if any(t.action == Action.SIGN for t in transitions):
        # Read without pyHanko (documents.credentials): only signing itself loads it.
        context["signing_problem"] = signing_problem(user)
    return context


def procurement_route():
    return Subquery(PurchaseRequest.objects.filter(case=OuterRef("pk"), routed_to_mission=True)
                    .values("procurement_route")[:1])


def went_through_mission():
    return Q(purchase_request__routed_to_mission=True)


def supplier_name():
    return Subquery(PurchaseRequest.objects.filter(case=OuterRef("pk"))
                    .values("tiers__name")[:1])


PURCHASE_REQUEST = KindSpec(
    code=CaseKind.PURCHASE_REQUEST,
    label=gettext_lazy("Demande d'achat"),
    reference_prefix="DA",
    resume_url="purchases:resume",
    new_url="purchases:new",
    default_delay=5,
    validation=Validation.BEYOND_DELEGATION,
    has_amount=True,
    editor_attachments=True,
    submit_check=submit_check,
    effects={Action.COMPLETE: record_ej, Action.SIGN: sign_order_form,
             Action.MISSION_ACCEPT: circuits.accept_for_mission,
             Action.VISA_GRANT: circuits.grant_visa, Action.VISA_REFUSE: circuits.refuse_visa},
    on_enter={State.AT_MISSION: circuits.enter_mission,
              State.AWAITING_VISA: circuits.enter_visa},
    transitions=(
        # At or above the purchasing mission's threshold, the mission before the centre.
        row(State.DRAFT, Action.SUBMIT, State.AT_MISSION, "creator",
            guard=("creator_may_commit", "goes_to_mission")),
        row(State.AWAITING_VALIDATION, Action.VALIDATE, State.AT_MISSION, "ordonnateur",
            guard=("delegation_covers_amount", "goes_to_mission"), accepts=("comment",)),
        row(State.AT_MISSION, Action.MISSION_ACCEPT, State.SUBMITTED, "mission_member",
            requires=("procurement_route",), accepts=("contract_reference", "comment"),
            messages=(("procurement_route", gettext_lazy(
                "Choisissez la voie d'achat : marché existant ou nouvelle procédure.")),)),
        row(State.AT_MISSION, Action.REQUEST_INFO, State.MISSION_INFO, "mission_member",
            requires=("comment", "anomaly"), accepts=("anomaly_text",)),
        row(State.MISSION_INFO, Action.ANSWER, State.AT_MISSION, "requesting_member",
            requires=("comment",)),
        row(State.AT_MISSION, Action.RETURN, State.DRAFT, "mission_member",
            requires=("comment", "anomaly"), accepts=("anomaly_text",)),
        row({State.AT_MISSION, State.MISSION_INFO}, Action.CANCEL, State.CANCELLED,
            "requesting_member", requires=("comment",)),
        # At or above the budget-control threshold, the EJ waits for the visa.
        row(State.IN_PROGRESS, Action.COMPLETE, State.AWAITING_VISA, "assignee",
            guard="needs_visa", requires=("ej_number",), accepts=("comment",),
            messages=(("ej_number", gettext_lazy("Le numéro d'EJ est obligatoire.")),)),
        row(State.IN_PROGRESS, Action.COMPLETE, State.COMPLETED, "assignee",
            requires=("ej_number",), accepts=("comment",),
            messages=(("ej_number", gettext_lazy("Le numéro d'EJ est obligatoire.")),)),
        row(State.AWAITING_VISA, Action.VISA_GRANT, State.COMPLETED, "visa_recorder",
            requires=("visa_reference", "visa_date"), accepts=("comment",),
            messages=(("visa_reference", gettext_lazy("Indiquez la référence du visa.")),
                      ("visa_date", gettext_lazy("Indiquez la date du visa (JJ/MM/AAAA).")))),
        row(State.AWAITING_VISA, Action.VISA_REFUSE, State.IN_PROGRESS, "visa_recorder",
            requires=("comment",)),
        # Signing issues the order form; the case stays completed.
        row(State.COMPLETED, Action.SIGN, State.COMPLETED, "centre_signatory",
            guard=("order_form_unsigned", "visa_granted")),
    ),
    rules={"centre_signatory": centre_signatory, "order_form_unsigned": order_form_unsigned,
           **circuits.RULES},
    case_page=(CasePagePart("purchases/_case_circuits.html", circuits.case_page),
               CasePagePart("purchases/_case_purchase.html", case_page)),
    circuits=circuits.circuits_of,
    circuits_label=circuits.circuits_label,
    queue_columns={"supplier_name": supplier_name, "procurement_route": procurement_route},
    queue_filters={"mission": went_through_mission},
    api_draft=ApiDraft("kinds.purchases.api.PurchaseRequestDraft"),
)
