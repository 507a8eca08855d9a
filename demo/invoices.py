"""Demo invoices: a Chorus Pro extract of 300+ invoices received over the last twelve months
for the demo's orders (one to several invoices per EJ), imported through the real importer.
The demo's own orders were all keyed in the last weeks: older orders (copies of their
contents, bought again) are first played through the services at dated moments since the
convention came into force, so that the invoices spread over the year;
then, for a share of those orders, the service done stated, validated and certified through
the services at dated moments, some within the 30-day payment delay, some after it (late:
moratorium interest). The others stay « en attente de service fait ». Loaded once: nothing is
done when demo invoices exist (and the import itself is idempotent)."""

import io
import math
import random
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.amounts import LineData
from cases.identifiers import clean_siret
from cases.models import CaseKind, PurchaseRequest
from cases.services import CaseError
from cases.workflow import State
from conventions.models import ConventionPage
from documents.models import AttachmentKind
from documents.services import attachment_add
from invoices.importer import import_stream
from invoices.models import Invoice
from kinds.purchases.services import PurchaseRequestData, purchase_request_fill
from kinds.service_done.services import StatementData, statement_fill
from portal.models import Delegation, Role

from . import circuits
from .service_done import _pdf, _working_days_before

TARGET = 320
PAST_ORDERS = 100
MAX_PER_ORDER = 6
STATED_SHARE = 0.45
MAX_STATEMENTS = 60
CENT = Decimal("0.01")
HEADER = "Numéro de facture;SIRET fournisseur;Numéro EJ;Montant HT;Montant TTC;" \
         "Date de réception;Statut"


def _supplier_siret(order: PurchaseRequest) -> str:
    try:
        return clean_siret(order.tiers.siret or "")
    except ValidationError:
        from .tiers import _siret

        return _siret(900 + order.tiers_id)


def _french(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def _split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """`parts` amounts adding up to `total` to the cent."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    amounts = [(total * Decimal(w / sum(weights))).quantize(CENT, ROUND_HALF_UP)
               for w in weights[:-1]]
    return [*amounts, total - sum(amounts, Decimal("0"))]


def _extract(orders, rng: random.Random, today: date) -> tuple[bytes, dict]:
    """The CSV, and {order pk: first receipt date}."""
    per_order = max(1, min(MAX_PER_ORDER, math.ceil(TARGET / max(len(orders), 1))))
    lines, first_receipt = [HEADER], {}
    earliest = today - timedelta(days=365)
    for order in orders:
        completed = timezone.localdate(order.case.completed_at)
        start = max(completed + timedelta(days=10), earliest)
        if start >= today:
            continue
        parts = rng.randint(per_order, min(per_order + 1, MAX_PER_ORDER))
        ratio = order.amount_ht / order.amount_ttc if order.amount_ttc else Decimal("1")
        received = start + timedelta(days=rng.randint(0, max((today - start).days // 3, 0)))
        siret = _supplier_siret(order)
        for n, ttc in enumerate(_split(order.amount_ttc, parts, rng), start=1):
            if received > today:
                break
            first_receipt.setdefault(order.pk, received)
            status = rng.choices(["MISE_A_DISPOSITION", "SUSPENDUE", "REJETEE"],
                                 weights=[94, 4, 2])[0]
            lines.append(";".join([
                f"FC{order.ej_number}-{n:02d}", siret, order.ej_number,
                _french((ttc * ratio).quantize(CENT, ROUND_HALF_UP)), _french(ttc),
                received.strftime("%d/%m/%Y"), status]))
            received += timedelta(days=rng.randint(5, 40))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"), first_receipt


def _validator(case, amount: Decimal):
    delegation = (Delegation.objects.in_force().filter(
        service=case.requesting_service, ceiling__gte=amount,
        user__memberships__service=case.requesting_service,
        user__memberships__role=Role.ORDONNATEUR).exclude(user=case.created_by)
        .select_related("user").order_by("ceiling").first())
    return delegation.user if delegation else None


def _state_and_certify(order: PurchaseRequest, certify_at: datetime) -> bool:
    """The whole order stated as delivered, validated and certified at `certify_at` by the
    centre agent who keyed its EJ."""
    agent, centre_agent = order.case.created_by, order.case.assigned_to
    ordonnateur = _validator(order.case, order.amount_ttc)
    if centre_agent is None or ordonnateur is None:
        return False
    submit_at = certify_at - timedelta(days=2)
    case = case_services.case_draft_create(actor=agent, service=order.case.requesting_service,
                                           kind=CaseKind.SERVICE_DONE,
                                           at=submit_at - timedelta(hours=2))
    attachment_add(case=case, kind=AttachmentKind.DELIVERY_PROOF, actor=agent,
                   uploaded=_pdf("bon-de-livraison.pdf", f"BL facture {order.ej_number}"))
    statement_fill(case=case, actor=agent, data=StatementData(
        purchase_request=order, delivered_on=_working_days_before(submit_at, 1).date(),
        lines=[(line, line.quantity) for line in order.lines.all()]))
    case = case_services.transition(case=case, action="submit", actor=agent, at=submit_at)
    if case.state == State.AWAITING_VALIDATION:
        case = case_services.transition(case=case, action="validate", actor=ordonnateur,
                                        at=submit_at + timedelta(hours=3))
    case = case_services.transition(case=case, action="claim", actor=centre_agent,
                                    at=certify_at - timedelta(hours=5))
    case_services.transition(case=case, action="certify", actor=centre_agent, at=certify_at)
    return True


def _past_order(template: PurchaseRequest, created_at: datetime, ej_number: str
                ) -> PurchaseRequest | None:
    """A copy of `template` ordered at `created_at`, validated, keyed (EJ) three days later,
    its order form signed (it went to the supplier, who invoiced it)."""
    case, creator = template.case, template.case.created_by
    ordonnateur = _validator(case, template.amount_ttc)
    if case.assigned_to is None or ordonnateur is None:
        return None
    new = case_services.case_draft_create(actor=creator, service=case.requesting_service,
                                          kind=CaseKind.PURCHASE_REQUEST, at=created_at)
    attachment_add(case=new, kind=AttachmentKind.QUOTE, actor=creator,
                   uploaded=_pdf("devis.pdf", f"Devis {ej_number}"))
    purchase_request_fill(case=new, actor=creator, data=PurchaseRequestData(
        subject=case.subject, financial_centre=template.financial_centre,
        cost_centre=template.cost_centre, activity=template.activity, funds=template.funds,
        tiers=template.tiers, description=template.description,
        delivery_address=template.delivery_address,
        lines=[LineData(line.label, line.quantity, line.unit_price_ht, line.vat_rate)
               for line in template.lines.all()]))
    new = case_services.transition(case=new, action="submit", actor=creator,
                                   at=created_at + timedelta(hours=1))
    if new.state == State.AWAITING_VALIDATION:
        new = case_services.transition(case=new, action="validate", actor=ordonnateur,
                                       at=created_at + timedelta(days=1))
    # A large order goes through the purchasing mission first, its EJ through the visa.
    new = circuits.pass_through(new, template, State.COMPLETED,
                                after=created_at + timedelta(days=1),
                                before=created_at + timedelta(days=2))
    new = case_services.transition(case=new, action="claim", actor=case.assigned_to,
                                   at=created_at + timedelta(days=2))
    new = case_services.transition(case=new, action="complete", actor=case.assigned_to,
                                   ej_number=ej_number, at=created_at + timedelta(days=3))
    new = circuits.pass_through(new, template, State.COMPLETED,
                                after=created_at + timedelta(days=3),
                                before=created_at + timedelta(days=3, minutes=20))
    new = case_services.transition(case=new, action="sign", actor=case.assigned_to,
                                   at=created_at + timedelta(days=3, minutes=20))
    return new.purchase_request


def _past_orders(templates: list[PurchaseRequest], rng: random.Random, now: datetime) -> None:
    """PAST_ORDERS orders spread from a year ago (or the first convention's start, so that
    each follows its convention) to six weeks ago."""
    first = (ConventionPage.objects.live().order_by("valid_from")
             .values_list("valid_from", flat=True).first())
    start = timezone.localdate(now) - timedelta(days=365)
    if first is not None:
        start = max(start, first + timedelta(days=3))
    span = (timezone.localdate(now) - timedelta(days=42) - start).days
    if span <= 0 or not templates:
        return
    used = set(PurchaseRequest.objects.exclude(ej_number=None)
               .values_list("ej_number", flat=True))
    days = sorted(start + timedelta(days=rng.randint(0, span)) for _ in range(PAST_ORDERS))
    for n, day in enumerate(days):
        ej_number = f"23{rng.randint(0, 99_999_999):08d}"
        while ej_number in used:
            ej_number = f"23{rng.randint(0, 99_999_999):08d}"
        used.add(ej_number)
        try:
            # One order at a time: a refused one leaves nothing half-made behind.
            with transaction.atomic():
                _past_order(templates[n % len(templates)],
                            timezone.make_aware(datetime.combine(day, time(9, 30))),
                            ej_number)
        except CaseError:
            continue  # a content the services refuse today (a closed imputation): skipped


def seed_invoices(*, sp_codes, now: datetime | None = None) -> int:
    """Import the demo extract and certify some of its orders; returns the invoices made."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if Invoice.objects.filter(requesting_service__code__in=sp_codes).exists():
        return 0
    rng = random.Random(2026)

    def completed_orders():
        return list(PurchaseRequest.objects.filter(
            case__requesting_service__code__in=sp_codes, case__state=State.COMPLETED,
            ej_number__isnull=False, amount_ttc__gt=0, statements__isnull=True)
            .select_related("case__created_by", "case__assigned_to",
                            "case__requesting_service", "tiers")
            .order_by("case__completed_at", "pk"))

    _past_orders(completed_orders(), rng, now)
    orders = completed_orders()
    content, first_receipt = _extract(orders, rng, today)
    report = import_stream(io.BytesIO(content), today=today)
    stated = 0
    for order in orders:
        if stated >= MAX_STATEMENTS or order.pk not in first_receipt:
            continue
        if rng.random() > STATED_SHARE:
            continue
        # From a week to ten weeks after the first invoice: past 30 days, the State pays late.
        day = first_receipt[order.pk] + timedelta(days=rng.randint(7, 70))
        certify_at = timezone.make_aware(datetime.combine(day, time(15)))
        if certify_at > now - timedelta(hours=1):
            continue
        try:
            stated += _state_and_certify(order, certify_at)
        except CaseError:
            continue  # an order the demo cannot state (a delegation, a credential): it waits
    return report.created
