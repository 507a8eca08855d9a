from common.importing import FileImportCommand
from kinds.tiers.postcodes import import_postcodes


class Command(FileImportCommand):
    help = ("Charge la base officielle des codes postaux de La Poste (CSV séparé par des "
            "points-virgules) : elle sert à vérifier que le code postal d'un tiers dessert sa "
            "commune. Relancer avec le même fichier ne change rien.")
    file_help = "fichier CSV de La Poste"

    def run_import(self, file, progress) -> str:
        report = import_postcodes(file, progress=progress)
        return (f"{report.rows} lignes lues, {report.created} codes postaux ajoutés, "
                f"{report.skipped} lignes ignorées, en {report.seconds:.1f} s.")
