"""`manage.py import_sirene`: a StockEtablissement extract, streamed, idempotent, checked."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kinds.tiers.sirene.importer import BATCH
from kinds.tiers.sirene.models import Establishment
from kinds.tiers.sirene.selectors import sirene_check
from tests.factories import valid_siret

HEADER = ["siren", "nic", "siret", "statutDiffusionEtablissement", "numeroVoieEtablissement",
          "indiceRepetitionEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
          "codePostalEtablissement", "libelleCommuneEtablissement",
          "etatAdministratifEtablissement", "denominationUsuelleEtablissement",
          "enseigne1Etablissement", "dateDernierTraitementEtablissement"]
LA_POSTE = "35600000000048"  # La Poste: SIRETs outside the Luhn rule, the register is right


def row(siret, name="Papeterie de l'Est", state="A", street="RUE DE LA PAIX", number="12",
        postcode="54000", city="NANCY", enseigne=""):
    return {"siren": siret[:9], "nic": siret[9:], "siret": siret, "statutDiffusionEtablissement":
            "O", "numeroVoieEtablissement": number, "indiceRepetitionEtablissement": "",
            "typeVoieEtablissement": "", "libelleVoieEtablissement": street,
            "codePostalEtablissement": postcode, "libelleCommuneEtablissement": city,
            "etatAdministratifEtablissement": state, "denominationUsuelleEtablissement": name,
            "enseigne1Etablissement": enseigne,
            "dateDernierTraitementEtablissement": "2026-10-01T12:00:00"}


@pytest.fixture
def extract(tmp_path):
    def write(rows, name="StockEtablissement.csv", header=HEADER):
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return path

    return write


def run(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_sirene", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def snapshot():
    return sorted(Establishment.objects.values_list(
        "siret", "siren", "name", "address", "postcode", "city", "state", "last_processed"))


def test_import_loads_the_register_and_flags_closed_or_absent_sirets(db, extract):
    active, closed = valid_siret(1), valid_siret(2)
    path = extract([row(active), row(closed, name="Ancienne scierie", state="F"),
                    row(LA_POSTE, name="", enseigne="LA POSTE", city="PARIS 15")])

    out, err = run(path)

    assert "3 lignes lues" in out and "3 nouveaux" in out
    assert "100.0 %" in err  # the progress bar reached the end
    check = sirene_check(active)
    assert check.found and not check.closed and not check.flagged
    assert check.name == "Papeterie de l'Est" and check.address == "12 RUE DE LA PAIX 54000 NANCY"
    assert sirene_check(closed).closed and sirene_check(closed).flagged
    assert sirene_check(LA_POSTE).name == "LA POSTE"  # the first non-empty name column
    absent = sirene_check(valid_siret(3))
    assert not absent.found and absent.flagged


def test_a_second_import_of_the_same_file_changes_nothing(db, extract):
    path = extract([row(valid_siret(n)) for n in range(1, 30)])
    run(path, "--no-progress")
    first = snapshot()

    out, _err = run(path, "--no-progress")

    assert snapshot() == first
    assert "0 nouveaux" in out


def test_a_newer_extract_updates_what_changed(db, extract):
    siret = valid_siret(7)
    run(extract([row(siret)], name="v1.csv"), "--no-progress")
    run(extract([row(siret, state="F", city="METZ", postcode="57000")], name="v2.csv"),
        "--no-progress")
    establishment = Establishment.objects.get()
    assert (establishment.state, establishment.city) == ("F", "METZ")


def test_bad_lines_are_skipped_and_counted(db, extract):
    path = extract([row(valid_siret(1)), row("1234"), row(valid_siret(2), state="X"),
                    row("ABCDEFGHIJKLMN"), row(valid_siret(3))])
    out, _err = run(path, "--no-progress")
    assert Establishment.objects.count() == 2
    assert "5 lignes lues" in out and "3 lignes ignorées" in out


def test_a_file_that_is_not_an_extract_is_refused_in_french(db, extract, tmp_path):
    path = extract([{"siret": valid_siret(1)}], header=["siret", "nom"])
    with pytest.raises(CommandError, match="colonne\\(s\\) manquante\\(s\\) "
                                           "etatAdministratifEtablissement"):
        run(path)
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.csv")
    assert not Establishment.objects.exists()


def test_large_files_are_written_by_batches(db, extract):
    count = BATCH + 7
    path = extract([row(valid_siret(n)) for n in range(1, count + 1)])
    out, err = run(path)
    assert Establishment.objects.count() == count
    assert err.count("\r") >= 2  # one progress line per batch, then the end
    assert f"{count} établissements écrits" in out
