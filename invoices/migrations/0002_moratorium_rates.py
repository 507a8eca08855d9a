"""The ECB main refinancing operations rates since September 2023 (each from the date it
applied), so that the moratorium interest can be estimated from the first day."""

from datetime import date
from decimal import Decimal

from django.db import migrations

RATES = [
    (date(2023, 9, 20), "4.50"),
    (date(2024, 6, 12), "4.25"),
    (date(2024, 9, 18), "3.65"),
    (date(2024, 10, 23), "3.40"),
    (date(2024, 12, 18), "3.15"),
    (date(2025, 2, 5), "2.90"),
    (date(2025, 3, 12), "2.65"),
    (date(2025, 4, 23), "2.40"),
    (date(2025, 6, 11), "2.15"),
]


def seed(apps, schema_editor):
    MoratoriumRate = apps.get_model("invoices", "MoratoriumRate")
    for valid_from, rate in RATES:
        MoratoriumRate.objects.get_or_create(valid_from=valid_from,
                                             defaults={"ecb_rate": Decimal(rate)})


def unseed(apps, schema_editor):
    MoratoriumRate = apps.get_model("invoices", "MoratoriumRate")
    MoratoriumRate.objects.filter(valid_from__in=[d for d, _rate in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("invoices", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
