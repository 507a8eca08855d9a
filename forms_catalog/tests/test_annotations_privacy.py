"""Private annotations never reach the requester: every output the requesting service can
read — the case page, every PDF it can download, the REST API's detail and list, the « Mes
demandes » exports (CSV, XLSX, streamed and as a background task) — is read whole and must
not hold a distinctive annotation value; the centre finds it on its case page, its API detail
and its queue exports. Each SP-side reading has a positive control (the case's own answer or
reference is found there), so that an empty or unreadable output cannot pass."""

import csv
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases import services as case_services
from cases.export_services import export_job_create, export_job_run
from cases.models import ExportJob
from cases.workflow import Action, State
from documents.models import IssuedDocument
from documents.tests.test_order_forms import page_texts
from forms_catalog.annotations.services import case_annotations_save
from forms_catalog.tests import test_annotations as _annotations
from forms_catalog.tests.test_annotations import MISSING, SECRET, TICKET, WHICH, submitted_case

annotated_form = _annotations.annotated_form
editorial = _annotations.editorial
publish_form = _annotations.publish_form
values = _annotations.values

pytestmark = pytest.mark.django_db

ANSWER = "Camille Martin-Annotee"  # the requester's own answer: the positive control
HEADER = "Annotations privées"


@pytest.fixture(params=[State.IN_PROGRESS, State.COMPLETED])
def annotated_case(request, annotated_form, sp, sp_agent, csp_agent):
    case = submitted_case(annotated_form, sp_agent, sp, claim_by=csp_agent, answer=ANSWER)
    case_annotations_save(case=case, actor=csp_agent, expected_version=0, values=values(
        annotated_form, **{TICKET: SECRET, MISSING: "oui", WHICH: f"RIB {SECRET}"}))
    if request.param == State.COMPLETED:
        case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                        comment="Accès ouvert")
    return case


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(page_texts(_body(response)))


def _xlsx_text(data: bytes) -> str:
    sheet = load_workbook(io.BytesIO(data)).active
    return "\n".join(" | ".join("" if v is None else str(v) for v in row)
                     for row in sheet.iter_rows(values_only=True))


def _csv_rows(data: bytes) -> list[dict]:
    text = data.decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _job_file(owner, scope: str, fmt: str, query: str) -> bytes:
    job = export_job_create(owner=owner, scope=scope, fmt=fmt, query=query)
    export_job_run(job.pk)
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == ExportJob.Status.DONE
    with job.file.open("rb") as handle:
        return handle.read()


def requester_outputs(client, api, case, user) -> dict[str, str]:
    """Everything the requester can read about the case, as text, with what must be in it."""
    outputs = {}
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200
    outputs["page"] = (page.content.decode(), ANSWER)
    summary = client.get(reverse("documents:case_summary", args=[case.pk]))
    outputs["summary.pdf"] = (_pdf_text(summary), ANSWER)
    for document in IssuedDocument.objects.filter(case=case):
        response = client.get(document.get_absolute_url())
        outputs[f"document-{document.pk}.pdf"] = (_pdf_text(response), "")
    for attachment in case.attachments.all():
        response = client.get(attachment.get_absolute_url())
        outputs[f"attachment-{attachment.pk}"] = (_body(response).decode("latin-1"), "")
    detail = api.get(f"/api/cases/{case.pk}/")
    assert detail.status_code == 200
    assert "annotations" not in detail.json()
    outputs["api detail"] = (detail.content.decode(), case.reference)
    listing = api.get("/api/cases/", {"state": "all"})
    assert listing.status_code == 200
    outputs["api list"] = (listing.content.decode(), case.reference)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("cases:my_requests_export", args=[fmt]))
        assert response.status_code == 200
        data = _body(response)
        text = data.decode("utf-8") if fmt == "csv" else _xlsx_text(data)
        outputs[f"mes demandes.{fmt}"] = (text, case.reference)
        job = _job_file(user, "my_requests", fmt, "")
        text = job.decode("utf-8") if fmt == "csv" else _xlsx_text(job)
        outputs[f"mes demandes (tâche).{fmt}"] = (text, case.reference)
    return outputs


@pytest.mark.parametrize("who", ["sp_agent", "ordonnateur"])
def test_no_output_of_the_requesting_service_holds_the_annotations(request, client,
                                                                   annotated_case, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    outputs = requester_outputs(client, api, annotated_case, user)
    assert {"page", "summary.pdf", "api detail", "api list", "mes demandes.csv",
            "mes demandes.xlsx"} <= set(outputs)
    for name, (text, control) in outputs.items():
        assert control in text, f"{name}: the positive control is missing"
        assert SECRET not in text, f"{name} shows a private annotation"
        assert TICKET not in text and HEADER not in text, f"{name} names the annotations"


def test_the_centre_reads_them_on_its_page_api_and_queue_exports(client, annotated_case,
                                                                 csp_agent):
    client.force_login(csp_agent)
    assert SECRET in client.get(annotated_case.get_absolute_url()).content.decode()

    api = APIClient()
    api.force_authenticate(csp_agent)
    annotations = api.get(f"/api/cases/{annotated_case.pk}/").json()["annotations"]
    assert annotations["version"] == 1 and annotations["updated_by"] == csp_agent.username
    assert annotations["editable"] is (annotated_case.state == State.IN_PROGRESS)
    assert {f["label"]: f["value"] for f in annotations["fields"]}[TICKET] == SECRET
    # The list stays the same for everybody (the detail only).
    assert SECRET not in json.dumps(api.get("/api/cases/", {"state": "all"}).json())

    expected = f"{TICKET} : {SECRET}"
    csv_data = _body(client.get(reverse("cases:queue_export", args=["csv"]),
                                {"state": "all"}))
    row = {r["Référence"]: r for r in _csv_rows(csv_data)}[annotated_case.reference]
    assert row[HEADER].startswith(expected) and f"{WHICH} : RIB {SECRET}" in row[HEADER]
    xlsx = load_workbook(io.BytesIO(_body(client.get(
        reverse("cases:queue_export", args=["xlsx"]), {"state": "all"})))).active
    rows = list(xlsx.iter_rows(values_only=True))
    assert rows[0][-1] == HEADER and rows[1][-1].startswith(expected)
    for fmt in ("csv", "xlsx"):
        data = _job_file(csp_agent, "queue", fmt, "state=all")
        assert expected in (data.decode("utf-8") if fmt == "csv" else _xlsx_text(data))


def test_another_centre_sees_neither_the_case_nor_its_annotations(client, annotated_case,
                                                                  foreign_csp_agent):
    client.force_login(foreign_csp_agent)
    assert client.get(annotated_case.get_absolute_url()).status_code == 404
    api = APIClient()
    api.force_authenticate(foreign_csp_agent)
    assert api.get(f"/api/cases/{annotated_case.pk}/").status_code == 404
    data = _body(client.get(reverse("cases:queue_export", args=["csv"]), {"state": "all"}))
    assert SECRET not in data.decode("utf-8")


def test_a_case_without_annotations_shows_no_panel_to_the_centre(client, publish_form, sp,
                                                                  sp_agent, csp_agent):
    page = publish_form(_annotations.FORM_FIELDS, services=[sp])
    case = submitted_case(page, sp_agent, sp, claim_by=csp_agent)
    client.force_login(csp_agent)
    body = client.get(case.get_absolute_url()).content.decode()
    assert 'id="annotations"' not in body
    api = APIClient()
    api.force_authenticate(csp_agent)
    assert api.get(f"/api/cases/{case.pk}/").json()["annotations"]["fields"] == []


def test_a_hostile_annotation_is_no_formula_in_the_centre_exports(client, publish_form, sp,
                                                                   sp_agent, csp_agent):
    from documents.spreadsheets import starts_formula
    from forms_catalog.tests.test_schema import inp

    hostile = '=HYPERLINK("http://exemple.invalid","x")'
    page = publish_form(_annotations.FORM_FIELDS, services=[sp],
                        annotations=[inp("text", "=1+1 note")])
    case = submitted_case(page, sp_agent, sp, claim_by=csp_agent)
    case_annotations_save(case=case, actor=csp_agent, expected_version=0,
                          values=values(page, **{"=1+1 note": hostile}))
    client.force_login(csp_agent)
    row = _csv_rows(_body(client.get(reverse("cases:queue_export", args=["csv"]),
                                     {"state": "all"})))[0]
    assert hostile in row[HEADER] and not starts_formula(row[HEADER])
    sheet = load_workbook(io.BytesIO(_body(client.get(
        reverse("cases:queue_export", args=["xlsx"]), {"state": "all"})))).active
    cell = list(sheet.iter_rows())[1][-1]
    assert cell.data_type == "s" and hostile in cell.value
