"""« Bilan annuel de la convention »: the figures on a known year, the same in the PDF and
the workbook, and who may generate it."""

import html
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.workflow import State
from dashboards.review.figures import annual_review
from portal.models import Role
from tests.factories import PrescribingServiceFactory, member

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
PAGE = reverse("dashboards:annual_review")


@pytest.fixture
def year_2026(make_purchase_request, sp_agent, csp_agent):
    """In 2026: one request received in March and completed the same day (on time), one
    received in April and rejected; one in 2025 (not counted)."""
    make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                          at=datetime(2026, 3, 2, 9, tzinfo=PARIS))
    make_purchase_request(sp_agent, state=State.REJECTED, agent=csp_agent,
                          at=datetime(2026, 4, 6, 9, tzinfo=PARIS))
    make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                          at=datetime(2025, 11, 3, 9, tzinfo=PARIS))


def _table(review, title):
    return next(table for table in review.tables if table.title == title)


def test_the_figures_of_a_known_year(year_2026, sp, csp):
    review = annual_review(centre=csp, year=2026, services=[sp])
    assert review.monthly == [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert _table(review, "Volumes").rows == [["Demande d'achat", 2, 1, 1, 0]]
    delays = _table(review, "Délais et engagements de la convention").rows
    # No convention in force: no committed delay to print; 1 completed, on time.
    assert delays == [["Demande d'achat", None, 1, 100.0, 0]]
    # Nothing went through the mission or the visa: no such section.
    assert not any(t.title == "Circuits de la convention" for t in review.tables)
    assert annual_review(centre=csp, year=2025, services=[sp]).monthly[10] == 1


def test_the_pdf_and_the_workbook_say_the_same(client, year_2026, sp, csp, csp_head):
    client.force_login(csp_head)
    pdf = client.get(PAGE, {"year": 2026, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == (
        f'attachment; filename="bilan-annuel-2026-{csp.code.lower()}.pdf"')
    workbook = client.get(PAGE, {"year": 2026, "format": "xlsx", "service": sp.code})
    assert workbook.status_code == 200
    sheets = load_workbook(io.BytesIO(workbook.content), read_only=True)
    review = annual_review(centre=csp, year=2026, services=[sp])
    for table in review.tables:
        sheet = sheets[table.title[:28]]
        # An empty last cell (a figure not known) is not read back: pad to the header.
        values = [list(row) + [None] * (len(table.header) - len(row))
                  for row in sheet.iter_rows(values_only=True)]
        assert values[0] == table.header
        assert values[1:1 + len(table.rows)] == table.rows
    months = [row for row in sheets["Demandes reçues par mois"].iter_rows(values_only=True)]
    assert [n for _, n in months[1:]] == review.monthly


@pytest.mark.parametrize("query, message", [
    ({"year": "abc"}, "Saisissez une année (ex. 2026)."),
    ({"year": "1999"}, "Choisissez une année après 2000."),
    ({"year": "9999"}, "Cette année n'a pas commencé."),
    ({"year": "2026", "service": "AUTRE"}, "Choisissez un service de votre centre."),
    ({"year": "2026", "format": "docx"}, "Choisissez PDF ou XLSX."),
])
def test_bad_input_is_said_next_to_its_field(client, sp, csp_head, query, message):
    client.force_login(csp_head)
    response = client.get(PAGE, {**query})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())


def test_only_the_centres_head_generates_it(client, sp_agent, csp_agent, other_csp, sp):
    foreign_head = member(other_csp, Role.CSP_HEAD)
    PrescribingServiceFactory(processing_centre=other_csp)
    for user in (sp_agent, csp_agent):
        client.force_login(user)
        assert client.get(PAGE, {"year": 2026, "format": "pdf"}).status_code == 404
    client.force_login(foreign_head)
    # Another centre's service is not a choice: refused, never reviewed.
    assert client.get(PAGE, {"year": 2026, "format": "pdf", "service": sp.code}
                      ).status_code == 400
