"""The restitutions' daily pre-aggregates (dashboards.models): computing a span's figures from
the cases, building and rolling up days, keeping built days exact after a transition, and
reading a period back from them.

How they stay exact. A day is built once it is over (never today): its figures are those of
the raw query for that day (`tallies_from_cases`), for every service. A built day changes
afterwards only when a transition changes what a case contributed to it; every figure's day
is the day of one of the case's events (its submission, its closing, a question). So the
transitions' receiver (`on_case_transitioned`, in the transition's transaction) rebuilds, for
the case's service:
- the event's own day, when it is a built day (a transition dated in the past, `at=`);
- every day of the case's events when the transition undoes a submission (a return: the
  submission day loses a received case) or a closing (a case leaving a final state).
Any other transition, dated now, touches today only, which is never built: no query at all.
The page reads the built days from the aggregates and computes the others (today, a day the
nightly task has not reached) from the cases, so it is exact whether or not the task ran.
What the transitions do not write (data loaded by a script) is built by the command
`build_daily_figures --since DATE`.
"""

import calendar
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.anomalies import takes_anomaly
from cases.kinds import all_transitions
from cases.models import Case, CaseEvent, CaseKind
from cases.workflow import FINAL_STATES, Action, State
from kinds.service_done.models import ServiceDoneStatement

from .models import BuiltDay, DayFigures, MonthFigures

MICROSECONDS = 1_000_000
STORED = ("service_id", "kind", "durations", "late", "anomalies", "received", "closed",
          "completed", "rejected", "on_time", "returns")

# (first day, last day), both included.
Span = tuple[date, date]


@dataclass
class Tally:
    """The additive figures of a group (a service and a kind, on a day or over a period)."""

    received: int = 0
    closed: int = 0
    completed: int = 0
    rejected: int = 0
    on_time: int = 0
    returns: int = 0
    durations: list[int] = field(default_factory=list)
    late: dict[str, int] = field(default_factory=dict)
    anomalies: dict[str, dict[str, list]] = field(default_factory=dict)

    COUNTS = ("received", "closed", "completed", "rejected", "on_time", "returns")

    def add(self, values: dict) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + values[name])
        self.durations.extend(values["durations"])
        for reason, n in (values["late"] or {}).items():
            self.late[reason] = self.late.get(reason, 0) + n
        for code, labels in (values["anomalies"] or {}).items():
            for label, (n, last) in labels.items():
                self.count_anomaly(code, label, n, last)

    def subtract(self, values: dict) -> None:
        """Takes a day's row out of its month's (counts, durations as a multiset, late)."""
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) - values[name])
        if values["durations"]:
            gone = Counter(values["durations"])
            kept = []
            for spent in self.durations:
                if gone[spent]:
                    gone[spent] -= 1
                else:
                    kept.append(spent)
            self.durations = kept
        for reason, n in (values["late"] or {}).items():
            self.late[reason] -= n
            if not self.late[reason]:
                del self.late[reason]

    def count_anomaly(self, code: str, label: str, n: int, last: str) -> None:
        known = self.anomalies.setdefault(code, {}).setdefault(label, [0, last])
        known[0] += n
        known[1] = max(known[1], last)

    def as_fields(self) -> dict:
        return {**{name: getattr(self, name) for name in self.COUNTS},
                "durations": sorted(self.durations), "late": self.late or None,
                "anomalies": self.anomalies or None}


def _bounds(span: Span) -> tuple[datetime, datetime]:
    return (timezone.make_aware(datetime.combine(span[0], time.min)),
            timezone.make_aware(datetime.combine(span[1] + timedelta(days=1), time.min)))


def _within(field_name: str, spans: Iterable[Span]) -> Q:
    condition = Q(pk__in=[])
    for span in spans:
        start, end = _bounds(span)
        condition |= Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})
    return condition


def _in_scope(queryset, service_ids, kind, *, through: str = ""):
    """`queryset` narrowed to the cases of `service_ids` (None: every service) and of `kind`,
    reached through `through` ("case__" from an event or a statement)."""
    if service_ids is not None:
        queryset = queryset.filter(**{f"{through}requesting_service__in": service_ids})
    if kind:
        queryset = queryset.filter(**{f"{through}kind": kind})
    return queryset


def anomaly_actions() -> list[str]:
    """The actions some row of the workflow classifies in the typology."""
    return sorted({row.action.value for row in all_transitions() if takes_anomaly(row)})


ALL_BLOCKS = frozenset({"figures", "anomalies"})


def tallies_from_cases(*, spans: list[Span], service_ids: list[int] | None = None,
                       kind: str | None = None, by_day: bool = False,
                       blocks=ALL_BLOCKS) -> dict[tuple, Tally]:
    """{(day or None, service id, kind): Tally} of the days in `spans`, from the cases (the
    raw query's figures, date bases included). `service_ids` None: every service. `blocks`:
    the restitutions' figures, the anomalies, or both."""
    result: dict[tuple, Tally] = {}

    def tally(day, service_id, case_kind) -> Tally:
        return result.setdefault((day if by_day else None, service_id, case_kind), Tally())

    if "anomalies" in blocks:
        _anomalies_from_events(spans, service_ids, kind, tally)
    if "figures" not in blocks:
        return result
    cases = _in_scope(Case.objects.order_by(), service_ids, kind)
    group = ["requesting_service", "kind"] + (["day"] if by_day else [])
    received = cases.filter(_within("submitted_at", spans))
    if by_day:
        received = received.annotate(day=TruncDate("submitted_at"))
    for r in received.values(*group).annotate(n=Count("pk")):
        tally(r.get("day"), r["requesting_service"], r["kind"]).received = r["n"]

    # The closed cases one by one: their processing times are kept, not only counted.
    closed = cases.filter(_within("completed_at", spans)).values_list(
        "requesting_service", "kind", "state", "submitted_at", "completed_at", "due_at")
    for service_id, case_kind, state, submitted_at, completed_at, due_at in closed:
        target = tally(timezone.localdate(completed_at), service_id, case_kind)
        target.closed += 1
        if state == State.COMPLETED:
            target.completed += 1
            if due_at is not None and completed_at <= due_at:
                target.on_time += 1
            if submitted_at is not None:
                spent = completed_at - submitted_at
                target.durations.append((spent.days * 86400 + spent.seconds) * MICROSECONDS
                                        + spent.microseconds)
        elif state == State.REJECTED:
            target.rejected += 1

    asked = _in_scope(CaseEvent.objects.filter(_within("created_at", spans),
                                               action=Action.REQUEST_INFO),
                      service_ids, kind, through="case__")
    if by_day:
        asked = asked.annotate(day=TruncDate("created_at"))
    for r in (asked.values("case__requesting_service", "case__kind",
                           *(["day"] if by_day else []))
              .annotate(n=Count("case")).order_by()):
        tally(r.get("day"), r["case__requesting_service"], r["case__kind"]).returns = r["n"]

    late = _in_scope(ServiceDoneStatement.objects.filter(
        _within("case__submitted_at", spans), late=True, case__kind=CaseKind.SERVICE_DONE),
        service_ids, kind, through="case__")
    if by_day:
        late = late.annotate(day=TruncDate("case__submitted_at"))
    for r in (late.values("case__requesting_service", "case__kind", "lateness_reason",
                          *(["day"] if by_day else []))
              .annotate(n=Count("pk")).order_by()):
        target = tally(r.get("day"), r["case__requesting_service"], r["case__kind"])
        target.late[r["lateness_reason"]] = r["n"]
    return result


def _anomalies_from_events(spans, service_ids, kind, tally) -> None:
    events = _in_scope(CaseEvent.objects.filter(_within("created_at", spans),
                                                action__in=anomaly_actions(),
                                                data__has_key="anomaly"),
                       service_ids, kind, through="case__")
    # By day always: a type is named by the label recorded last.
    for r in (events.annotate(day=TruncDate("created_at"))
              .values("day", "case__requesting_service", "case__kind", "data__anomaly",
                      "data__anomaly_label").annotate(n=Count("pk")).order_by()):
        code = str(r["data__anomaly"])
        tally(r["day"], r["case__requesting_service"], r["case__kind"]).count_anomaly(
            code, str(r["data__anomaly_label"] or code), r["n"], r["day"].isoformat())


# --- building ------------------------------------------------------------------------------


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _months(first: date, last: date) -> list[date]:
    months, month = [], _month_of(first)
    while month <= last:
        months.append(month)
        month = _month_end(month) + timedelta(days=1)
    return months


def _build_span(span: Span, service_ids: list[int] | None = None) -> None:
    """(Re)build the days of `span` (inside one month) for `service_ids` (None: all, and the
    days are then marked built), then the month's roll-up if all its days are built. The
    caller holds a transaction."""
    first, last = span
    # Rebuilding a built day waits for whoever is rebuilding it (the nightly task, another
    # transition): each deletes and writes the same rows.
    list(BuiltDay.objects.select_for_update().filter(day__gte=first, day__lte=last))
    stale = DayFigures.objects.filter(day__gte=first, day__lte=last)
    if service_ids is not None:
        stale = stale.filter(service__in=service_ids)
    stale.delete()
    tallies = tallies_from_cases(spans=[span], service_ids=service_ids, by_day=True)
    DayFigures.objects.bulk_create(
        [DayFigures(day=day, service_id=service_id, kind=kind, **tally.as_fields())
         for (day, service_id, kind), tally in tallies.items()], batch_size=2000)
    if service_ids is None:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        BuiltDay.objects.bulk_create([BuiltDay(day=day) for day in days],
                                     update_conflicts=True, unique_fields=["day"],
                                     update_fields=["built_at"])
    month = _month_of(first)
    end = _month_end(month)
    if (end < timezone.localdate()
            and BuiltDay.objects.filter(day__gte=month, day__lte=end).count() == end.day):
        _roll_up(month, service_ids)


def _roll_up(month: date, service_ids: list[int] | None) -> None:
    rows = DayFigures.objects.filter(day__gte=month, day__lte=_month_end(month))
    stale = MonthFigures.objects.filter(month=month)
    if service_ids is not None:
        rows, stale = rows.filter(service__in=service_ids), stale.filter(service__in=service_ids)
    stale.delete()
    sums: dict[tuple, Tally] = {}
    for row in rows.values(*STORED):
        sums.setdefault((row["service_id"], row["kind"]), Tally()).add(row)
    MonthFigures.objects.bulk_create(
        [MonthFigures(month=month, service_id=service_id, kind=kind, **tally.as_fields())
         for (service_id, kind), tally in sums.items()], batch_size=2000)


def _first_activity_day() -> date | None:
    first = Case.objects.filter(submitted_at__isnull=False).order_by("submitted_at").values_list(
        "submitted_at", flat=True).first()
    return timezone.localdate(first) if first else None


def build_daily_figures(*, since: date | None = None, until: date | None = None,
                        report=None) -> list[Span]:
    """Build every day from `since` (default: the day after the last built one, or the first
    submission) to `until` (at most and by default yesterday), a month per transaction:
    resumable, and idempotent (a built day is built again the same). Returns the spans
    built."""
    yesterday = timezone.localdate() - timedelta(days=1)
    if until is not None:
        yesterday = min(until, yesterday)
    if since is None:
        last = BuiltDay.objects.order_by("-day").values_list("day", flat=True).first()
        since = last + timedelta(days=1) if last else _first_activity_day()
    built = []
    if since is None or since > yesterday:
        return built
    for month in _months(since, yesterday):
        span = (max(since, month), min(_month_end(month), yesterday))
        with transaction.atomic():
            _build_span(span)
        built.append(span)
        if report:
            report(span)
    return built


def on_case_transitioned(sender, event: CaseEvent, **kwargs) -> None:
    """Receiver of cases.signals.case_transitioned: rebuilds the built days the transition
    changed, for the case's service (see the module's docstring)."""
    today = timezone.localdate()
    days = {timezone.localdate(event.created_at)}
    undoes = (event.action == Action.RETURN or event.to_state == State.DRAFT
              or (event.from_state in FINAL_STATES and event.to_state != event.from_state))
    if undoes:
        days |= {timezone.localdate(at) for at in
                 CaseEvent.objects.filter(case_id=event.case_id).values_list("created_at",
                                                                            flat=True)}
    past = sorted(day for day in days if day < today)
    if not past:
        return
    service_id = event.case.requesting_service_id
    for day in BuiltDay.objects.filter(day__in=past).order_by("day").values_list("day",
                                                                                flat=True):
        _build_span((day, day), [service_id])


# --- reading -------------------------------------------------------------------------------


def _spans(days: list[date]) -> list[Span]:
    """Consecutive days as spans."""
    spans: list[list[date]] = []
    for day in sorted(days):
        if spans and spans[-1][1] + timedelta(days=1) == day:
            spans[-1][1] = day
        else:
            spans.append([day, day])
    return [(first, last) for first, last in spans]


def period_tallies(*, service_ids: list[int], first: date, last: date,
                   kind: str | None = None, by_month: bool = False,
                   blocks=ALL_BLOCKS, cache: dict | None = None) -> dict[tuple, Tally]:
    """{(month or None, service id, kind): Tally} over the days first..last: whole built
    months from their roll-up, other built days from their rows, days not built from the
    cases. `blocks` as for tallies_from_cases (the rows' other columns are not read).
    `cache`: a dict shared by the reads of one page, which then compute the same days not
    built (today, mostly: ~20,000 events nationally) once."""
    yesterday = timezone.localdate() - timedelta(days=1)
    built = set()
    if first <= yesterday:
        # The whole months around the period: a month mostly inside it is read as its
        # roll-up minus the days outside, when all are built.
        built = set(BuiltDay.objects.filter(day__gte=_month_of(first),
                                            day__lte=min(_month_end(last), yesterday))
                    .values_list("day", flat=True))
    months, built_days, raw_days, outside = [], [], [], []
    for month in _months(first, last):
        span_first, span_last = max(first, month), min(last, _month_end(month))
        days = [span_first + timedelta(days=n) for n in range((span_last - span_first).days + 1)]
        month_days = [month + timedelta(days=n) for n in range(_month_end(month).day)]
        if all(day in built for day in month_days) and (
                len(days) == len(month_days)
                # Not for the anomalies: a type's label is the one recorded last.
                or ("anomalies" not in blocks and 2 * len(days) > len(month_days))):
            months.append(month)
            outside += [day for day in month_days if not span_first <= day <= span_last]
            continue
        for day in days:
            (built_days if day in built else raw_days).append(day)
    result: dict[tuple, Tally] = {}
    empty = Tally().as_fields()
    fields = ["service_id", "kind"]
    if "figures" in blocks:
        fields += ["durations", "late", *Tally.COUNTS]
    if "anomalies" in blocks:
        fields.append("anomalies")
    stored = []
    if months:
        stored.append(MonthFigures.objects.filter(service__in=service_ids, month__in=months)
                      .values_list("month", *fields))
    if built_days:
        stored.append(DayFigures.objects.filter(_within_days(_spans(built_days)),
                                                service__in=service_ids)
                      .values_list("day", *fields))
    if stored:
        if kind:
            stored = [rows.filter(kind=kind) for rows in stored]
        rows = stored[0] if len(stored) == 1 else stored[0].union(stored[1], all=True)
        for at, *values in rows:
            row = {**empty, **dict(zip(fields, values, strict=True))}
            key = (_month_of(at) if by_month else None, row["service_id"], row["kind"])
            result.setdefault(key, Tally()).add(row)
    if outside:
        rows = DayFigures.objects.filter(_within_days(_spans(outside)), service__in=service_ids)
        if kind:
            rows = rows.filter(kind=kind)
        for at, *values in rows.values_list("day", *fields):
            row = {**empty, **dict(zip(fields, values, strict=True))}
            key = (_month_of(at) if by_month else None, row["service_id"], row["kind"])
            result[key].subtract(row)
    if raw_days:
        spans = _spans(raw_days)
        key = (tuple(spans), tuple(service_ids), kind, by_month, tuple(sorted(blocks)))
        if cache is None or key not in cache:
            raw = tallies_from_cases(spans=spans, service_ids=service_ids, kind=kind,
                                     by_day=by_month, blocks=blocks)
            if cache is not None:
                cache[key] = raw
        else:
            raw = cache[key]
        for (day, service_id, case_kind), tally in raw.items():
            key = (_month_of(day) if by_month else None, service_id, case_kind)
            result.setdefault(key, Tally()).add(tally.as_fields())
    return result


def _within_days(spans: list[Span]) -> Q:
    condition = Q(pk__in=[])
    for first, last in spans:
        condition |= Q(day__gte=first, day__lte=last)
    return condition
