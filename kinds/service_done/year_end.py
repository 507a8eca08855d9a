"""Year-end (fin de gestion): from October, each prescribing service reviews its open EJs
(not fully certified) and marks each as to close or to carry over, with a comment; the
centre exports the carry-over list."""

from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import PurchaseRequest
from cases.services import CaseError
from cases.workflow import State
from documents.spreadsheets import french_csv
from portal.models import SP_ROLES
from portal.selectors import user_has_role

from .models import ServiceDoneStatement, YearEndDecision, YearEndReview


def is_open(on) -> bool:
    return on.month >= settings.YEAR_END_OPENS_MONTH


def open_ejs(services, year: int):
    """Completed purchase requests of `services` whose EJ is not fully certified, with their
    certified amount and this year's review (if any)."""
    certified = (ServiceDoneStatement.objects
                 .filter(purchase_request=OuterRef("pk"), case__state=State.COMPLETED)
                 .order_by().values("purchase_request").annotate(total=Sum("amount_ttc"))
                 .values("total"))
    review = YearEndReview.objects.filter(purchase_request=OuterRef("pk"), year=year)
    money = DecimalField(max_digits=14, decimal_places=2)
    return (PurchaseRequest.objects
            .filter(case__requesting_service__in=services, case__state=State.COMPLETED,
                    ej_number__isnull=False)
            .annotate(certified=Coalesce(Subquery(certified), Value(Decimal("0")),
                                         output_field=money),
                      decision=Subquery(review.values("decision")[:1]),
                      decision_comment=Subquery(review.values("comment")[:1]))
            .exclude(certified__gte=F("amount_ttc"))
            .select_related("case__requesting_service", "tiers")
            .order_by("case__requesting_service__code", "case__completed_at"))


@transaction.atomic
def year_end_decide(*, user, purchase_request: PurchaseRequest, decision: str, comment: str,
                    year: int) -> YearEndReview:
    if not user_has_role(user, purchase_request.case.requesting_service, *SP_ROLES):
        raise CaseError(_("Seul le service prescripteur décide du sort de ses EJ."))
    if decision not in YearEndDecision.values:
        raise CaseError(_("Choisissez « à solder » ou « à reporter »."), field="decision")
    comment = (comment or "").replace("\x00", "").strip()
    if len(comment) > 500:
        raise CaseError(_("Un commentaire compte au plus 500 caractères."), field="comment")
    if decision == YearEndDecision.CARRY_OVER and not comment:
        raise CaseError(_("Expliquez pourquoi cet EJ est reporté (livraison attendue, "
                          "marché pluriannuel…)."), field="comment")
    review, _created = YearEndReview.objects.update_or_create(
        purchase_request=purchase_request, year=year,
        defaults={"decision": decision, "comment": comment, "decided_by": user,
                  "decided_at": timezone.now()})
    return review


def carry_over_csv(services, year: int) -> Iterator[str]:
    header = [_("Service"), _("Demande"), _("EJ"), _("Objet"), _("Fournisseur"),
              _("Montant TTC (€)"), _("Certifié (€)"), _("Reste (€)"), _("Commentaire")]
    orders = open_ejs(services, year).filter(decision=YearEndDecision.CARRY_OVER)
    return french_csv(header, (
        [order.case.requesting_service.code, order.case.reference, order.ej_number,
         order.case.subject, order.tiers.name, order.amount_ttc, order.certified,
         order.amount_ttc - order.certified, order.decision_comment]
        for order in orders))
