"""Working-day arithmetic for contractual delays (France: weekends and public holidays off),
and the one way a due date is written for people.

The convention counts delays in whole working days, Paris time:

- a delay of N working days from a submission ends at the end of the Nth working day after
  the submission day. The submission day itself never counts, whatever the hour; submitted
  on a Saturday, a Sunday or a public holiday, the first working day after it is day 1.
  Monday 15:00 + 2 days → end of Wednesday; Saturday + 2 days → end of Tuesday;
- `Case.due_at` stores that end of day as its last instant, 23:59:59.999999 Europe/Paris
  (`end_of_day`). Stored so, its Paris date *and* its UTC date are the due day, a date
  filter (`due_at__date`) finds it on the day shown, and "overdue" is simply
  `due_at < now`: it flips at midnight, Paris time, once the due day is over;
- a pause (a question to the service, the CST's check) moves the due day by the working
  days that passed from the pause day (excluded) to the resume day (included): asked and
  answered on the same day costs nothing, answered the next working day gives one day
  back, just as a new submission on the answer day would count from the day after;
- people read the due day, never the stored instant: `due_label` (« mardi 8 décembre
  2026, fin de journée ») on the case page, in documents and messages, `due_short`
  (« mar. 08/12/2026 ») in lists, `due_day` (a date) in exports and the API.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from common.dates import long_date

DAY = timedelta(days=1)
# The last instant of a day, as stored in due_at (see the module's docstring).
LAST_INSTANT = time.max


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def next_working_day(day: date) -> date:
    """`day` itself when it is worked, else the first working day after it."""
    while not is_working_day(day):
        day += DAY
    return day


def working_day_after(day: date, count: int) -> date:
    """The `count`th working day after `day` (`day` excluded); with 0, `day` if worked, else
    the next working day."""
    if count <= 0:
        return next_working_day(day)
    while count:
        day += DAY
        count -= is_working_day(day)
    return day


def end_of_day(day: date) -> datetime:
    """The last instant of `day` in Paris: what due_at stores."""
    return timezone.make_aware(datetime.combine(day, LAST_INSTANT))


def add_working_days(start: datetime, days: int) -> datetime:
    """The due instant of a delay of `days` working days from `start`: the end of the
    `days`th working day after start's day (Paris)."""
    return end_of_day(working_day_after(timezone.localdate(start), days))


def working_days_between(start: date, end: date) -> int:
    """Working days after `start`, up to and including `end` (0 when end <= start): a
    statement made the next working day after delivery is 1 working day after it."""
    count, day = 0, start + DAY
    while day <= end:
        count += is_working_day(day)
        day += DAY
    return count


def due_day(due_at: datetime | None) -> date | None:
    """The last working day of the delay: the Paris date of the due instant. A value stored
    at midnight (before the end-of-day convention) belongs to the day that ends there."""
    if due_at is None:
        return None
    return timezone.localdate(due_at - timedelta(microseconds=1))


def resume_due_at(due_at: datetime, paused_at: datetime, resumed_at: datetime) -> datetime:
    """The due instant after a pause from `paused_at` to `resumed_at` (see the docstring)."""
    lost = working_days_between(timezone.localdate(paused_at), timezone.localdate(resumed_at))
    return end_of_day(working_day_after(due_day(due_at), lost))


def paused_working_days(paused_at: datetime, resumed_at: datetime) -> int:
    return working_days_between(timezone.localdate(paused_at), timezone.localdate(resumed_at))


def working_days_late(due_at: datetime | None, now: datetime | None = None) -> int:
    """Working days past the due day, up to and including today (0 when not overdue; at
    least 1 once the due day is over, even on the weekend that follows it)."""
    now = now or timezone.now()
    if due_at is None or now <= due_at:
        return 0
    return max(1, working_days_between(due_day(due_at), timezone.localdate(now)))


# --- how a due date is written --------------------------------------------------------------

_WEEKDAYS = (N_("lundi"), N_("mardi"), N_("mercredi"), N_("jeudi"), N_("vendredi"),
             N_("samedi"), N_("dimanche"))


def _weekday(day: date) -> str:
    return _(_WEEKDAYS[day.weekday()])


def due_label(due_at: datetime | None) -> str:
    """« mardi 8 décembre 2026, fin de journée » (« 1er » for the first of a month); « — »
    without a due date."""
    day = due_day(due_at)
    if day is None:
        return "—"
    return _("%(weekday)s %(date)s, fin de journée") % {
        "weekday": _weekday(day), "date": long_date(day)}


def due_short(due_at: datetime | None) -> str:
    """« mar. 08/12/2026 » for lists; « — » without a due date."""
    day = due_day(due_at)
    if day is None:
        return "—"
    return f"{_weekday(day)[:3]}. {day:%d/%m/%Y}"
