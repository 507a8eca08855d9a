"""Writes on service-done statements.

The content is written on the draft (`statement_fill`); the workflow's submit checks it again
under a lock on the purchase request (`statement_check`), so that two statements submitted
at once can never certify more than the EJ, and decides whether it came late.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cases import sla
from cases.amounts import LineData, line_totals
from cases.models import Case, CaseKind, PurchaseLine, PurchaseRequest
from cases.permissions import euros_text
from cases.services import CaseError, draft_for_author
from cases.workflow import State
from documents.models import AttachmentKind

from .models import LatenessReason, ServiceDoneLine, ServiceDoneStatement
from .selectors import committed_amount, committed_by_line, statement_delay

EARLIEST_DELIVERY = date(2000, 1, 1)


@dataclass(frozen=True)
class StatementData:
    purchase_request: PurchaseRequest
    delivered_on: date
    # (purchase line, delivered quantity)
    lines: list[tuple[PurchaseLine, Decimal]] = field(default_factory=list)
    invoice_reference: str = ""
    lateness_reason: str = ""
    lateness_comment: str = ""


def _ttc(line: PurchaseLine, quantity: Decimal) -> Decimal:
    return line_totals(LineData(label=line.label, quantity=quantity,
                                unit_price_ht=line.unit_price_ht, vat_rate=line.vat_rate)).ttc


def line_amounts(lines: list[tuple[PurchaseLine, Decimal]], delivered_before: dict
                 ) -> list[Decimal]:
    """TTC of each delivered quantity, as the difference between what the line is worth with
    and without it: split deliveries then add up to the order's very total (rounded as the
    purchase request was), never a cent more."""
    return [_ttc(line, delivered_before.get(line.pk, Decimal("0")) + quantity)
            - _ttc(line, delivered_before.get(line.pk, Decimal("0")))
            for line, quantity in lines]


def statement_amount(lines: list[tuple[PurchaseLine, Decimal]],
                     delivered_before: dict | None = None) -> Decimal:
    return sum(line_amounts(lines, delivered_before or {}), Decimal("0.00"))


def _check_against_the_ej(purchase_request: PurchaseRequest, lines,
                          exclude: Case | None) -> list[Decimal]:
    """What this statement adds to the others never exceeds what was ordered, line by line
    and in amount; returns the amount of each of its lines."""
    delivered = committed_by_line(purchase_request, exclude=exclude)
    seen = set()
    for line, quantity in lines:
        if line.pk in seen:
            raise CaseError(_("La ligne « %(label)s » figure deux fois dans la constatation.")
                            % {"label": line.label}, field="lines")
        seen.add(line.pk)
        left = line.quantity - delivered.get(line.pk, Decimal("0"))
        if quantity > left:
            raise CaseError(_("Ligne « %(label)s » : %(quantity)s livré(s) alors qu'il en reste "
                              "%(left)s à constater sur cette commande.")
                            % {"label": line.label, "quantity": number_format(quantity),
                               "left": number_format(max(left, Decimal("0")))},
                            field="lines")
    amounts = line_amounts(lines, delivered)
    amount = sum(amounts, Decimal("0.00"))
    left = purchase_request.amount_ttc - committed_amount(purchase_request, exclude=exclude)
    if amount > left:
        raise CaseError(_("Le montant de cette constatation (%(amount)s) dépasse ce qui reste à "
                          "constater sur l'EJ %(ej)s (%(left)s).")
                        % {"amount": euros_text(amount), "ej": purchase_request.ej_number,
                           "left": euros_text(max(left, Decimal("0")))}, field="lines")
    return amounts


@transaction.atomic
def statement_fill(*, case: Case, actor, data: StatementData) -> ServiceDoneStatement:
    if case.kind != CaseKind.SERVICE_DONE:
        raise CaseError(_("Ce dossier n'est pas une constatation du service fait."))
    case = draft_for_author(case, actor)
    purchase_request = data.purchase_request
    if (purchase_request.case.requesting_service_id != case.requesting_service_id
            or purchase_request.case.state != State.COMPLETED
            or not purchase_request.ej_number):
        raise CaseError(_("Le service fait se constate sur une demande d'achat terminée de "
                          "votre service, dont l'EJ est connu."), field="purchase_request")
    today = timezone.localdate()
    if not EARLIEST_DELIVERY <= data.delivered_on <= today:
        raise CaseError(_("La date de livraison ne peut pas être dans le futur."),
                        field="delivered_on")
    if not data.lines:
        raise CaseError(_("Indiquez au moins une ligne livrée."), field="lines")
    for line, quantity in data.lines:
        if line.purchase_request_id != purchase_request.pk:
            raise CaseError(_("Cette ligne n'appartient pas à la demande d'achat."),
                            field="lines")
        if quantity <= 0:
            raise CaseError(_("Une quantité livrée est strictement positive."), field="lines")
    if data.lateness_reason and data.lateness_reason not in LatenessReason.values:
        raise CaseError(_("Motif de retard inconnu."), field="lateness_reason")
    if data.lateness_reason == LatenessReason.OTHER and not data.lateness_comment.strip():
        raise CaseError(_("Précisez le motif du retard."), field="lateness_comment")
    amounts = _check_against_the_ej(purchase_request, data.lines, exclude=case)
    amount = sum(amounts, Decimal("0.00"))
    statement, _created = ServiceDoneStatement.objects.update_or_create(
        case=case, defaults={
            "purchase_request": purchase_request, "delivered_on": data.delivered_on,
            "amount_ttc": amount, "invoice_reference": data.invoice_reference.strip()[:100],
            "lateness_reason": data.lateness_reason,
            "lateness_comment": data.lateness_comment.strip(),
        })
    statement.lines.all().delete()
    ServiceDoneLine.objects.bulk_create(
        ServiceDoneLine(statement=statement, purchase_line=line, quantity=quantity,
                        amount_ttc=line_amount)
        for (line, quantity), line_amount in zip(data.lines, amounts, strict=True))
    case.subject = (_("Service fait — EJ %(ej)s — %(object)s")
                    % {"ej": purchase_request.ej_number,
                       "object": purchase_request.case.subject})[:200]
    case.amount = amount
    case.version += 1
    case.save(update_fields=["subject", "amount", "version", "updated_at"])
    return statement


def is_late(delivered_on: date, submitted_on: date, delay: int) -> tuple[bool, int]:
    """(late, working days from delivery to submission): late beyond `delay` working days."""
    elapsed = sla.working_days_between(delivered_on, submitted_on)
    return elapsed > delay, elapsed


def statement_check(case: Case, now: datetime) -> None:
    """At submission, inside the transition: complete, within the EJ (the purchase request's
    row is locked, so concurrent statements are checked one after the other), on time or
    with a reason."""
    statement = (ServiceDoneStatement.objects.filter(case=case)
                 .select_related("purchase_request").first())
    if statement is None:
        raise CaseError(_("La constatation du service fait est incomplète."))
    if not case.attachments.filter(kind=AttachmentKind.DELIVERY_PROOF).exists():
        raise CaseError(_("Joignez le bon de livraison ou le procès-verbal de réception."),
                        field="proof")
    purchase_request = PurchaseRequest.objects.select_for_update().get(
        pk=statement.purchase_request_id)
    rows = list(statement.lines.select_related("purchase_line"))
    # Amounts again, under the lock: statements certified or withdrawn meanwhile move them.
    amounts = _check_against_the_ej(purchase_request,
                                    [(row.purchase_line, row.quantity) for row in rows],
                                    exclude=case)
    for row, amount in zip(rows, amounts, strict=True):
        if row.amount_ttc != amount:
            row.amount_ttc = amount
            row.save(update_fields=["amount_ttc"])
    statement.amount_ttc = case.amount = sum(amounts, Decimal("0.00"))
    submitted_on = timezone.localdate(now)
    late, elapsed = is_late(statement.delivered_on, submitted_on,
                            statement_delay(case.requesting_service, case.processing_centre,
                                            submitted_on))
    if late and not statement.lateness_reason:
        raise CaseError(_("Cette constatation arrive %(days)s jours ouvrés après la livraison : "
                          "indiquez le motif du retard.") % {"days": elapsed},
                        field="lateness_reason")
    statement.late = late
    statement.working_days_after_delivery = min(elapsed, 32767)
    statement.penalties = late and statement.lateness_reason == LatenessReason.SUPPLIER
    if not late:
        statement.lateness_reason, statement.lateness_comment = "", ""
    statement.save(update_fields=["late", "working_days_after_delivery", "penalties",
                                  "lateness_reason", "lateness_comment", "amount_ttc"])

