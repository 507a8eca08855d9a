"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit trail."""

from django.db import migrations

from cases.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [append_only_trigger("cases_caseevent")]
