"""Anomalies in the restitutions: counts by type, service, kind and month on a known set of
events, the twelve months and the trend, who sees what, and the exports (formulas made
harmless: a type's label is typed by editors)."""

import html
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.workflow import State
from conventions.models import AnomalyType
from dashboards.anomalies import AnomalyCount, anomaly_report
from dashboards.selectors import Period, dashboard_scope
from portal.models import Role
from tests.factories import PrescribingServiceFactory, member

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
FORMULA = '=HYPERLINK("http://exemple.invalid","clic")'


@pytest.fixture
def sp2(csp):
    return PrescribingServiceFactory(code="DDT", name="Direction départementale",
                                     processing_centre=csp)


@pytest.fixture
def anomalies(make_purchase_request, publish_convention, csp, sp, sp2, sp_agent, csp_agent):
    """DRAC (default typology): one question in February, two questions and a rejection in
    March. DDT (its convention's own typology, a label that looks like a formula): one
    rejection in March, and one on 1 April, outside the period."""
    publish_convention(centre=csp, services=[sp2], valid_from=date(2020, 1, 1),
                       anomaly_types=[AnomalyType(code="formule", label=FORMULA)])
    sp2_agent = member(sp2, Role.SP_AGENT, ceiling="5000", username="sp2_agent")

    def anomaly(actor, action, code, at):
        case = make_purchase_request(actor, state=State.IN_PROGRESS, agent=csp_agent,
                                     at=at - timedelta(hours=1))
        case_services.transition(case=case, action=action, actor=csp_agent, comment="Motif",
                                 anomaly=code, at=at)

    anomaly(sp_agent, "request_info", "missing_document", datetime(2026, 2, 10, 10, tzinfo=PARIS))
    anomaly(sp_agent, "request_info", "missing_document", datetime(2026, 3, 2, 10, tzinfo=PARIS))
    anomaly(sp_agent, "request_info", "missing_document", datetime(2026, 3, 3, 10, tzinfo=PARIS))
    anomaly(sp_agent, "reject", "duplicate", datetime(2026, 3, 31, 23, 30, tzinfo=PARIS))
    anomaly(sp2_agent, "reject", "formule", datetime(2026, 3, 20, 10, tzinfo=PARIS))
    anomaly(sp2_agent, "reject", "formule", datetime(2026, 4, 1, 0, 30, tzinfo=PARIS))
    return sp2_agent


def test_the_figures_match_the_events(anomalies, sp, sp2):
    report = anomaly_report(services=[sp, sp2], period=MARCH)
    march = date(2026, 3, 1)
    assert report.rows == [
        AnomalyCount(march, "DDT", "purchase_request", "formule", FORMULA, 1),
        AnomalyCount(march, "DRAC", "purchase_request", "duplicate", "Doublon", 1),
        AnomalyCount(march, "DRAC", "purchase_request", "missing_document", "Pièce manquante",
                     2),
    ]
    assert report.total == 4
    assert report.by_type() == [("Pièce manquante", 2), (FORMULA, 1), ("Doublon", 1)]
    # Twelve months, April 2025 to March 2026.
    assert [label for label, _n in report.months][::11] == ["Avril 2025", "Mars 2026"]
    assert [n for _label, n in report.months] == [0] * 10 + [1, 4]
    trends = {t.label: (t.this_month, t.previous_month, t.change, t.direction)
              for t in report.trends}
    assert trends == {"Pièce manquante": (2, 1, 1, "en hausse"),
                      "Doublon": (1, 0, 1, "en hausse"), FORMULA: (1, 0, 1, "en hausse")}
    assert (report.this_month, report.previous_month) == ("Mars 2026", "Février 2026")


def test_a_kind_filter_and_an_empty_period(anomalies, sp, sp2):
    assert anomaly_report(services=[sp, sp2], period=MARCH, kind="tiers").rows == []
    assert anomaly_report(services=[sp, sp2], period=Period(date(2026, 1, 1),
                                                           date(2026, 1, 31))).total == 0


def test_a_service_sees_its_own_anomalies_only(client, anomalies, sp_agent, csp_head):
    services, as_head = dashboard_scope(sp_agent)
    assert not as_head
    assert {row.service for row in anomaly_report(services=services, period=MARCH).rows} == {
        "DRAC"}
    client.force_login(sp_agent)
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    page = html.unescape(client.get(reverse("dashboards:restitutions"), query).content.decode())
    # In the page's text, not its attributes: a random token (CSRF, a script's integrity)
    # may hold the three letters.
    shown = re.sub(r'\s[\w:-]+="[^"]*"', "", page)
    assert "3 anomalies sur la période" in shown and not re.search(r"\bDDT\b", shown)
    export = client.get(reverse("dashboards:anomalies_export", args=["csv"]), query)
    assert "DDT" not in export.content.decode("utf-8-sig")
    client.force_login(csp_head)
    page = html.unescape(client.get(reverse("dashboards:restitutions"), query).content.decode())
    assert "4 anomalies sur la période" in page and "DDT" in page
    assert "en hausse (+1)" in page


def test_the_exports_neutralise_formulas(client, anomalies, csp_head):
    from openpyxl import load_workbook

    client.force_login(csp_head)
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    response = client.get(reverse("dashboards:anomalies_export", args=["csv"]), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Mois;Service prescripteur;Type de demande;Code de l'anomalie;"
                        "Type d'anomalie;Nombre")
    assert len(lines) == 4
    assert "03/2026;DDT;Demande d'achat;formule;" in lines[1]
    assert "'=HYPERLINK" in lines[1] and ";=HYPERLINK" not in response.content.decode()

    response = client.get(reverse("dashboards:anomalies_export", args=["xlsx"]), query)
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("03/2026", "DDT", "Demande d'achat", "formule")
    assert rows[1][4] == "'" + FORMULA and rows[1][5] == 1
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(("fmt", "query", "status"), [
    ("pdf", {}, 404), ("csv", {"start": "abc"}, 400),
    ("csv", {"start": "2026-03-01", "end": "2020-01-01"}, 400),
    ("xlsx", {"start": "2026-03-01", "end": "2026-03-31", "kind": "nope"}, 400),
])
def test_odd_export_requests(client, sp, csp_head, fmt, query, status):
    client.force_login(csp_head)
    response = client.get(reverse("dashboards:anomalies_export", args=[fmt]), query)
    assert response.status_code == status


def test_agents_of_the_centre_and_strangers_get_no_export(client, csp_agent, foreign_sp_agent,
                                                         anomalies):
    for user in (csp_agent,):
        client.force_login(user)
        assert client.get(reverse("dashboards:anomalies_export", args=["csv"])).status_code == 404
    client.force_login(foreign_sp_agent)
    response = client.get(reverse("dashboards:anomalies_export", args=["csv"]),
                          {"start": "2026-03-01", "end": "2026-03-31"})
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").count("\n") == 1  # the header only
