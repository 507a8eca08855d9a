"""Existing conventions get the default typology of anomalies (conventions/anomalies.py, as
it stood when this migration was written: a migration never changes with the code)."""

from django.db import migrations

DEFAULTS = [
    ("missing_document", "Pièce manquante", False),
    ("wrong_imputation", "Imputation erronée", False),
    ("wrong_supplier", "Fournisseur inconnu ou erroné", False),
    ("inconsistent_amount", "Montant incohérent", False),
    ("non_compliant_quote", "Devis non conforme", False),
    ("late", "Hors délai", False),
    ("duplicate", "Doublon", False),
    ("other", "Autre — précisez", True),
]


def seed(apps, schema_editor):
    ConventionPage = apps.get_model("conventions", "ConventionPage")
    AnomalyType = apps.get_model("conventions", "AnomalyType")
    for page in ConventionPage.objects.filter(anomaly_types__isnull=True):
        AnomalyType.objects.bulk_create(
            AnomalyType(page=page, sort_order=position, code=code, label=label,
                        needs_text=needs_text)
            for position, (code, label, needs_text) in enumerate(DEFAULTS))


class Migration(migrations.Migration):

    dependencies = [("conventions", "0006_anomaly_types")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
