"""La Poste's postcode referential: both published layouts, idempotent re-import, a clear
refusal of another file."""

import pytest
from django.core.management import CommandError, call_command

from kinds.tiers.models import PostalCode

pytestmark = pytest.mark.django_db

NEW_LAYOUT = ("code_commune_insee;nom_de_la_commune;code_postal;libelle_d_acheminement;ligne_5\n"
              "57463;METZ;57000;METZ;\n"
              "44162;ST HERBLAIN;44800;ST HERBLAIN;\n"
              "99999;NULLE PART;ABCDE;X;\n")
OLD_LAYOUT = ("#Code_commune_INSEE;Nom_commune;Code_postal;Ligne_5;Libellé_d_acheminement\n"
              "57463;METZ;57000;;METZ\n"
              "54395;NANCY;54000;;NANCY\n")


def test_both_layouts_load_and_a_reimport_changes_nothing(tmp_path, capsys):
    new, old = tmp_path / "new.csv", tmp_path / "old.csv"
    new.write_text(NEW_LAYOUT, encoding="utf-8")
    old.write_text(OLD_LAYOUT, encoding="utf-8-sig")
    call_command("import_postcodes", str(new), "--no-progress")
    assert "1 lignes ignorées" in capsys.readouterr().out
    call_command("import_postcodes", str(old), "--no-progress")
    assert sorted(PostalCode.objects.values_list("postcode", "commune")) == [
        ("44800", "ST HERBLAIN"), ("54000", "NANCY"), ("57000", "METZ")]
    call_command("import_postcodes", str(new), "--no-progress")
    assert "0 codes postaux ajoutés" in capsys.readouterr().out
    assert PostalCode.objects.count() == 3


def test_another_file_is_refused_with_a_french_message(tmp_path):
    other = tmp_path / "sirene.csv"
    other.write_text("siret,etatAdministratifEtablissement\n12345678901234,A\n")
    with pytest.raises(CommandError, match="base officielle des codes postaux"):
        call_command("import_postcodes", str(other), "--no-progress")
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_postcodes", str(tmp_path / "absent.csv"))
