"""Every night, django-q2 aggregates the restitutions' figures of the day that ended."""

from datetime import time

from django.db import migrations

from common.schedules import daily_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    # After midnight's last transactions, before the morning's reminders (7:00).
    operations = [daily_schedule(name="Chiffres quotidiens des restitutions",
                                 func="dashboards.tasks.build_daily_figures", at=time(1, 30))]
