"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the tiers history."""

from django.db import migrations

from cases.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0001_initial")]

    operations = [append_only_trigger("suppliers_tierschange")]
