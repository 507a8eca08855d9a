"""`manage.py build_daily_figures [--since DATE]`: aggregate the restitutions' days up to
yesterday (dashboards.daily). Resumable (a month per transaction) and idempotent."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboards.daily import build_daily_figures


class Command(BaseCommand):
    help = ("Agrège les chiffres quotidiens des restitutions jusqu'à hier : depuis le "
            "lendemain du dernier jour agrégé, ou depuis --since (ces jours sont alors "
            "recalculés).")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Premier jour à (re)calculer, AAAA-MM-JJ.")

    def handle(self, *args, since=None, **options):
        try:
            first = date.fromisoformat(since) if since else None
        except ValueError as error:
            raise CommandError("--since : une date AAAA-MM-JJ est attendue.") from error
        started = time.monotonic()

        def report(span):
            self.stdout.write(f"  {span[0].isoformat()} → {span[1].isoformat()}")

        spans = build_daily_figures(since=first, report=report if options["verbosity"] > 1
                                    else None)
        days = sum((last - first).days + 1 for first, last in spans)
        self.stdout.write(f"{days} jour(s) agrégé(s) en {time.monotonic() - started:.1f} s.")
