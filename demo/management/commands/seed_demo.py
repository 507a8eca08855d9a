"""`manage.py seed_demo`: load the demonstration data (idempotent); see demo.demo_data."""

from django.core.management.base import BaseCommand

from dashboards.daily import build_daily_figures
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
        # The restitutions' figures of the days past (the nightly task's work): the demo's
        # history is written at once, dated in the past.
        days = sum((last - first).days + 1 for first, last in build_daily_figures())
        self.stdout.write(f"  Restitutions : {days} jour(s) agrégé(s)")
