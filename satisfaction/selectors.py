"""Reads on ratings, for the restitutions: average score and count by kind and by service."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count

from cases import kinds

from .models import Rating


@dataclass(frozen=True)
class RatingFigure:
    label: str
    average: float  # one decimal
    count: int


@dataclass(frozen=True)
class RatingSummary:
    by_kind: list[RatingFigure]
    by_service: list[RatingFigure]
    total: RatingFigure | None


def _figure(label, row) -> RatingFigure:
    return RatingFigure(label=str(label), average=round(row["average"], 1), count=row["n"])


def ratings_summary(*, services, start: datetime, end: datetime,
                    kind: str | None = None) -> RatingSummary:
    """The ratings of the services' cases completed in [start, end): the service rendered
    in the period, whenever it was rated."""
    code_of = {service.pk: service.code for service in services}
    ratings = Rating.objects.filter(case__requesting_service__in=list(code_of),
                                    case__completed_at__gte=start,
                                    case__completed_at__lt=end).order_by()
    if kind:
        ratings = ratings.filter(case__kind=kind)
    by_kind = [_figure(kinds.label(r["case__kind"]), r) for r in
               ratings.values("case__kind").annotate(average=Avg("score"), n=Count("pk"))]
    by_service = [_figure(code_of[r["case__requesting_service"]], r) for r in
                  ratings.values("case__requesting_service")
                  .annotate(average=Avg("score"), n=Count("pk"))]
    total = ratings.aggregate(average=Avg("score"), n=Count("pk"))
    return RatingSummary(
        by_kind=sorted(by_kind, key=lambda f: f.label),
        by_service=sorted(by_service, key=lambda f: f.label),
        total=_figure("", total) if total["n"] else None)
