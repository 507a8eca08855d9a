"""The convention's circuits a purchase request goes through besides the centre.

- The purchasing mission (MdA): a request at or above the convention's threshold (HT, the
  convention in force on the day it leaves its service) goes, after the ordonnateur if need
  be, to the mission attached to the centre, which accepts it (recording the procurement
  route), asks the service a question, or returns it. The centre's delay starts when the
  mission accepts it (`cases.services._enter_submitted`): time at the mission is not the
  centre's. A centre with no mission attached receives such requests directly.
- The budget visa (CBCM): an EJ at or above the convention's budget-control threshold (the
  programme's own, else the convention's; HT) waits for the visa before its order form can
  be signed, the centre's clock paused (`cases.workflow.PAUSED_STATES`). The visa is
  recorded, or refused (the case goes back to the centre), by a member of the budget control
  attached to the centre or by the agent in charge of the case.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from cases import permissions
from cases.budget import programme_of
from cases.models import ProcurementRoute, PurchaseRequest
from cases.reads import convention_of, read_once
from cases.services import CaseError
from cases.workflow import State
from documents.models import Attachment, AttachmentKind
from portal.models import CENTRE_ROLES, Role, Service
from portal.selectors import centre_party, user_has_role


def request_of(case) -> PurchaseRequest | None:
    """The case's request with its imputations, and whether a quote is on record
    (`has_quote`): read once per transition, the rules and the submission's check all ask
    it."""
    return read_once(case, "purchase_request", lambda: (
        PurchaseRequest.objects.filter(case=case)
        .select_related("financial_centre", "cost_centre", "activity", "funds")
        .annotate(has_quote=Exists(Attachment.objects.filter(
            case=OuterRef("case"), kind=AttachmentKind.QUOTE)))
        .first()))


def _convention(case):
    """The case's convention (pinned when it reached the centre), else the one in force
    today between its service and centre; None without one."""
    return case.convention or convention_of(case, timezone.localdate())


def mission_threshold(case) -> Decimal | None:
    """The purchasing mission's threshold (HT) for `case` today, None without a convention."""
    convention = _convention(case)
    return convention.purchasing_mission_threshold_ht if convention else None


def reaches_mission(amount_ht: Decimal | None, threshold: Decimal | None) -> bool:
    """At the threshold or above it goes to the mission; one cent below does not."""
    return amount_ht is not None and threshold is not None and amount_ht >= threshold


def mission_of(case) -> Service | None:
    return centre_party(case.processing_centre, Service.Kind.PURCHASING_MISSION)


def budget_control_of(case) -> Service | None:
    return centre_party(case.processing_centre, Service.Kind.BUDGET_CONTROL)


def visa_threshold(case, request: PurchaseRequest) -> Decimal | None:
    convention = _convention(case)
    if convention is None:
        return None
    return convention.budget_control_threshold(programme_of(request.financial_centre.code))


# --- rules (None: satisfied; else why not) --------------------------------------------------


def goes_to_mission(user, case) -> str | None:
    request = request_of(case)
    amount = request.amount_ht if request else None
    if not reaches_mission(amount, mission_threshold(case)):
        return _("Cette demande est sous le seuil de la mission des achats.")
    if mission_of(case) is None:
        return _("Aucune mission des achats n'est rattachée à ce centre.")
    return None


def mission_member(user, case) -> str | None:
    mission = mission_of(case)
    if mission is None or not user_has_role(user, mission, Role.MDA_AGENT):
        return _("Seule la mission des achats rattachée au centre peut effectuer cette action.")
    return None


def needs_visa(user, case) -> str | None:
    request = request_of(case)
    threshold = visa_threshold(case, request) if request else None
    if threshold is None or request.amount_ht < threshold:
        return _("Cet engagement est sous le seuil du visa du contrôleur budgétaire.")
    return None


def visa_recorder(user, case) -> str | None:
    """A member of the budget control attached to the centre, or the agent in charge."""
    control = budget_control_of(case)
    if control is not None and user_has_role(user, control, Role.CBCM_AGENT):
        return None
    if (case.assigned_to_id == user.pk
            and user_has_role(user, case.processing_centre, *CENTRE_ROLES)):
        return None
    return _("Seuls le contrôleur budgétaire du centre ou l'agent en charge du dossier peuvent "
             "enregistrer le visa.")


def visa_granted(user, case) -> str | None:
    request = request_of(case)
    if request is not None and request.budget_visa_required and not request.visa_reference:
        return _("Ce bon de commande ne peut pas être signé : l'engagement juridique attend le "
                 "visa du contrôleur budgétaire (CBCM).")
    return None


RULES = {"goes_to_mission": goes_to_mission, "mission_member": mission_member,
         "needs_visa": needs_visa, "visa_recorder": visa_recorder,
         "visa_granted": visa_granted}


# --- entering the circuits' states, and their actions -------------------------------------


def enter_mission(case, actor, inputs, now, data) -> None:
    mission = mission_of(case)
    PurchaseRequest.objects.filter(case=case).update(routed_to_mission=True)
    permissions.grant_party(case, mission)
    data["mission"] = mission.code


def accept_for_mission(case, actor, inputs, now, data) -> None:
    route = inputs.get("procurement_route") or ""
    if route not in ProcurementRoute.values:
        raise CaseError(_("Choisissez la voie d'achat : marché existant ou nouvelle procédure."),
                        field="procurement_route")
    reference = (inputs.get("contract_reference") or "")[:100]
    if route == ProcurementRoute.EXISTING_CONTRACT and not reference:
        raise CaseError(_("Indiquez la référence du marché existant."),
                        field="contract_reference")
    if route == ProcurementRoute.NEW_PROCEDURE:
        reference = ""
    PurchaseRequest.objects.filter(case=case).update(procurement_route=route,
                                                     contract_reference=reference)
    data["procurement_route"] = route
    if reference:
        data["contract_reference"] = reference


def enter_visa(case, actor, inputs, now, data) -> None:
    PurchaseRequest.objects.filter(case=case).update(budget_visa_required=True,
                                                     visa_reference="", visa_date=None)
    case.awaiting_signature = False
    control = budget_control_of(case)
    if control is not None:
        permissions.grant_party(case, control)
        data["budget_control"] = control.code


def _visa_date(value, now, case) -> date:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = parse_date(str(value or "").strip())
        except ValueError:  # well formed, not a date (31/02)
            day = None
    if day is None:
        raise CaseError(_("Indiquez la date du visa (JJ/MM/AAAA)."), field="visa_date")
    if day > timezone.localdate(now):
        raise CaseError(_("La date du visa ne peut pas être dans le futur."), field="visa_date")
    if case.submitted_at and day < timezone.localdate(case.submitted_at):
        raise CaseError(_("La date du visa ne peut pas précéder l'arrivée de la demande au "
                          "centre (%(day)s).") % {"day": timezone.localdate(
                              case.submitted_at).strftime("%d/%m/%Y")}, field="visa_date")
    return day


def grant_visa(case, actor, inputs, now, data) -> None:
    reference = (inputs.get("visa_reference") or "")[:50]
    day = _visa_date(inputs.get("visa_date"), now, case)
    PurchaseRequest.objects.filter(case=case).update(visa_reference=reference, visa_date=day)
    case.awaiting_signature = True
    data.update(visa_reference=reference, visa_date=day.isoformat())


def refuse_visa(case, actor, inputs, now, data) -> None:
    # The centre corrects the EJ and completes the case again (a new visa then).
    case.awaiting_signature = False


# --- what the parties read --------------------------------------------------------------


def circuits_of(case) -> dict:
    """The circuits as the API and exports give them (JSON-ready)."""
    request = getattr(case, "purchase_request", None)
    if request is None:
        return {}
    return {
        "purchasing_mission": {
            "routed": request.routed_to_mission,
            "procurement_route": request.procurement_route or None,
            "contract_reference": request.contract_reference,
        },
        "budget_visa": {
            "required": request.budget_visa_required,
            "reference": request.visa_reference,
            "date": request.visa_date.isoformat() if request.visa_date else None,
        },
    }


def circuits_label(case) -> str:
    """One line for lists and exports (« MdA : marché existant 2025-123 · visa CBCM »)."""
    request = getattr(case, "purchase_request", None)
    if request is None:
        return ""
    parts = []
    if request.routed_to_mission:
        route = request.get_procurement_route_display() if request.procurement_route else \
            _("en attente")
        parts.append(_("MdA : %(route)s") % {"route": route} + (
            f" {request.contract_reference}" if request.contract_reference else ""))
    if request.budget_visa_required:
        parts.append(_("visa CBCM %(ref)s") % {"ref": request.visa_reference}
                     if request.visa_reference else _("visa CBCM attendu"))
    return " · ".join(parts)


def case_page(case, user, transitions) -> dict | None:
    request = getattr(case, "purchase_request", None)
    if request is None or not (request.routed_to_mission or request.budget_visa_required):
        return None
    return {"circuits_request": request, "mission_threshold": mission_threshold(case),
            "visa_threshold": visa_threshold(case, request),
            "at_mission": case.state in {State.AT_MISSION, State.MISSION_INFO}}
