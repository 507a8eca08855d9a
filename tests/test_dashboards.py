"""Restitutions: figures against values computed by hand on a fixed set of cases, the scope
of each person, and the period's checks."""

import html
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.workflow import State
from dashboards.selectors import Period, _percentile, dashboard

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
PAGE = reverse("dashboards:restitutions")


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def activity(make_purchase_request, sp_agent, ordonnateur, csp_agent):
    """Three cases submitted in March 2026: two completed (one in 1 day, one in 5 days,
    after its due date), one rejected; one question asked."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)  # a Monday
    fast = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent, at=start)
    case_services.transition(case=fast, action="complete", actor=csp_agent,
                             ej_number="1000000001", at=start + timedelta(days=1))
    slow = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent, at=start)
    slow = case_services.transition(case=slow, action="request_info", actor=csp_agent,
                                    comment="?", at=start + timedelta(hours=2))
    slow = case_services.transition(case=slow, action="answer", actor=sp_agent, comment="!",
                                    at=start + timedelta(hours=3))
    case_services.transition(case=slow, action="complete", actor=csp_agent,
                             ej_number="1000000002", at=start + timedelta(days=9))
    rejected = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                     at=start)
    case_services.transition(case=rejected, action="reject", actor=csp_agent, comment="Non",
                             at=start + timedelta(days=2))
    make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent, at=start)
    return start


def test_figures_match_hand_computed_values(activity, sp):
    board = dashboard(services=[sp], period=Period(activity.date(),
                                                   activity.date() + timedelta(days=30)))
    [row] = board.rows
    assert (row.received, row.completed, row.rejected, row.returns) == (4, 2, 1, 1)
    assert row.on_time == 1 and row.compliance == 50.0
    durations = sorted([1.0, 9.0])  # days from submission to completion (clock time)
    assert row.median_days == pytest.approx(_percentile(durations, 0.5), abs=0.01)
    assert row.median_days == pytest.approx(5.0, abs=0.01)
    assert row.p90_days == pytest.approx(8.2, abs=0.01)
    [(_agent, in_progress)] = board.work_in_progress
    assert in_progress == 1


def test_an_empty_period_has_no_rows(activity, sp):
    board = dashboard(services=[sp], period=Period(activity.date() - timedelta(days=60),
                                                   activity.date() - timedelta(days=30)))
    assert board.rows == []


def test_who_sees_what(client, activity, csp_head, sp_agent, csp_agent, foreign_csp_agent):
    client.force_login(csp_head)
    text = _text(client.get(PAGE, {"start": "2026-03-01", "end": "2026-03-31"}))
    assert "Activité des services de votre centre." in text and "50,0 %" in text
    assert '<svg class="dashboard-chart"' in text and "<desc" in text
    client.force_login(sp_agent)
    assert "Activité de votre service" in _text(client.get(PAGE))
    client.force_login(csp_agent)
    assert client.get(PAGE).status_code == 404  # agents work the queue


def test_the_period_is_checked(client, csp_head, sp):
    client.force_login(csp_head)
    text = _text(client.get(PAGE, {"start": "2026-05-01", "end": "2026-04-01"}))
    assert "La fin de la période précède son début." in text
    text = _text(client.get(PAGE, {"start": "2010-01-01", "end": "2026-04-01"}))
    assert "trois ans au plus" in text
    assert "Saisissez une date valide." in _text(client.get(PAGE, {"start": "demain"}))
