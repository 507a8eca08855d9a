"""Exports of the queue and of "Mes demandes": the filtered list, French formats, masked bank
details, nothing of another service."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.identifiers import mask
from cases.workflow import State

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


@pytest.fixture
def cases(make_purchase_request, sp_agent, csp_agent, ordonnateur, foreign_sp_agent):
    return {
        "a": make_purchase_request(sp_agent, amount="1234.50", state=State.SUBMITTED),
        "b": make_purchase_request(sp_agent, amount="300.00", state=State.IN_PROGRESS,
                                   agent=csp_agent),
        "foreign": make_purchase_request(foreign_sp_agent, state=State.SUBMITTED),
    }


def test_the_queue_exports_to_csv_as_filtered(client, csp_agent, cases):
    client.force_login(csp_agent)
    response = client.get(reverse("cases:queue_export", args=["csv"]), {"amount_min": "1000"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="corbeille-')
    rows = csv_rows(response)
    assert rows[0][:3] == ["Référence", "Type", "Objet"]
    assert [row[0] for row in rows[1:]] == [cases["a"].reference]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Montant TTC (€)"] == "1234,50"
    iban = cases["a"].purchase_request.tiers.iban
    assert row["IBAN (masqué)"] == mask(iban) and iban not in "".join(rows[1])
    assert row["Déposée le"][2] == "/"  # dd/mm/yyyy


def test_the_queue_exports_to_xlsx_with_typed_cells(client, csp_agent, cases):
    client.force_login(csp_agent)
    response = client.get(reverse("cases:queue_export", args=["xlsx"]), {"state": "all"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    references = {row[0] for row in values[1:]}
    assert references == {cases["a"].reference, cases["b"].reference}
    amounts = {row[0]: row[8] for row in values[1:]}
    assert Decimal(str(amounts[cases["a"].reference])) == Decimal("1234.50")


def test_exports_never_hold_another_services_cases(client, foreign_sp_agent, sp_agent, cases,
                                                   foreign_csp_agent):
    client.force_login(foreign_csp_agent)
    rows = csv_rows(client.get(reverse("cases:queue_export", args=["csv"]), {"state": "all"}))
    assert [row[0] for row in rows[1:]] == [cases["foreign"].reference]
    client.force_login(sp_agent)
    rows = csv_rows(client.get(reverse("cases:my_requests_export", args=["csv"])))
    assert {row[0] for row in rows[1:]} == {cases["a"].reference, cases["b"].reference}
    assert client.get(reverse("cases:queue_export", args=["csv"])).status_code == 404
    assert client.get(reverse("cases:my_requests_export", args=["pdf"])).status_code == 404


def test_invalid_filters_are_not_exported(client, csp_agent, cases):
    client.force_login(csp_agent)
    response = client.get(reverse("cases:queue_export", args=["csv"]),
                          {"amount_min": "5", "amount_max": "1"})
    assert response.status_code == 200  # the queue, with the filters' errors
    text = response.content.decode()
    assert "Corrigez les filtres avant d" in text and "Le maximum est inférieur" in text


def test_a_large_export_runs_as_a_task_with_progress_and_only_its_owner_gets_it(
        client, settings, csp_agent, csp_agent2, cases):
    from cases.export_services import export_job_run
    from cases.models import ExportJob

    settings.EXPORT_SYNC_MAX_ROWS = 1
    client.force_login(csp_agent)
    response = client.get(reverse("cases:queue_export", args=["xlsx"]), {"state": "all"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:export_job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Export en cours de préparation" in page
    export_job_run(job.pk)
    export_job_run(job.pk)  # a retried task changes nothing
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("done", 2, 2)
    status = client.get(reverse("cases:export_job_status", args=[job.pk])).json()
    assert status["finished"] is True
    download = client.get(reverse("cases:export_job_download", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]} == {
        cases["a"].reference, cases["b"].reference}
    client.force_login(csp_agent2)
    assert client.get(reverse("cases:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("cases:export_job_download", args=[job.pk])).status_code == 404
