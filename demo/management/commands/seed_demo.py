"""`manage.py seed_demo`: load the demonstration data (idempotent); see demo.demo_data."""

from django.core.management.base import BaseCommand

from demo import demo_data
from demo.anomalies import seed_past_anomalies


class Command(BaseCommand):
    help = ("Charge les données de démonstration : centres, services, comptes, référentiels "
            "budgétaires, annuaire des tiers et demandes d'achat. Sans effet si elles sont "
            "déjà chargées (les comptes et mots de passe sont seulement rétablis).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--list-logins", action="store_true",
            help="Affiche seulement les comptes de démonstration, sans rien charger.")

    def handle(self, *args, list_logins=False, **options):
        if list_logins:
            self.stdout.write(demo_data.logins_table())
            return
        report = demo_data.seed()
        for line in report.lines():
            self.stdout.write(line)
        past = seed_past_anomalies()
        self.stdout.write("  Anomalies des douze derniers mois : "
                          + (f"{past} demandes créées" if past else "déjà chargées"))
