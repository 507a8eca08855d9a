"""Invoice pages: an SP sees its own services' invoices only, a centre its centre's (any
other is a 404), hostile query strings, the export's cells, the upload and its progress,
the SP home's block."""

import html
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_q.conf import Conf

from invoices.importer import import_stream
from invoices.models import Invoice, InvoiceImport

from .conftest import extract, row

pytestmark = pytest.mark.django_db
LIST = reverse("invoices:list")


def text(response) -> str:
    return html.unescape(response.content.decode())


def body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.fixture
def invoice(order):
    import_stream(extract(row(order.ej_number, received="01/03/2025")))
    return Invoice.objects.get()


@pytest.fixture
def foreign_invoice(foreign_order):
    import_stream(extract(row(foreign_order.ej_number, "F-ETR", received="02/03/2025")))
    return Invoice.objects.get(number="F-ETR")


def test_the_sp_sees_its_invoices_and_not_another_services(client, sp_agent, invoice,
                                                           foreign_invoice):
    client.force_login(sp_agent)
    page = text(client.get(LIST))
    assert invoice.number in page and foreign_invoice.number not in page
    detail = client.get(reverse("invoices:detail", args=[invoice.pk]))
    assert detail.status_code == 200
    assert f"{reverse('service_done:new')}?da={invoice.case_id}" in text(detail)
    assert client.get(reverse("invoices:detail", args=[foreign_invoice.pk])).status_code == 404


def test_a_centre_agent_sees_its_centres_invoices_and_404_for_another_centre(
        client, csp_agent, foreign_csp_agent, invoice, foreign_invoice):
    client.force_login(csp_agent)
    assert client.get(reverse("invoices:detail", args=[invoice.pk])).status_code == 200
    assert client.get(reverse("invoices:detail", args=[foreign_invoice.pk])).status_code == 404
    client.force_login(foreign_csp_agent)
    assert client.get(reverse("invoices:detail", args=[invoice.pk])).status_code == 404
    page = text(client.get(LIST))
    assert foreign_invoice.number in page and invoice.number not in page


def test_someone_without_a_service_gets_404(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(LIST).status_code == 404


def test_the_filters_waiting_and_covered(client, csp_agent, invoice, order):
    from .conftest import certify

    client.force_login(csp_agent)
    assert invoice.number in text(client.get(LIST, {"state": "waiting"}))
    assert invoice.number not in text(client.get(LIST, {"state": "covered"}))
    certify(order, "1200.00", date(2025, 3, 5))
    assert invoice.number not in text(client.get(LIST, {"state": "waiting"}))
    assert invoice.number in text(client.get(LIST, {"state": "covered"}))
    service = order.case.requesting_service.code
    assert invoice.number in text(client.get(LIST, {"service": service}))


@pytest.mark.parametrize("query", [
    "state=<script>alert(1)</script>", "service=../../etc", "service=AUTRE&state=waiting",
    "page=-1", "page=99999999999999999999999", "page=abc", "state[]=x&state=waiting",
    "service=%00", "state=" + "w" * 5000,
])
def test_hostile_query_strings_never_fail(client, csp_agent, invoice, query):
    client.force_login(csp_agent)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code in (200, 400)
    assert "<script>alert(1)</script>" not in response.content.decode()
    export = client.get(f"{reverse('invoices:export')}?{query}")
    assert export.status_code in (200, 400)


def test_an_invalid_filter_says_so_next_to_the_field(client, csp_agent, invoice):
    client.force_login(csp_agent)
    page = text(client.get(LIST, {"state": "everything"}))
    assert "Sélectionnez un choix valide" in page
    assert invoice.number in page  # the whole scope is still listed


@pytest.mark.parametrize("huge", ["99999999999999999999", "9223372036854775808"])
def test_huge_ids_are_404(client, csp_agent, huge):
    client.force_login(csp_agent)
    assert client.get(f"/factures/{huge}/").status_code == 404
    assert client.get(f"/factures/import/{huge}/").status_code == 404


def test_the_export_neutralises_formulas(client, csp_agent, order):
    import_stream(extract(row(order.ej_number, '=HYPERLINK("http://x")')))
    client.force_login(csp_agent)
    content = body(client.get(reverse("invoices:export")))
    assert "'=HYPERLINK" in content
    assert "\n=HYPERLINK" not in content and ";=HYPERLINK" not in content
    assert content.splitlines()[0].startswith("Service;Facture;SIRET fournisseur")


def test_the_export_follows_the_scope(client, sp_agent, invoice, foreign_invoice):
    client.force_login(sp_agent)
    content = body(client.get(reverse("invoices:export")))
    assert invoice.number in content and foreign_invoice.number not in content


# --- upload ------------------------------------------------------------------------------


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="text/csv")


@pytest.fixture
def sync_tasks(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)


def test_a_centre_agent_uploads_an_extract_and_reads_the_report(
        client, csp_agent, order, sync_tasks, django_capture_on_commit_callbacks):
    client.force_login(csp_agent)
    content = extract(row(order.ej_number), row("9999999999", "F-2"), row("x", "F-3")).getvalue()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invoices:import"), {
            "centre": order.case.processing_centre.code, "file": upload("extrait.csv", content)})
    job = InvoiceImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoices:import_job", args=[job.pk])
    assert (job.status, job.created, job.error_count, job.total, job.done) == (
        "done", 1, 2, 3, 3)
    assert not job.file  # the extract is not kept
    page = text(client.get(response["Location"]))
    assert 'http-equiv="refresh"' not in page
    assert "EJ 9999999999 inconnu du portail" in page
    assert "Numéro d'EJ invalide" in page
    assert Invoice.objects.get().case_id == order.case_id


def test_the_progress_page_refreshes_itself_while_the_import_runs(client, csp_agent, csp):
    job = InvoiceImport.objects.create(centre=csp, uploaded_by=csp_agent,
                                       original_name="x.csv", total=1000, done=500)
    client.force_login(csp_agent)
    page = text(client.get(reverse("invoices:import_job", args=[job.pk])))
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "500 lignes sur 1000." in page


def test_the_upload_is_for_centre_agents_of_their_centre_only(
        client, sp_agent, foreign_csp_agent, csp_agent, csp, other_csp):
    client.force_login(sp_agent)
    assert client.get(reverse("invoices:import")).status_code == 404
    job = InvoiceImport.objects.create(centre=csp, uploaded_by=csp_agent, original_name="x.csv")
    client.force_login(foreign_csp_agent)
    assert client.get(reverse("invoices:import_job", args=[job.pk])).status_code == 404
    response = client.post(reverse("invoices:import"), {
        "centre": csp.code, "file": upload("x.csv", b"a;b\r\n")})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not InvoiceImport.objects.exclude(pk=job.pk).exists()


@pytest.mark.parametrize(("name", "content", "message"), [
    ("extrait.pdf", b"%PDF-1.4 x", "Déposez un fichier CSV"),
    ("extrait.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "ne correspond pas à son extension"),
    ("extrait.csv", b"\x00\x01\x02binary", "ne correspond pas à son extension"),
    ("extrait.csv", b"", "vide"),
])
def test_an_upload_that_is_no_csv_is_refused_next_to_the_field(client, csp_agent, csp, name,
                                                               content, message):
    client.force_login(csp_agent)
    response = client.post(reverse("invoices:import"),
                           {"centre": csp.code, "file": upload(name, content)})
    assert response.status_code == 200 and message in text(response)
    assert not InvoiceImport.objects.exists()


def test_an_upload_over_the_limit_is_refused(client, csp_agent, csp, settings):
    settings.INVOICE_IMPORT_MAX_BYTES = 100
    client.force_login(csp_agent)
    response = client.post(reverse("invoices:import"),
                           {"centre": csp.code, "file": upload("x.csv", b"a;b\r\n" * 30)})
    assert "taille maximale" in text(response)
    assert not InvoiceImport.objects.exists()


def test_a_file_that_is_no_extract_fails_with_its_reason(
        client, csp_agent, csp, sync_tasks, django_capture_on_commit_callbacks):
    client.force_login(csp_agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invoices:import"),
                    {"centre": csp.code, "file": upload("x.csv", b"a;b\r\n1;2\r\n")})
    job = InvoiceImport.objects.get()
    assert job.status == "failed" and "colonne(s) manquante(s)" in job.failure
    assert "colonne(s) manquante(s)" in text(client.get(
        reverse("invoices:import_job", args=[job.pk])))


# --- the SP's home -----------------------------------------------------------------------


def test_the_sp_home_lists_its_waiting_invoices_with_a_link_to_state_the_service(
        client, sp_agent, invoice, foreign_invoice):
    client.force_login(sp_agent)
    page = text(client.get("/"))
    assert "1 facture en attente de service fait" in page
    assert invoice.number in page and foreign_invoice.number not in page
    assert f"{reverse('service_done:new')}?da={invoice.case_id}" in page
    assert "jours d'attente" in page
