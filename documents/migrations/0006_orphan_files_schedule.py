"""Every night, django-q2 removes the files a rolled-back transaction left behind."""

from datetime import time

from django.db import migrations

from common.schedules import daily_schedule


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0005_attachment_message"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [daily_schedule(name="Fichiers orphelins",
                                 func="documents.tasks.remove_orphan_files", at=time(3, 0))]
