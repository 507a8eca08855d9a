"""The figures of the restitutions, aggregated by the database (one query per block, grouped
by service and kind): volumes, processing times against the committed delay, SLA compliance,
returns for missing information, late service-done statements, work in progress per agent.

SLA compliance (« Dans le délai ») is the share of cases completed in their delay among the
cases whose outcome against it is known: those completed during the period (on time when
completed no later than their due date), and those still open today whose due date had
passed at the period's end (or now, for a period not over yet): late, though not finished.
Open cases whose delay is suspended (a question to the service, the CST's check) are not
late, as in the queue; rejected and cancelled cases are not counted. PostgreSQL and SQLite
run the same queries for these counts.

A centre head sees the services of the centre; an SP sees its own cases only.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    Value,
)
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseKind
from cases.selectors import overdue
from cases.workflow import OPEN_STATES, Action, State
from kinds.service_done.models import ServiceDoneStatement
from portal.selectors import centres_of, prescribing_services_of, services_served_by

from . import daily

DAY_SECONDS = 86400
KINDS = frozenset(CaseKind.values)


class Percentiles(Aggregate):
    """PostgreSQL's percentile_cont over a duration in seconds, for several fractions at
    once: one sort of each group's values instead of one per fraction."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = ArrayField(FloatField())

    def __init__(self, expression, fractions: list[float], **extra):
        super().__init__(expression, fractions=", ".join(f"{float(f)!r}" for f in fractions),
                         **extra)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return (timezone.make_aware(datetime.combine(self.start, time.min)),
                timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min)))


@dataclass
class Row:
    service: str
    kind: str
    received: int = 0
    completed: int = 0
    rejected: int = 0
    on_time: int = 0
    # Still open, past their due date (see the module's docstring).
    overdue_open: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    returns: int = 0

    @property
    def judged(self) -> int:
        """The cases the compliance is computed on: completed ones and late open ones."""
        return self.completed + self.overdue_open

    @property
    def compliance(self) -> float | None:
        return round(100 * self.on_time / self.judged, 1) if self.judged else None

    @property
    def kind_label(self) -> str:
        # CaseKind.values builds its list at each call: a hundred rows asked it per page.
        return str(CaseKind(self.kind).label) if self.kind in KINDS else self.kind


@dataclass
class Dashboard:
    period: Period
    rows: list[Row] = field(default_factory=list)
    late_statements: list[tuple[str, int]] = field(default_factory=list)
    work_in_progress: list[tuple[str, int]] = field(default_factory=list)

    def by_service(self) -> list[Row]:
        merged: dict[str, Row] = {}
        for row in self.rows:
            total = merged.setdefault(row.service, Row(service=row.service, kind=""))
            total.received += row.received
            total.completed += row.completed
            total.on_time += row.on_time
            total.overdue_open += row.overdue_open
        return list(merged.values())

    def totals(self) -> Row:
        total = Row(service="", kind="")
        for row in self.rows:
            total.received += row.received
            total.completed += row.completed
            total.rejected += row.rejected
            total.on_time += row.on_time
            total.overdue_open += row.overdue_open
            total.returns += row.returns
        return total


def dashboard_scope(user):
    """(services whose cases the user may see figures of, whether as a centre head)."""
    centres = centres_of(user)
    heads = centres.filter(memberships__user=user, memberships__role="csp_head")
    if heads.exists():
        return services_served_by(heads), True
    return prescribing_services_of(user), False


FRACTIONS = {"median": 0.5, "p90": 0.9}


def _duration():
    return ExpressionWrapper(F("completed_at") - F("submitted_at"), output_field=DurationField())


def _percentiles_in_database(filter: Q) -> Percentiles:
    """The processing time's percentiles of the group's cases matching `filter`, as an
    aggregate of the closed cases' query (PostgreSQL): their scan is shared with the counts."""
    # date_part, a double, rather than EXTRACT, a numeric: sorting ~45,000 doubles per
    # centre took two thirds of the time (bench/README.md).
    seconds = Func(Value("epoch"), _duration(), function="date_part", output_field=FloatField())
    return Percentiles(seconds, list(FRACTIONS.values()), filter=filter)


def _as_days(values) -> dict:
    return {key: value / DAY_SECONDS if value is not None else None
            for key, value in zip(FRACTIONS, values or [None] * len(FRACTIONS), strict=True)}


def _percentiles_in_python(cases) -> dict:
    """{(service id, kind): {key: days}} from the durations, fetched as one column (the
    SQLite demo has no percentile_cont)."""
    grouped: dict = {}
    for service, kind, spent in cases.annotate(spent=_duration()).values_list(
            "requesting_service", "kind", "spent").order_by("spent"):
        grouped.setdefault((service, kind), []).append(spent.total_seconds())
    result = {}
    for key, values in grouped.items():
        result[key] = {name: _percentile(values, fraction) / DAY_SECONDS
                       for name, fraction in FRACTIONS.items()}
    return result


def _percentile(sorted_values: list[float], fraction: float) -> float:
    # The same interpolation as percentile_cont.
    position = fraction * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _late_open(cases, end) -> list[tuple[int, str, int]]:
    """Late though not finished: open today, their due date passed at the period's end (a
    live query on the open cases' partial index: it depends on now)."""
    return [(r["requesting_service"], r["kind"], r["n"]) for r in
            cases.filter(overdue(min(end, timezone.now())))
            .values("requesting_service", "kind").annotate(n=Count("pk"))]


def _work_in_progress(cases) -> list[tuple[str, int]]:
    wip = (cases.filter(state__in=OPEN_STATES, assigned_to__isnull=False)
           .values("assigned_to__first_name", "assigned_to__last_name")
           .annotate(n=Count("pk")).order_by("-n"))
    return [(f"{r['assigned_to__first_name']} {r['assigned_to__last_name']}".strip(), r["n"])
            for r in wip]


def dashboard(*, services, period: Period, kind: str | None = None) -> Dashboard:
    """The period's figures: the additive ones summed from the daily pre-aggregates
    (dashboards.daily; days not built yet computed from the cases), the processing times'
    percentiles from the durations they keep, the figures that depend on now (late open
    cases, work in progress) from the open cases. Equal to `dashboard_from_cases`."""
    code_of = {service.pk: service.code for service in services}
    service_ids = list(code_of)
    cases = Case.objects.filter(requesting_service__in=service_ids).order_by()
    if kind:
        cases = cases.filter(kind=kind)
    rows: dict[tuple[str, str], Row] = {}

    def row(service_id, case_kind) -> Row:
        service = code_of[service_id]
        return rows.setdefault((service, case_kind), Row(service=service, kind=case_kind))

    late: dict[str, int] = {}
    for (_month, service_id, case_kind), tally in daily.period_tallies(
            service_ids=service_ids, first=period.start, last=period.end, kind=kind,
            blocks={"figures"}).items():
        for reason, n in tally.late.items():
            late[reason] = late.get(reason, 0) + n
        if not (tally.received or tally.closed or tally.returns):
            continue
        target = row(service_id, case_kind)
        target.received, target.completed, target.rejected = (tally.received, tally.completed,
                                                              tally.rejected)
        target.on_time, target.returns = tally.on_time, tally.returns
        if tally.durations:
            # Sorted runs, merged by the sort in linear time.
            durations = sorted(tally.durations)
            target.median_days, target.p90_days = (
                _percentile(durations, fraction) / (daily.MICROSECONDS * DAY_SECONDS)
                for fraction in FRACTIONS.values())
    for service_id, case_kind, n in _late_open(cases, period.bounds[1]):
        row(service_id, case_kind).overdue_open = n
    result = Dashboard(period=period)
    result.rows = sorted(rows.values(), key=lambda r: (r.service, r.kind))
    result.late_statements = sorted(late.items(), key=lambda item: (-item[1], item[0]))
    result.work_in_progress = _work_in_progress(cases)
    return result


def dashboard_from_cases(*, services, period: Period, kind: str | None = None) -> Dashboard:
    """The figures computed from the cases alone: what `dashboard` answers from its
    pre-aggregates, kept as the reference its tests compare it to."""
    start, end = period.bounds
    # Ids as values: the planner then knows how many cases each service has. The blocks group
    # by service id, named here: joining the services to group by their code made each
    # aggregate hash and sort ~50,000 rows more (bench/README.md).
    code_of = {service.pk: service.code for service in services}
    service_ids = list(code_of)
    cases = Case.objects.filter(requesting_service__in=service_ids).order_by()
    if kind:
        cases = cases.filter(kind=kind)
    result = Dashboard(period=period)
    rows: dict[tuple[str, str], Row] = {}

    def row(service_id, case_kind) -> Row:
        service = code_of[service_id]
        return rows.setdefault((service, case_kind), Row(service=service, kind=case_kind))

    received = (cases.filter(submitted_at__gte=start, submitted_at__lt=end)
                .values("requesting_service", "kind").annotate(n=Count("pk")))
    for r in received:
        row(r["requesting_service"], r["kind"]).received = r["n"]
    closed = cases.filter(completed_at__gte=start, completed_at__lt=end)
    timed = Q(state=State.COMPLETED, submitted_at__isnull=False)
    blocks = {
        "completed": Count("pk", filter=Q(state=State.COMPLETED)),
        "rejected": Count("pk", filter=Q(state=State.REJECTED)),
        "on_time": Count("pk", filter=Q(state=State.COMPLETED, completed_at__lte=F("due_at"))),
    }
    in_database = connection.vendor == "postgresql"
    if in_database:
        # One scan of the period's closed cases for the counts and the percentiles.
        blocks["percentiles"] = _percentiles_in_database(timed)
    timings = {}
    for r in closed.values("requesting_service", "kind").annotate(**blocks):
        target = row(r["requesting_service"], r["kind"])
        target.completed, target.rejected, target.on_time = (r["completed"], r["rejected"],
                                                             r["on_time"])
        if in_database and r["completed"]:
            timings[(r["requesting_service"], r["kind"])] = _as_days(r["percentiles"])
    if not in_database:
        timings = _percentiles_in_python(closed.filter(timed))
    for service_id, case_kind, n in _late_open(cases, end):
        row(service_id, case_kind).overdue_open = n
    for (service, case_kind), values in timings.items():
        target = row(service, case_kind)
        target.median_days, target.p90_days = values["median"], values["p90"]
    # Joined, not `case__in=cases`: the questions of the period first (a partial index),
    # then their cases, instead of every case the services ever had.
    asked = CaseEvent.objects.filter(action=Action.REQUEST_INFO, created_at__gte=start,
                                     created_at__lt=end,
                                     case__requesting_service__in=service_ids)
    if kind:
        asked = asked.filter(case__kind=kind)
    # Counting their cases, not their ids: event_question_by_date holds the case, so the
    # questions are read from the index alone.
    returns = (asked
               .values("case__requesting_service", "case__kind")
               .annotate(n=Count("case")).order_by())
    for r in returns:
        row(r["case__requesting_service"], r["case__kind"]).returns = r["n"]
    result.rows = sorted(rows.values(), key=lambda r: (r.service, r.kind))

    # The case's kind too, though only statements have one: the index of received cases
    # holds it, so the other cases are left out before the join.
    late_statements = ServiceDoneStatement.objects.filter(
        case__requesting_service__in=service_ids, case__kind=CaseKind.SERVICE_DONE,
        late=True, case__submitted_at__gte=start, case__submitted_at__lt=end)
    if kind:
        late_statements = late_statements.filter(case__kind=kind)
    late = late_statements.values("lateness_reason").annotate(n=Count("pk")).order_by("-n")
    result.late_statements = [(r["lateness_reason"], r["n"]) for r in late]
    result.work_in_progress = _work_in_progress(cases)
    return result

