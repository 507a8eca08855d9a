"""Staffing (« Dimensionnement »): figures against values computed by hand, the window's
edges, who sees which centre, and the export."""

import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.models import CaseEvent
from cases.workflow import Action, State
from dashboards.staffing import staffing, window
from portal.models import Role
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db
PARIS = timezone.get_default_timezone()
NOW = timezone.make_aware(datetime(2026, 6, 15, 10, 0), PARIS)
WINDOW_START = timezone.make_aware(datetime(2025, 6, 15), PARIS)  # midnight, a year before
PAGE = reverse("dashboards:staffing")
EXPORT = reverse("dashboards:staffing_export")


def _text(response):
    return html.unescape(response.content.decode())


def _at(*args):
    return timezone.make_aware(datetime(*args), PARIS)


def _acts(case, actor, count, at, action=Action.COMPLETE):
    CaseEvent.objects.bulk_create(
        CaseEvent(case=case, actor=actor, action=action, from_state=State.IN_PROGRESS,
                  to_state=State.COMPLETED, created_at=at + timedelta(seconds=n))
        for n in range(count))


@pytest.fixture
def old_case(make_purchase_request, sp_agent, csp_agent):
    """A case of CSPEST submitted two years before NOW: the centre is older than the window
    (its own completion, then, is outside it)."""
    return make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                 at=_at(2024, 6, 3, 9))


def _centre(items, code):
    [item] = [item for item in items if item.centre.code == code]
    return item


def test_two_agents_with_1500_and_4500_acts_need_2_agents(old_case, csp, csp_agent,
                                                           csp_agent2):
    _acts(old_case, csp_agent, 1500, _at(2026, 3, 10, 9))
    _acts(old_case, csp_agent2, 2250, _at(2025, 11, 5, 9))
    _acts(old_case, csp_agent2, 2250, _at(2026, 4, 7, 9))
    item = _centre(staffing(centres=[csp], now=NOW), "CSPEST")
    assert item.window.full and item.window.days == 365
    assert (item.acts, item.annual, item.reference) == (6000, 6000.0, 3000)
    assert item.needed == 2.0 and item.actual == 2
    # October–December: 2,250 acts, 750 a month, against a mean of 6,000 / 12 = 500.
    assert item.year_end_acts == 2250 and item.peak == 1.5
    loads = {agent.name: (agent.acts, agent.share_of_reference) for agent in item.agents}
    assert sorted(loads.values()) == [(1500, 50.0), (4500, 150.0)]
    assert item.others == 0


def test_what_counts_as_an_act(old_case, csp, csp_agent, cst):
    at = _at(2026, 2, 2, 9)
    for action in (Action.COMPLETE, Action.CERTIFY, Action.REJECT, Action.SEND_TO_CST,
                   Action.SIGN):
        _acts(old_case, csp_agent, 1, at, action=action)
    for action in (Action.CLAIM, Action.REQUEST_INFO, Action.ASSIGN, Action.RELEASE):
        _acts(old_case, csp_agent, 1, at, action=action)
    _acts(old_case, cst, 1, at, action=Action.CST_VALIDATE)  # the CST's act
    item = _centre(staffing(centres=[csp], now=NOW), "CSPEST")
    assert item.acts == 5 and item.agents[0].acts == 5


def test_the_window_starts_at_midnight_a_year_before(old_case, csp, csp_agent):
    _acts(old_case, csp_agent, 1, WINDOW_START - timedelta(seconds=1))
    assert _centre(staffing(centres=[csp], now=NOW), "CSPEST").acts == 0
    _acts(old_case, csp_agent, 1, WINDOW_START - timedelta(seconds=0))
    assert _centre(staffing(centres=[csp], now=NOW), "CSPEST").acts == 1


def test_a_29_february_looks_back_to_28_february():
    now = _at(2028, 2, 29, 12)
    frame = window(now=now, first_submission=None)
    assert frame.start == _at(2027, 2, 28) and frame.days == 366 and frame.full


def test_a_younger_centre_is_annualised(make_purchase_request, other_csp, foreign_sp_agent,
                                        foreign_csp_agent):
    first = _at(2026, 3, 17, 14)  # 90 days before NOW
    case = make_purchase_request(foreign_sp_agent, state=State.COMPLETED,
                                 agent=foreign_csp_agent, at=first)
    _acts(case, foreign_csp_agent, 99, _at(2026, 4, 1, 9))  # plus its own completion
    item = _centre(staffing(centres=[other_csp], now=NOW), "CSPOUEST")
    assert not item.window.full and item.window.days == 90
    assert item.window.start == _at(2026, 3, 17)
    assert item.acts == 100 and item.annual == pytest.approx(100 * 365 / 90)
    assert item.needed == 0.1
    assert item.peak is None  # no October–December in its window yet


def test_a_younger_window_holding_a_whole_year_end_gives_the_peak():
    frame = window(now=NOW, first_submission=_at(2025, 9, 1, 10))
    assert not frame.full and frame.holds_year_end and frame.days == 287
    assert not window(now=NOW, first_submission=_at(2025, 10, 2, 10)).holds_year_end


def test_the_reference_is_the_convention_in_force(old_case, csp, sp, csp_agent,
                                                  publish_convention):  # noqa: F811
    publish_convention(centre=csp, services=[sp], valid_from=date(2024, 1, 1),
                       valid_until=date(2025, 12, 31), reference_acts_per_agent=1000,
                       slug="old")
    publish_convention(centre=csp, services=[sp], valid_from=date(2026, 1, 1),
                       reference_acts_per_agent=2000, slug="new")
    _acts(old_case, csp_agent, 3000, _at(2026, 1, 5, 9))
    item = _centre(staffing(centres=[csp], now=NOW), "CSPEST")
    assert item.reference == 2000 and item.needed == 1.5


# --- who sees what ----------------------------------------------------------------------------


@pytest.fixture
def pilotage(db):
    group, _created = Group.objects.get_or_create(name="Pilotage")
    group.permissions.add(Permission.objects.get(codename="steer_all_centres"))
    user = UserFactory(username="pilotage")
    user.groups.add(group)
    return user


def test_who_sees_which_centre(client, csp, other_csp, csp_head, csp_agent, sp_agent, cst,
                               foreign_sp_agent, pilotage):
    other_head = member(other_csp, Role.CSP_HEAD, username="other_head")
    client.force_login(csp_head)
    page = _text(client.get(PAGE))
    assert "Centre de services partagés Est" in page
    assert "Centre de services partagés Ouest" not in page
    assert "Un acte est une décision enregistrée par le centre" in page
    assert '<svg class="dashboard-chart" id="chart-staffing"' in page
    assert f'href="{PAGE}"' in _text(client.get(reverse("home")))
    client.force_login(other_head)
    page = _text(client.get(PAGE))
    assert "Ouest" in page and "Centre de services partagés Est" not in page
    client.force_login(pilotage)
    page = _text(client.get(PAGE))
    assert "Tous les centres, côte à côte." in page
    assert f'href="{PAGE}"' in _text(client.get(reverse("home")))
    assert "Centre de services partagés Est" in page and "Ouest" in page
    assert client.get(EXPORT).status_code == 200
    for someone in (csp_agent, cst, sp_agent, foreign_sp_agent):
        client.force_login(someone)
        assert client.get(PAGE).status_code == 404
        assert client.get(EXPORT).status_code == 404
        assert f'href="{PAGE}"' not in _text(client.get(reverse("home")))
    client.logout()
    assert client.get(PAGE).status_code == 302


def test_the_export_neutralises_formulas(client, old_case, csp, csp_head, csp_agent):
    csp_agent.first_name, csp_agent.last_name = "=HYPERLINK(\"http://x\")", "+Dupont"
    csp_agent.save()
    _acts(old_case, csp_agent, 3, timezone.now() - timedelta(days=2))
    client.force_login(csp_head)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dimensionnement-')
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Centre" and rows[1][1] == "Ensemble du centre"
    [agent_row] = [row for row in rows if "HYPERLINK" in str(row[1])]
    assert agent_row[1] == "'=HYPERLINK(\"http://x\") +Dupont" and agent_row[4] == 3
    assert all(not (isinstance(cell, str) and cell[:1] in "=+-@")
               for row in rows for cell in row)


def test_the_page_shows_the_figures(client, old_case, csp, csp_head, csp_agent):
    # 9:00 ten days ago: the 4,500 acts, a second apart, stay within that day.
    at = timezone.localtime(timezone.now() - timedelta(days=10)).replace(hour=9, minute=0)
    _acts(old_case, csp_agent, 4500, at)
    client.force_login(csp_head)
    page = _text(client.get(PAGE))
    table = re.search(r'<table id="staffing-table"[^>]*>.*?</table>', page, re.S).group(0)
    cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]
    # Every act in one month: four times the monthly mean if it is in October–December.
    peak = "4,00" if timezone.localtime(at).month >= 10 else "0,00"
    # Window, acts, annualised, reference, needed, in post (the agent and the head), peak.
    assert cells[1:] == ["4 500", "4 500", "3 000", "1,5", "2", peak]
    assert "CSPEST : agents nécessaires : 1,5" in page  # the chart's description
