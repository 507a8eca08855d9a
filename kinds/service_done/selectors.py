"""Reads on service-done statements: what is already committed on an EJ, its status."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cases.models import Case, PurchaseRequest
from cases.workflow import NOT_COMMITTED_STATES, State
from conventions.selectors import convention_in_force

from .models import ServiceDoneLine, ServiceDoneStatement


def statement_delay(service, centre, on: date) -> int:
    """Working days the convention gives to state the service done after delivery."""
    convention = convention_in_force(service=service, centre=centre, on=on)
    if convention is not None:
        return convention.delay_service_done_statement
    return settings.SERVICE_DONE_STATEMENT_WORKING_DAYS


def _committed(purchase_request: PurchaseRequest, exclude: Case | None):
    statements = ServiceDoneStatement.objects.filter(
        purchase_request=purchase_request).exclude(case__state__in=NOT_COMMITTED_STATES)
    if exclude is not None:
        statements = statements.exclude(case=exclude)
    return statements


def committed_amount(purchase_request: PurchaseRequest, *, exclude: Case | None = None
                     ) -> Decimal:
    total = _committed(purchase_request, exclude).aggregate(total=Sum("amount_ttc"))["total"]
    return total or Decimal("0.00")


def committed_by_line(purchase_request: PurchaseRequest, *, exclude: Case | None = None
                      ) -> dict[int, Decimal]:
    rows = (ServiceDoneLine.objects.filter(statement__in=_committed(purchase_request, exclude))
            .values("purchase_line").annotate(total=Sum("quantity")))
    return {row["purchase_line"]: row["total"] for row in rows}


class EjStatus:
    OPEN = _("Ouvert : aucun service fait certifié")
    PARTLY = _("Partiellement certifié")
    FULLY = _("Entièrement certifié : l'EJ peut être soldé")


@dataclass(frozen=True)
class EjProgress:
    ordered: Decimal
    certified: Decimal
    pending: Decimal
    statements: list

    @property
    def remaining(self) -> Decimal:
        return max(self.ordered - self.certified - self.pending, Decimal("0.00"))

    @property
    def status(self) -> str:
        if self.certified <= 0:
            return str(EjStatus.OPEN)
        if self.certified >= self.ordered:
            return str(EjStatus.FULLY)
        return str(EjStatus.PARTLY)

    @property
    def closable(self) -> bool:
        return self.certified >= self.ordered > 0


def ej_progress(purchase_request: PurchaseRequest, *, user) -> EjProgress:
    """The statements of an EJ the user may see, and its certified and remaining amounts."""
    from cases.permissions import visible_cases

    statements = list(
        ServiceDoneStatement.objects.filter(purchase_request=purchase_request,
                                            case__in=visible_cases(user))
        .select_related("case").order_by("case__created_at"))
    totals = _committed(purchase_request, None).aggregate(
        certified=Sum("amount_ttc", filter=Q(case__state=State.COMPLETED)),
        pending=Sum("amount_ttc", filter=~Q(case__state=State.COMPLETED)))
    return EjProgress(ordered=purchase_request.amount_ttc,
                      certified=totals["certified"] or Decimal("0.00"),
                      pending=totals["pending"] or Decimal("0.00"), statements=statements)


def statable_purchase_requests(service, *, exclude: Case | None = None):
    """Completed purchase requests of `service` with an EJ, not yet fully stated."""
    committed = (ServiceDoneStatement.objects.filter(purchase_request=OuterRef("pk"))
                 .exclude(case__state__in=NOT_COMMITTED_STATES))
    if exclude is not None:
        committed = committed.exclude(case=exclude)
    committed = (committed.order_by().values("purchase_request")
                 .annotate(total=Sum("amount_ttc")).values("total"))
    return (PurchaseRequest.objects
            .filter(case__requesting_service=service, case__state=State.COMPLETED,
                    ej_number__isnull=False)
            .annotate(committed=Coalesce(Subquery(committed), Value(Decimal("0")),
                                         output_field=DecimalField(max_digits=14,
                                                                   decimal_places=2)))
            .filter(committed__lt=F("amount_ttc"))
            .select_related("case").order_by("-case__completed_at"))


def late_statements(queryset):
    """Statements marked for late-delivery penalties, as a filter on cases."""
    return queryset.filter(service_done__penalties=True)


def certificates_for(case: Case, user) -> list:
    """Signed service-done certificates to list on a case page: its own, or for a purchase
    request those of its statements the user may see."""
    from cases.permissions import visible_cases
    from documents.models import IssuedDocument, IssuedDocumentKind

    documents = IssuedDocument.objects.filter(
        kind=IssuedDocumentKind.SERVICE_DONE_CERTIFICATE).select_related("case")
    if case.kind == "purchase_request":
        return list(documents.filter(case__service_done__purchase_request__case=case,
                                     case__in=visible_cases(user)))
    return list(documents.filter(case=case))
