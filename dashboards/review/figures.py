"""The annual review's figures for a centre, a year and one of its services (or all): each
section is a table (title, header, rows, note); the PDF and the workbook render the same
tables. A section builder takes the review's scope and returns its table, or None when it
has nothing to say (SECTIONS, in the order of the document)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent, CaseKind, ProcurementRoute
from cases.workflow import Action, State
from conventions.selectors import convention_in_force
from invoices.selectors import invoice_figures
from portal.models import Service
from satisfaction.selectors import ratings_summary

from ..anomalies import anomaly_report
from ..selectors import Period, dashboard
from ..staffing import staffing

MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")


@dataclass(frozen=True)
class Scope:
    centre: Service
    services: tuple[Service, ...]  # the prescribing services reviewed
    year: int

    @property
    def period(self) -> Period:
        return Period(date(self.year, 1, 1), date(self.year, 12, 31))

    def cases(self):
        return Case.objects.filter(requesting_service__in=self.services).order_by()


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list]
    note: str = ""


@dataclass
class AnnualReview:
    scope: Scope
    generated_at: object
    tables: list[Table] = field(default_factory=list)
    # Requests received per month (January first): the document's chart.
    monthly: list[int] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _("Bilan annuel de la convention — %(year)s") % {"year": self.scope.year}

    @property
    def parties(self) -> str:
        names = ", ".join(service.code for service in self.scope.services)
        return _("%(centre)s et %(services)s") % {"centre": self.scope.centre.name,
                                                  "services": names or "—"}


def _kind_label(kind: str) -> str:
    return str(CaseKind(kind).label) if kind in CaseKind.values else kind


def volumes_and_delays(scope: Scope) -> list[Table]:
    board = dashboard(services=scope.services, period=scope.period)
    by_kind: dict[str, list] = {}
    for row in board.rows:
        totals = by_kind.setdefault(row.kind, [0, 0, 0, 0, 0, 0])
        for index, value in enumerate((row.received, row.completed, row.rejected, row.returns,
                                       row.on_time, row.overdue_open)):
            totals[index] += value
    convention = _convention(scope)
    delays = convention.delays_working_days() if convention else {}
    volumes, delay_rows = [], []
    for kind, (received, completed, rejected, returns, on_time, late_open) in sorted(
            by_kind.items()):
        volumes.append([_kind_label(kind), received, completed, rejected, returns])
        judged = completed + late_open
        delay_rows.append([_kind_label(kind), delays.get(kind), completed,
                           round(100 * on_time / judged, 1) if judged else None, late_open])
    return [
        Table(_("Volumes"), [_("Type de demande"), _("Reçues"), _("Terminées"), _("Rejetées"),
                             _("Questions au service")], volumes,
              _("Demandes reçues (déposées au centre) et closes pendant l'année.")),
        Table(_("Délais et engagements de la convention"),
              [_("Type de demande"), _("Délai convenu (jours ouvrés)"), _("Terminées"),
               _("Dans le délai (%)"), _("En retard, encore ouvertes")], delay_rows,
              _("Dans le délai : terminées au plus tard à leur échéance, parmi les terminées "
                "et celles encore ouvertes dont l'échéance est passée.")),
    ]


def _convention(scope: Scope):
    on = min(date(scope.year, 12, 31), timezone.localdate())
    for service in scope.services:
        convention = convention_in_force(service=service, centre=scope.centre, on=on)
        if convention is not None:
            return convention
    return None


def monthly_received(scope: Scope) -> list[int]:
    start, end = scope.period.bounds
    counts = dict(scope.cases().filter(submitted_at__gte=start, submitted_at__lt=end)
                  .annotate(month=ExtractMonth("submitted_at"))
                  .values("month").annotate(n=Count("pk")).values_list("month", "n"))
    return [counts.get(month, 0) for month in range(1, 13)]


def circuits(scope: Scope) -> Table | None:
    """The purchasing mission and the budget visa: what went through them this year."""
    start, end = scope.period.bounds
    events = CaseEvent.objects.filter(case__requesting_service__in=scope.services,
                                      created_at__gte=start, created_at__lt=end)
    routed = events.filter(to_state=State.AT_MISSION, from_state__in=[
        State.DRAFT, State.AWAITING_VALIDATION]).values("case").distinct().count()
    decided = dict(events.filter(action=Action.MISSION_ACCEPT)
                   .values("data__procurement_route").annotate(n=Count("pk"))
                   .values_list("data__procurement_route", "n"))
    returned = events.filter(action=Action.RETURN, from_state=State.AT_MISSION).count()
    visas = events.aggregate(
        asked=Count("pk", filter=Q(to_state=State.AWAITING_VISA)),
        granted=Count("pk", filter=Q(action=Action.VISA_GRANT)),
        refused=Count("pk", filter=Q(action=Action.VISA_REFUSE)))
    if not routed and not any(visas.values()):
        return None
    rows = [
        [_("Demandes transmises à la mission des achats"), routed],
        [_("… acceptées sur un marché existant"),
         decided.get(ProcurementRoute.EXISTING_CONTRACT, 0)],
        [_("… acceptées pour une nouvelle procédure"),
         decided.get(ProcurementRoute.NEW_PROCEDURE, 0)],
        [_("… renvoyées au service par la mission"), returned],
        [_("Engagements soumis au visa du contrôleur budgétaire"), visas["asked"]],
        [_("… visés"), visas["granted"]],
        [_("… refus de visa"), visas["refused"]],
    ]
    return Table(_("Circuits de la convention"), [_("Indicateur"), _("Nombre")], rows)


def anomalies(scope: Scope) -> list[Table]:
    report = anomaly_report(services=scope.services, period=scope.period, kind=None)
    if not report.total:
        return []
    return [
        Table(_("Anomalies par type"), [_("Type d'anomalie"), _("Nombre")],
              [[label, n] for label, n in report.by_type()] + [[_("Total"), report.total]],
              _("Questions au service, renvois pour correction et rejets, classés selon la "
                "typologie de la convention.")),
        Table(_("Anomalies par service et type"),
              [_("Type d'anomalie"), _("Service"), _("Type de demande"), _("Nombre")],
              [list(row) for row in report.by_type_service_kind()]),
        Table(_("Anomalies par mois"), [_("Mois"), _("Nombre")],
              [list(month) for month in report.months]),
    ]


def invoices(scope: Scope) -> list[Table]:
    today = timezone.localdate()
    found = invoice_figures(services=scope.services, start=scope.period.start,
                            end=min(scope.period.end, today), today=today)
    summary = Table(_("Factures sans service fait"), [_("Indicateur"), _("Valeur")], [
        [_("Factures reçues encore en attente de service fait"), found.waiting_count],
        [_("Montant TTC en attente (€)"), found.waiting_amount],
        [_("Attente médiane du service fait (jours)"), found.median_wait_days],
        [_("Factures payées ou à payer en retard"), found.late_count],
        [_("Coût estimé du retard (€) : intérêts moratoires et indemnité de 40 €"),
         found.late_cost],
    ], _("Factures reçues dans l'année (Chorus Pro), hors factures rejetées ou annulées."))
    by_month = Table(_("Coût estimé du retard par service et mois"),
                     [_("Service"), _("Mois de réception"), _("Factures en retard"),
                      _("Coût estimé (€)")],
                     [[row.service, row.month.strftime("%m/%Y"), row.late, row.cost]
                      for row in found.cost_by_service_month])
    return [summary, by_month] if by_month.rows else [summary]


def satisfaction(scope: Scope) -> Table | None:
    start, end = scope.period.bounds
    summary = ratings_summary(services=scope.services, start=start, end=end)
    if summary.total is None:
        return None
    rows = [[figure.label, figure.average, figure.count] for figure in summary.by_kind]
    rows.append([_("Ensemble"), summary.total.average, summary.total.count])
    return Table(_("Satisfaction des services"),
                 [_("Type de demande"), _("Note moyenne (sur 5)"), _("Notes reçues")], rows,
                 _("Notes données par les demandeurs aux dossiers terminés dans l'année."))


def staffing_figures(scope: Scope) -> Table | None:
    end = min(scope.period.bounds[1], timezone.now())
    centre = staffing(centres=[scope.centre], now=end)[0]
    rows = [[_("Actes sur les douze mois"), centre.acts],
            [_("Actes par an (annualisés)"), round(centre.annual)],
            [_("Référence de la convention (actes par agent et par an)"), centre.reference],
            [_("Agents nécessaires"), centre.needed], [_("Agents en poste"), centre.actual],
            [_("Pic de fin d'année (octobre-décembre / moyenne mensuelle)"), centre.peak]]
    return Table(_("Dimensionnement du centre"), [_("Indicateur"), _("Valeur")], rows,
                 _("Pour tout le centre, sur les douze mois qui finissent avec l'année (ou "
                   "aujourd'hui) ; un acte : un dossier terminé, certifié, rejeté, transmis à "
                   "la CST ou un bon de commande signé."))


# The sections after volumes and delays, in the document's order.
SECTIONS: list[Callable[[Scope], "Table | list[Table] | None"]] = [
    circuits, anomalies, invoices, satisfaction, staffing_figures]


def annual_review(*, centre: Service, year: int, services) -> AnnualReview:
    scope = Scope(centre=centre, services=tuple(services), year=year)
    review = AnnualReview(scope=scope, generated_at=timezone.now(),
                          monthly=monthly_received(scope))
    review.tables += volumes_and_delays(scope)
    for section in SECTIONS:
        result = section(scope)
        if isinstance(result, Table):
            review.tables.append(result)
        elif result:
            review.tables.extend(result)
    return review


def month_label(index: int) -> str:
    return MONTHS[index]
