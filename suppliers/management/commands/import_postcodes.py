from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sirene.management.commands.import_sirene import Command as SireneCommand
from suppliers.postcodes import PostcodeFormatError, import_postcodes


class Command(BaseCommand):
    help = ("Charge la base officielle des codes postaux de La Poste (CSV séparé par des "
            "points-virgules) : elle sert à vérifier que le code postal d'un tiers dessert sa "
            "commune. Relancer avec le même fichier ne change rien.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="fichier CSV de La Poste")
        parser.add_argument("--no-progress", action="store_true",
                            help="sans barre de progression")

    def handle(self, *args, file: Path, no_progress: bool, **options):
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        progress = None if no_progress else self._progress
        try:
            report = import_postcodes(file, progress=progress)
        except PostcodeFormatError as exc:
            raise CommandError(str(exc)) from exc
        if progress:
            self.stderr.write("")
        self.stdout.write(f"{report.rows} lignes lues, {report.created} codes postaux ajoutés, "
                          f"{report.skipped} lignes ignorées, en {report.seconds:.1f} s.")

    _progress = SireneCommand._progress
