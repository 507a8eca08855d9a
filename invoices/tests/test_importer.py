"""The import of a Chorus Pro extract: French formats, bad lines reported with their number
and reason and not stored, duplicates, unknown EJs, idempotence, status updates."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from invoices.importer import import_stream
from invoices.models import Invoice, InvoiceStatus

from .conftest import SIRET, certify, extract, row

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 30)


def run(*rows, **kwargs):
    today = kwargs.pop("today", TODAY)
    return import_stream(extract(*rows, **kwargs), today=today)


def test_a_line_as_chorus_pro_writes_it_is_imported_and_matched(order):
    report = run(row(order.ej_number))
    assert (report.rows, report.created, report.error_count) == (1, 1, 0)
    invoice = Invoice.objects.get()
    assert invoice.number == "F-0001" and invoice.supplier_siret == SIRET
    assert (invoice.amount_ht, invoice.amount_ttc) == (Decimal("1000.00"), Decimal("1200.00"))
    assert invoice.received_on == date(2025, 3, 15)
    assert invoice.status == InvoiceStatus.MISE_A_DISPOSITION
    assert invoice.case_id == order.case_id
    assert invoice.requesting_service == order.case.requesting_service
    assert invoice.processing_centre == order.case.processing_centre
    assert invoice.payment_delay_days == 30  # no convention: the setting
    assert invoice.covered_on is None and invoice.waiting


@pytest.mark.parametrize(("ht", "ttc"), [("1000", "1200"), ("1 000,00", "1 200,00"),
                                         ("1.000,00", "1.200,00"), ("1,000.00", "1,200.00"),
                                         ("1000.00 €", "1200,00 €"), ("1\u202f000,00", "1200")])
def test_amounts_in_french_and_english_writing(order, ht, ttc):
    run(row(order.ej_number, ht=ht, ttc=ttc))
    invoice = Invoice.objects.get()
    assert (invoice.amount_ht, invoice.amount_ttc) == (Decimal("1000"), Decimal("1200"))


def test_comma_separated_and_windows_1252_files_are_read(order):
    report = run(row(order.ej_number, ht="1000.00", ttc="1200.00", status="Rejetée"),
                 sep=",", encoding="cp1252")
    assert report.created == 1 and report.error_count == 0
    assert Invoice.objects.get().status == InvoiceStatus.REJETEE


@pytest.mark.parametrize(("changes", "reason"), [
    ({"ht": "douze"}, "Montant HT illisible"),
    ({"ttc": "1200,005"}, "Montant TTC illisible"),
    ({"ttc": "-1200,00"}, "Montant TTC négatif"),
    ({"ht": "1300,00"}, "inférieur au montant HT"),
    ({"received": "31/02/2025"}, "Date de réception illisible"),
    ({"received": "01/07/2025"}, "Date de réception dans le futur"),
    ({"siret": "12345678901234"}, "SIRET du fournisseur invalide"),
    ({"siret": "1234"}, "SIRET du fournisseur invalide"),
    ({"status": "PAYEE PEUT-ETRE"}, "Statut Chorus Pro inconnu"),
    ({"number": ""}, "Numéro de facture manquant"),
])
def test_a_malformed_line_is_reported_with_its_number_and_reason_and_not_stored(
        order, changes, reason):
    report = run(row(order.ej_number, number="F-OK"),
                 row(order.ej_number, **{"number": "F-BAD", **changes}))
    assert report.created == 1 and report.error_count == 1
    line, message = report.errors[0]
    assert line == 3 and reason in message
    assert list(Invoice.objects.values_list("number", flat=True)) == ["F-OK"]


def test_a_malformed_ej_number_is_reported(order):
    report = run(row("12345"))
    assert report.errors == [(2, "Numéro d'EJ invalide (« 12345 ») : 10 chiffres attendus.")]


def test_an_unknown_ej_is_reported_and_not_stored(order):
    report = run(row("9999999999"), row(order.ej_number, number="F-0002"))
    assert report.errors == [(2, "EJ 9999999999 inconnu du portail : facture non importée.")]
    assert list(Invoice.objects.values_list("number", flat=True)) == ["F-0002"]


def test_a_line_repeated_in_the_file_is_reported_as_a_duplicate(order):
    report = run(row(order.ej_number), row(order.ej_number, number="F-0002"),
                 row(order.ej_number, status="Mandatée"))
    assert report.created == 2
    assert report.errors == [(4, "Facture F-0001 déjà présente ligne 2 : ligne en double "
                                 "ignorée.")]


def test_the_same_number_from_two_suppliers_is_two_invoices(order):
    from tests.factories import valid_siret

    report = run(row(order.ej_number), row(order.ej_number, siret=valid_siret(77)))
    assert report.created == 2 and report.error_count == 0


def test_reimporting_the_same_file_changes_nothing(order):
    rows = [row(order.ej_number), row(order.ej_number, number="F-0002", ttc="1,00", ht="1,00")]
    run(*rows)
    before = list(Invoice.objects.order_by("pk").values())
    report = run(*rows)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert list(Invoice.objects.order_by("pk").values()) == before


def test_a_new_status_updates_the_invoice(order):
    run(row(order.ej_number))
    report = run(row(order.ej_number, status="MISE_EN_PAIEMENT"))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    assert Invoice.objects.get().status == InvoiceStatus.MISE_EN_PAIEMENT


def test_an_import_covers_invoices_whose_service_done_is_already_certified(order):
    certify(order, "1200.00", date(2025, 3, 20))
    run(row(order.ej_number))
    assert Invoice.objects.get().covered_on == date(2025, 3, 20)


def test_for_a_centre_another_centres_order_is_reported(order, foreign_order, csp):
    report = import_stream(extract(row(order.ej_number), row(foreign_order.ej_number, "F-2")),
                           centre=csp, today=TODAY)
    assert report.created == 1
    assert report.errors == [(3, f"L'EJ {foreign_order.ej_number} relève d'un autre centre : "
                                 "facture non importée.")]


@pytest.mark.parametrize("content", [b"", b"a;b;c\r\n1;2;3\r\n",
                                     "Numéro de facture;Statut\r\n".encode()])
def test_a_file_that_is_no_extract_is_refused_as_a_whole(db, content):
    import io

    with pytest.raises(ValueError):
        import_stream(io.BytesIO(content), today=TODAY)
    assert not Invoice.objects.exists()


def test_the_progress_reaches_the_total(order):
    seen = []
    import_stream(extract(*[row(order.ej_number, number=f"F-{n}") for n in range(3)]),
                  today=TODAY, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)


def test_the_command_imports_lists_errors_and_refuses_an_unknown_centre(order, tmp_path,
                                                                        capsys):
    path = tmp_path / "extrait.csv"
    path.write_bytes(extract(row(order.ej_number), row("9999999999", "F-2")).getvalue())
    call_command("import_invoices", str(path), "--no-progress", "--centre",
                 order.case.processing_centre.code)
    out = capsys.readouterr().out
    assert "ligne 3 : EJ 9999999999 inconnu du portail" in out
    assert "1 facture(s) nouvelle(s)" in out
    assert Invoice.objects.count() == 1
    with pytest.raises(CommandError, match="Centre inconnu"):
        call_command("import_invoices", str(path), "--centre", "NOPE")
