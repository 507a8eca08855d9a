"""Working-day arithmetic for contractual delays (France: weekends and public holidays off).

A working day counts as 24 hours of clock time on a working date, so a case submitted on
Monday at 15:00 with a 2-day delay is due on Wednesday at 15:00, and one submitted on a
Saturday is due at the end of the second following working day.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

DAY = timedelta(days=1)


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def working_time_between(start: datetime, end: datetime) -> timedelta:
    """Clock time between start and end that falls on working days."""
    if end <= start:
        return timedelta(0)
    start, end = timezone.localtime(start), timezone.localtime(end)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if is_working_day(day):
            day_start = max(start, _midnight(day))
            day_end = min(end, _midnight(day + DAY))
            if day_end > day_start:
                total += day_end - day_start
        day += DAY
    return total


def add_working_time(start: datetime, amount: timedelta) -> datetime:
    """The instant when `amount` of working time has elapsed since `start`."""
    current = timezone.localtime(start)
    remaining = amount
    while True:
        day = current.date()
        day_end = _midnight(day + DAY)
        if is_working_day(day):
            available = day_end - current
            if remaining <= available:
                return current + remaining
            remaining -= available
        current = day_end


def add_working_days(start: datetime, days: int) -> datetime:
    return add_working_time(start, days * DAY)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start`, up to and including `end` (0 when end <= start): a
    statement made the next working day after delivery is 1 working day after it."""
    count, day = 0, start + DAY
    while day <= end:
        count += is_working_day(day)
        day += DAY
    return count


def working_days_late(due_at: datetime | None, now: datetime | None = None) -> int:
    """Whole working days past the due date (0 when on time)."""
    if due_at is None:
        return 0
    late = working_time_between(due_at, now or timezone.now())
    return late // DAY + (1 if late % DAY else 0)
