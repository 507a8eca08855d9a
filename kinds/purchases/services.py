"""The purchase request's content: its imputations, supplier and lines, written on a draft by
its author (wizard and API), checked again at submission."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cases import limits
from cases.amounts import LineData, line_totals, purchase_totals
from cases.budget import imputation_clashes
from cases.models import BudgetImputation, Case, CaseKind, PurchaseLine, PurchaseRequest, Tiers
from cases.services import CaseError, atomic, draft_for_author
from portal.models import Service


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


def check_imputations(service: Service, data) -> None:
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


@atomic
def purchase_request_fill(*, case: Case, actor, data: PurchaseRequestData) -> PurchaseRequest:
    """Write the purchase request's content on a draft (replacing any previous content)."""
    if case.kind != CaseKind.PURCHASE_REQUEST:
        raise CaseError(_("Ce dossier n'est pas une demande d'achat."))
    case = draft_for_author(case, actor)
    try:
        limits.validate_line_count(len(data.lines))
    except ValidationError as exc:
        raise CaseError(exc.messages[0], field="lines") from exc
    if not data.tiers.active:
        raise CaseError(_("Ce fournisseur n'est plus actif dans l'annuaire des tiers."),
                        field="tiers")
    check_imputations(case.requesting_service, data)
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
