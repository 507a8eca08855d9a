"""The restitutions' pre-aggregates: the additive figures of each (day, requesting service,
kind), rolled up by month, so that a year's page sums ~1,200 rows instead of scanning
~50,000 cases (bench/README.md). Built by dashboards.daily (a nightly task, the
`build_daily_figures` command, and the transitions that change a day already built);
days not built are computed from the cases, so the page stays exact either way.

Each figure has the date basis of the raw query (dashboards.selectors.dashboard_from_cases):
received and late statements on the case's submission day, the closing figures and the
processing times on its closing day, questions on the question's day.
"""

from django.db import models
from django.utils import timezone


class BuiltDay(models.Model):
    """A day whose figures are in DayFigures, for every service (never today or later)."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.day.isoformat()


class Figures(models.Model):
    service = models.ForeignKey("portal.Service", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    received = models.PositiveIntegerField(default=0)
    # Closed in any final state (cancelled included): the raw query shows a row for a group
    # whose only closed cases were cancelled, so the rows must know of them too.
    closed = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)
    # The processing times (submission to completion) of the completed cases, in whole
    # microseconds (what the timestamps hold: exact), sorted. Percentiles are not additive:
    # the page sorts the period's values of each group again (~45,000 integers for the
    # largest centre's year, a few ms) and interpolates as percentile_cont does. A
    # histogram would be smaller, but exact only to its bucket width.
    durations = models.JSONField(default=list)
    # Late service-done statements by lateness reason ({reason: count}), by submission day.
    # Empty (None) for most rows: left undecoded when read.
    late = models.JSONField(null=True, default=None)
    # Anomalies recorded on the events (questions, returns, rejections) by the event's day:
    # {code: {label: [count, last day (ISO) an event recorded that label]}}; the report
    # names a type by the label recorded last (dashboards.anomalies).
    anomalies = models.JSONField(null=True, default=None)

    class Meta:
        abstract = True


class DayFigures(Figures):
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "day", "kind"],
                                               name="day_figures_unique")]
        indexes = [models.Index(fields=["day"], name="day_figures_by_day")]

    def __str__(self):
        return f"{self.day} {self.service_id} {self.kind}"


class MonthFigures(Figures):
    """The sum of a month's DayFigures, present for a month whose every day is built."""

    month = models.DateField()  # its first day

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "month", "kind"],
                                               name="month_figures_unique")]
        indexes = [models.Index(fields=["month"], name="month_figures_by_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.service_id} {self.kind}"
