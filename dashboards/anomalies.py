"""Anomalies counted for the restitutions: the questions, returns for correction and
rejections of the services' cases, by type (the convention's typology, recorded on each
event), service, kind and month, with the last twelve months and this month's trend.

One grouped query over the events of the actions whose rows take an anomaly
(cases/anomalies.py). A type is counted by its code; it is named by the label its events
recorded last, so renaming a type in the convention does not split its figures.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cases.models import CaseEvent, CaseKind

from . import daily
from .daily import anomaly_actions
from .selectors import Period

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class AnomalyCount:
    month: date  # its first day
    service: str
    kind: str
    code: str
    label: str
    n: int

    @property
    def kind_label(self) -> str:
        return str(CaseKind(self.kind).label) if self.kind in CaseKind.values else self.kind


@dataclass(frozen=True)
class Trend:
    label: str
    this_month: int
    previous_month: int

    @property
    def change(self) -> int:
        return self.this_month - self.previous_month

    @property
    def direction(self) -> str:
        if self.change > 0:
            return _("en hausse")
        if self.change < 0:
            return _("en baisse")
        return _("stable")


@dataclass
class AnomalyReport:
    period: Period
    # The period's counts, month by month (the export's rows).
    rows: list[AnomalyCount] = field(default_factory=list)
    # Each of the twelve months ending with the period's last one: (label, count).
    months: list[tuple[str, int]] = field(default_factory=list)
    # Per type: the period's last month against the one before.
    trends: list[Trend] = field(default_factory=list)
    this_month: str = ""
    previous_month: str = ""

    @property
    def total(self) -> int:
        return sum(row.n for row in self.rows)

    def by_type(self) -> list[tuple[str, int]]:
        """(label, count) over the period, the most frequent first."""
        totals: dict[str, int] = defaultdict(int)
        for row in self.rows:
            totals[row.label] += row.n
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))

    def by_type_service_kind(self) -> list[tuple[str, str, str, int]]:
        """(label, service, kind label, count) over the period."""
        totals: dict[tuple[str, str, str], int] = defaultdict(int)
        for row in self.rows:
            totals[(row.label, row.service, row.kind_label)] += row.n
        return [(*key, n) for key, n in sorted(totals.items())]


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _month_label(month: date) -> str:
    # Capitalised: it starts a chart's label and heads a table's column.
    return capfirst(formats.date_format(month, "F Y"))


def _grouped(events, *names):
    """{(first day of the month, *names): count}, and the latest label of each code."""
    counts: dict[tuple, int] = defaultdict(int)
    labels: dict[str, str] = {}
    rows = (events.annotate(month=TruncMonth("created_at"))
            .values("month", *names, "data__anomaly", "data__anomaly_label")
            .annotate(n=Count("pk")).order_by("month"))
    for r in rows:
        month = r["month"]
        # TruncMonth of an aware datetime is an aware datetime (Paris time) on every backend.
        month = timezone.localtime(month).date() if hasattr(month, "hour") else month
        code = str(r["data__anomaly"])
        labels[code] = str(r["data__anomaly_label"] or code)  # ordered by month: latest wins
        counts[(month, *(r[name] for name in names), code)] += r["n"]
    return counts, labels


def _window(period: Period) -> tuple[date, list[date]]:
    """The twelve months ending with the period's (or today's, if sooner) month."""
    last_month = _month_start(min(period.end, timezone.localdate()))
    return last_month, [_month_start(last_month, back)
                        for back in range(MONTHS_SHOWN - 1, -1, -1)]


def _from_tallies(tallies, *grouped) -> tuple[dict, dict]:
    """_grouped's answer from daily.period_tallies by month; a type named by the label
    recorded on the latest day (then the greatest label)."""
    counts: dict[tuple, int] = defaultdict(int)
    latest: dict[str, tuple[str, str]] = {}
    for (month, service_id, case_kind), tally in tallies.items():
        names = {"service": service_id, "kind": case_kind}
        for code, by_label in tally.anomalies.items():
            for label, (n, last) in by_label.items():
                counts[(month, *(names[name] for name in grouped), code)] += n
                latest[code] = max(latest.get(code, ("", "")), (last, label))
    return counts, {code: label for code, (_last, label) in latest.items()}


def anomaly_report(*, services, period: Period, kind: str | None = None) -> AnomalyReport:
    """The period's anomalies, from the daily pre-aggregates (dashboards.daily; days not
    built from the events): equal to `anomaly_report_from_events`."""
    code_of = {service.pk: service.code for service in services}
    service_ids = list(code_of)
    cache: dict = {}
    counts, labels = _from_tallies(daily.period_tallies(
        service_ids=service_ids, first=period.start, last=period.end, kind=kind,
        by_month=True, blocks={"anomalies"}, cache=cache), "service", "kind")
    last_month, shown = _window(period)
    recent, recent_labels = _from_tallies(daily.period_tallies(
        service_ids=service_ids, first=shown[0], last=period.end, kind=kind, by_month=True,
        blocks={"anomalies"}, cache=cache))
    labels = {**recent_labels, **labels}
    return _report(period, code_of, counts, labels, recent, last_month, shown)


def anomaly_report_from_events(*, services, period: Period,
                               kind: str | None = None) -> AnomalyReport:
    """The report counted from the events alone: what `anomaly_report` answers from the
    daily pre-aggregates, kept as the reference its tests compare it to."""
    code_of = {service.pk: service.code for service in services}
    events = CaseEvent.objects.filter(action__in=anomaly_actions(),
                                      case__requesting_service__in=list(code_of),
                                      data__has_key="anomaly")
    if kind:
        events = events.filter(case__kind=kind)

    start, end = period.bounds
    counts, labels = _grouped(events.filter(created_at__gte=start, created_at__lt=end),
                              "case__requesting_service", "case__kind")
    last_month, shown = _window(period)
    window_start = Period(shown[0], shown[0]).bounds[0]
    window_end = Period(last_month, period.end).bounds[1]
    recent, recent_labels = _grouped(events.filter(created_at__gte=window_start,
                                                   created_at__lt=window_end))
    labels = {**recent_labels, **labels}
    return _report(period, code_of, counts, labels, recent, last_month, shown)


def _report(period, code_of, counts, labels, recent, last_month, shown) -> AnomalyReport:
    report = AnomalyReport(period=period, this_month=_month_label(last_month),
                           previous_month=_month_label(shown[-2]))
    report.rows = sorted(
        (AnomalyCount(month, code_of[service], case_kind, code, labels[code], n)
         for (month, service, case_kind, code), n in counts.items()),
        key=lambda row: (row.month, row.service, row.kind, row.code))
    per_month: dict[date, int] = defaultdict(int)
    for (month, _code), n in recent.items():
        per_month[month] += n
    report.months = [(_month_label(month), per_month[month]) for month in shown]
    codes = {code for _month, code in recent}
    report.trends = sorted(
        (Trend(labels[code], recent.get((last_month, code), 0),
               recent.get((shown[-2], code), 0)) for code in codes),
        key=lambda trend: (-trend.this_month, -trend.previous_month, trend.label))
    return report
