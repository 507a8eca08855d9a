"""The morning reminders of the experts, scheduled in django-q2."""

from datetime import time

from django.db import migrations

from common.schedules import daily_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("opinions", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [daily_schedule(name="Rappels des avis d'experts",
                                 func="opinions.tasks.opinion_reminders", at=time(7, 15))]
