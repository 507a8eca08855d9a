from django.core.management.base import CommandError

from common.importing import FileImportCommand
from invoices.importer import import_file
from portal.models import Service


class Command(FileImportCommand):
    help = ("Importe un extrait de factures Chorus Pro (CSV : numéro de facture, SIRET "
            "fournisseur, numéro EJ, montant HT, montant TTC, date de réception, statut). "
            "Lecture en flux ; relancer avec le même fichier ne change rien. Les lignes en "
            "erreur sont listées avec leur numéro et le motif.")
    file_help = "fichier CSV extrait de Chorus Pro"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--centre", metavar="CODE",
                            help="n'importer que les factures des commandes de ce centre")

    def handle(self, *args, centre=None, **options):
        self.centre = None
        if centre:
            self.centre = Service.objects.filter(code=centre.upper(),
                                                 kind=Service.Kind.SHARED_CENTRE).first()
            if self.centre is None:
                raise CommandError(f"Centre inconnu : {centre}")
        super().handle(*args, **options)

    def run_import(self, file, progress) -> str:
        report = import_file(file, centre=self.centre, progress=progress)
        lines = [f"ligne {line} : {message}" for line, message in report.errors]
        if report.error_count > len(report.errors):
            lines.append(f"… et {report.error_count - len(report.errors)} autre(s) erreur(s)")
        return "\n".join([*lines, report.summary()])
