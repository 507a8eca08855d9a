from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sirene.importer import SireneFormatError, import_file


class Command(BaseCommand):
    help = ("Charge un extrait du fichier StockEtablissement de l'INSEE (CSV) dans le répertoire "
            "Sirene du portail. Lecture en flux, mémoire constante ; relancer avec le même "
            "fichier ne change rien.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="fichier CSV StockEtablissement")
        parser.add_argument("--no-progress", action="store_true",
                            help="sans barre de progression")

    def handle(self, *args, file: Path, no_progress: bool, **options):
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        progress = None if no_progress else self._progress
        try:
            report = import_file(file, progress=progress)
        except SireneFormatError as exc:
            raise CommandError(str(exc)) from exc
        if progress:
            self.stderr.write("")
        self.stdout.write(
            f"{report.rows} lignes lues, {report.written} établissements écrits "
            f"({report.created} nouveaux), {report.skipped} lignes ignorées (SIRET ou état "
            f"invalide) en {report.seconds:.1f} s ({report.rows_per_second:.0f} lignes/s).")

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = int(width * done / total) if total else width
        percent = 100 * done / total if total else 100
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {percent:5.1f} %",
                          ending="")
        self.stderr.flush()
