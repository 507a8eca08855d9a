"""Due dates stored as the end of the delay's last working day (cases/sla.py).

Before, a delay was counted in clock time from the submission instant: a case submitted on
Monday at 15:00 was due on Wednesday at 15:00, and one submitted on a Saturday was due at
midnight starting Wednesday, which the pages showed as Wednesday, a day late. Each stored
due instant becomes the last instant (23:59:59.999999, Paris) of the day it ends: its own
day, or the day before when it is exactly midnight; a day that is not worked (data written
by hand) moves to the next working day, as a delay ending on a non-working day does.

The rules are copied here, not imported, so that this migration keeps meaning what it did.
"""

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.db import migrations

PARIS = ZoneInfo("Europe/Paris")
BATCH = 2000


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset:
    return frozenset(holidays.country_holidays("FR", years=year).keys())


def _end_of_working_day(due_at: datetime) -> datetime:
    day = (due_at - timedelta(microseconds=1)).astimezone(PARIS).date()
    while day.weekday() >= 5 or day in _holidays(day.year):
        day += timedelta(days=1)
    return datetime.combine(day, time.max, tzinfo=PARIS)


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    last = 0
    while True:
        # Batches by primary key, no cursor left open while rows are updated (SQLite does
        # not promise what a running SELECT sees of its own connection's updates).
        batch = list(Case.objects.filter(pk__gt=last, due_at__isnull=False).order_by("pk")
                     .values_list("pk", "due_at")[:BATCH])
        if not batch:
            return
        last = batch[-1][0]
        changed = [Case(pk=pk, due_at=target) for pk, due_at in batch
                   if (target := _end_of_working_day(due_at)) != due_at]
        Case.objects.bulk_update(changed, ["due_at"])


class Migration(migrations.Migration):

    dependencies = [("cases", "0014_question_index_covers_case")]

    # A due date already at the end of a working day is left alone: nothing to undo.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
