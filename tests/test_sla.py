"""Working-day arithmetic: weekends and French public holidays are not counted."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from cases.sla import (
    add_working_days,
    add_working_time,
    is_working_day,
    working_days_late,
    working_time_between,
)

PARIS = timezone.get_default_timezone()
HOUR = timedelta(hours=1)


def paris(*args) -> datetime:
    return timezone.make_aware(datetime(*args), PARIS)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 30), True),   # Thursday
        (date(2026, 5, 1), False),   # Friday, Fête du travail
        (date(2026, 5, 2), False),   # Saturday
        (date(2026, 5, 3), False),   # Sunday
        (date(2026, 5, 4), True),    # Monday
        (date(2026, 5, 8), False),   # Friday, Victoire 1945
        (date(2026, 5, 14), False),  # Thursday, Ascension
        (date(2026, 5, 15), True),   # Friday after Ascension (a "pont", still worked)
        (date(2026, 5, 25), False),  # Monday, Pentecôte
        (date(2026, 7, 14), False),  # Tuesday, fête nationale
        (date(2026, 11, 11), False),  # Wednesday, Armistice
        (date(2026, 12, 24), True),  # Thursday
        (date(2026, 12, 25), False),  # Friday, Noël
        (date(2027, 1, 1), False),   # Friday, jour de l'an
        (date(2027, 3, 29), False),  # Easter Monday 2027
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Monday 15:00 + 2 days -> Wednesday 15:00 (the module's own example).
        (paris(2026, 3, 2, 15, 0), 2, paris(2026, 3, 4, 15, 0)),
        # Friday afternoon: the weekend is skipped.
        (paris(2026, 3, 6, 15, 0), 1, paris(2026, 3, 9, 15, 0)),
        (paris(2026, 3, 6, 15, 0), 2, paris(2026, 3, 10, 15, 0)),
        (paris(2026, 3, 6, 15, 0), 5, paris(2026, 3, 13, 15, 0)),
        # Saturday: the clock starts on Monday morning; due at the end of Tuesday.
        (paris(2026, 3, 7, 10, 0), 2, paris(2026, 3, 11, 0, 0)),
        (paris(2026, 3, 8, 23, 59), 1, paris(2026, 3, 10, 0, 0)),
        # Thursday before 1 May (Friday, holiday) -> Monday.
        (paris(2026, 4, 30, 10, 0), 1, paris(2026, 5, 4, 10, 0)),
        # Wednesday before Ascension: Thursday does not count, nor does the weekend.
        (paris(2026, 5, 13, 9, 0), 2, paris(2026, 5, 18, 9, 0)),
        # Christmas Eve: Friday 25 is off.
        (paris(2026, 12, 24, 14, 0), 1, paris(2026, 12, 28, 14, 0)),
        # Submitted on the holiday itself: counted from the next working morning.
        (paris(2026, 5, 1, 11, 0), 1, paris(2026, 5, 5, 0, 0)),
        # Zero days from a working instant is that instant.
        (paris(2026, 3, 4, 9, 30), 0, paris(2026, 3, 4, 9, 30)),
    ],
)
def test_add_working_days(start, days, due):
    assert add_working_days(start, days) == due


def test_add_working_days_across_the_spring_clock_change():
    # Clocks go forward on Sunday 29 March 2026; the due time keeps its wall-clock hour.
    due = add_working_days(paris(2026, 3, 27, 15, 0), 1)
    assert due == paris(2026, 3, 30, 15, 0)
    assert due.utcoffset() == timedelta(hours=2)


def test_add_working_days_accepts_utc_datetimes():
    # 14:00 UTC on a Friday in March is 15:00 in Paris.
    start = datetime(2026, 3, 6, 14, 0, tzinfo=UTC)
    assert add_working_days(start, 1) == paris(2026, 3, 9, 15, 0)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Same day.
        (paris(2026, 3, 4, 9, 0), paris(2026, 3, 4, 11, 30), timedelta(hours=2, minutes=30)),
        # Friday 16:00 -> Monday 10:00: 8 hours on Friday, 10 on Monday.
        (paris(2026, 3, 6, 16, 0), paris(2026, 3, 9, 10, 0), 18 * HOUR),
        # Whole weekend only.
        (paris(2026, 3, 7, 8, 0), paris(2026, 3, 8, 20, 0), timedelta(0)),
        # Thursday noon -> Monday noon across 1 May and the weekend.
        (paris(2026, 4, 30, 12, 0), paris(2026, 5, 4, 12, 0), 24 * HOUR),
        # A full working week.
        (paris(2026, 3, 2, 0, 0), paris(2026, 3, 9, 0, 0), 5 * 24 * HOUR),
        # End before start.
        (paris(2026, 3, 9, 10, 0), paris(2026, 3, 6, 16, 0), timedelta(0)),
    ],
)
def test_working_time_between(start, end, expected):
    assert working_time_between(start, end) == expected


def test_working_time_between_and_add_working_time_agree():
    start = paris(2026, 4, 29, 17, 45)
    for end in (paris(2026, 4, 30, 8, 0), paris(2026, 5, 4, 9, 15), paris(2026, 5, 19, 18, 0)):
        assert add_working_time(start, working_time_between(start, end)) == end


@pytest.mark.parametrize(
    ("due", "now", "late"),
    [
        (None, paris(2026, 3, 9, 10, 0), 0),
        # Before or at the due date: on time.
        (paris(2026, 3, 9, 10, 0), paris(2026, 3, 9, 9, 0), 0),
        (paris(2026, 3, 9, 10, 0), paris(2026, 3, 9, 10, 0), 0),
        # Any part of a working day counts as a day late.
        (paris(2026, 3, 9, 10, 0), paris(2026, 3, 9, 10, 1), 1),
        # Friday 10:00 -> Tuesday 10:00: 14 + 24 + 10 = 48 working hours.
        (paris(2026, 3, 6, 10, 0), paris(2026, 3, 10, 10, 0), 2),
        (paris(2026, 3, 6, 10, 0), paris(2026, 3, 10, 10, 1), 3),
        # Six hours late on Friday evening; the weekend adds nothing.
        (paris(2026, 3, 6, 18, 0), paris(2026, 3, 7, 12, 0), 1),
        (paris(2026, 3, 6, 18, 0), paris(2026, 3, 8, 23, 0), 1),
        (paris(2026, 3, 6, 18, 0), paris(2026, 3, 9, 18, 0), 1),
        (paris(2026, 3, 6, 18, 0), paris(2026, 3, 9, 18, 1), 2),
        # 1 May and the weekend are not counted.
        (paris(2026, 4, 30, 10, 0), paris(2026, 5, 4, 10, 0), 1),
    ],
)
def test_working_days_late(due, now, late):
    assert working_days_late(due, now) == late
