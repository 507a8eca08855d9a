from common.importing import FileImportCommand
from kinds.tiers.sirene.importer import import_file


class Command(FileImportCommand):
    help = ("Charge un extrait du fichier StockEtablissement de l'INSEE (CSV) dans le répertoire "
            "Sirene du portail. Lecture en flux, mémoire constante ; relancer avec le même "
            "fichier ne change rien.")
    file_help = "fichier CSV StockEtablissement"

    def run_import(self, file, progress) -> str:
        report = import_file(file, progress=progress)
        return (f"{report.rows} lignes lues, {report.written} établissements écrits "
                f"({report.created} nouveaux), {report.skipped} lignes ignorées (SIRET ou état "
                f"invalide) en {report.seconds:.1f} s ({report.rows_per_second:.0f} lignes/s).")
