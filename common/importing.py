"""What the import commands share: a file argument, a progress bar on stderr, a summary."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class FileImportCommand(BaseCommand):
    """Subclasses implement `run_import(file, progress)` returning the summary line, and
    raise ValueError (with a French message) for a file of the wrong format."""

    file_help = "fichier CSV"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help=self.file_help)
        parser.add_argument("--no-progress", action="store_true",
                            help="sans barre de progression")

    def handle(self, *args, file: Path, no_progress: bool, **options):
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        progress = None if no_progress else self._progress
        try:
            summary = self.run_import(file, progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if progress:
            self.stderr.write("")
        self.stdout.write(summary)

    def run_import(self, file: Path, progress) -> str:
        raise NotImplementedError

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = int(width * done / total) if total else width
        percent = 100 * done / total if total else 100
        self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {percent:5.1f} %",
                          ending="")
        self.stderr.flush()
