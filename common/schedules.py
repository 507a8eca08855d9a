"""A migration operation scheduling a daily django-q2 task (once, whatever the database)."""

from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone


def daily_schedule(*, name: str, func: str, at: time) -> migrations.RunPython:
    def schedule(apps, schema_editor):
        Schedule = apps.get_model("django_q", "Schedule")
        if Schedule.objects.filter(func=func).exists():
            return
        tomorrow = timezone.localdate() + timedelta(days=1)
        Schedule.objects.create(name=name, func=func, schedule_type="D", repeats=-1,
                                next_run=timezone.make_aware(datetime.combine(tomorrow, at)))

    def unschedule(apps, schema_editor):
        apps.get_model("django_q", "Schedule").objects.filter(func=func).delete()

    return migrations.RunPython(schedule, unschedule)
