"""Every night, django-q2 removes the files a rolled-back transaction left behind."""

from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

FUNC = "documents.tasks.remove_orphan_files"


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    if Schedule.objects.filter(func=FUNC).exists():
        return
    tomorrow = timezone.localdate() + timedelta(days=1)
    Schedule.objects.create(
        name="Fichiers orphelins", func=FUNC, schedule_type="D", repeats=-1,
        next_run=timezone.make_aware(datetime.combine(tomorrow, time(3, 0))))


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_attachment_message"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
