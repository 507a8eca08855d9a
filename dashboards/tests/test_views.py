"""Restitutions: figures against values computed by hand on a fixed set of cases, the scope
of each person, and the period's checks."""

import html
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cases import services as case_services
from cases.workflow import State
from dashboards.selectors import Period, _percentile, dashboard
from dashboards.templatetags.charts import MAX_LINES, bar_chart, text_width

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
                                    anomaly="missing_document",
                                    comment="?", at=start + timedelta(hours=2))
    slow = case_services.transition(case=slow, action="answer", actor=sp_agent, comment="!",
                                    at=start + timedelta(hours=3))
    case_services.transition(case=slow, action="complete", actor=csp_agent,
                             ej_number="1000000002", at=start + timedelta(days=9))
    rejected = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                     at=start)
    case_services.transition(case=rejected, action="reject", actor=csp_agent,
                             anomaly="missing_document", comment="Non",
                             at=start + timedelta(days=2))
    make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent, at=start)
    return start


def test_figures_match_hand_computed_values(activity, sp):
    board = dashboard(services=[sp], period=Period(activity.date(),
                                                   activity.date() + timedelta(days=30)))
    [row] = board.rows
    assert (row.received, row.completed, row.rejected, row.returns) == (4, 2, 1, 1)
    # The fourth case, still in progress, was due on 9 March: late, though not finished.
    assert (row.on_time, row.overdue_open, row.judged) == (1, 1, 3)
    assert row.compliance == 33.3
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
    assert "Activité des services de votre centre." in text and "33,3 %" in text
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


# --- « Dans le délai » counts the open cases already late ----------------------------------------


@pytest.fixture
def late_backlog(make_purchase_request, sp_agent, csp_agent):
    """Submitted on Monday 2 March 2026, due at the end of Monday 9 March (5 working days):
    one completed on time, one completed late, three still open (late), one waiting for the
    service's answer (its delay suspended), one rejected; one submitted today (not due)."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=PARIS)

    def case(state=State.IN_PROGRESS, at=start):
        return make_purchase_request(sp_agent, state=state, agent=csp_agent, at=at)

    case_services.transition(case=case(), action="complete", actor=csp_agent,
                             ej_number="1000000011", at=start + timedelta(days=3))
    case_services.transition(case=case(), action="complete", actor=csp_agent,
                             ej_number="1000000012", at=start + timedelta(days=10))
    for state in (State.IN_PROGRESS, State.IN_PROGRESS, State.SUBMITTED):
        case(state)
    case(State.INFO_REQUESTED)
    case_services.transition(case=case(), action="reject", actor=csp_agent,
                             anomaly="missing_document", comment="Non",
                             at=start + timedelta(days=1))
    case(at=None)
    return start


def test_open_cases_past_their_due_date_count_as_late(late_backlog, sp):
    march = Period(late_backlog.date(), late_backlog.date() + timedelta(days=29))

    board = dashboard(services=[sp], period=march)

    [row] = board.rows
    # By hand: completed 2 (1 on time), open and late 3; the suspended, the rejected and the
    # not yet due cases are not judged.
    assert (row.completed, row.on_time, row.overdue_open, row.rejected) == (2, 1, 3, 1)
    assert row.judged == 5 and row.compliance == 20.0
    assert board.totals().compliance == 20.0 and board.by_service()[0].compliance == 20.0
    # Due at the end of 9 March: a period ending on the 8th saw them not late yet, one
    # ending on the 9th saw that day over.
    for last, late in ((date(2026, 3, 8), 0), (date(2026, 3, 9), 3)):
        [row] = dashboard(services=[sp], period=Period(late_backlog.date(), last)).rows
        assert (row.completed, row.on_time, row.overdue_open) == (1, 1, late)
        assert row.compliance == round(100 / (1 + late), 1)


class _Table(HTMLParser):
    """The cells' text of a table, by section (tbody, tfoot)."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.section = table_id, False, None
        self.rows = {"tbody": [], "tfoot": []}
        self.cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag in self.rows:
            self.section = tag
        elif self.inside and self.section and tag == "tr":
            self.rows[self.section].append([])
        elif self.inside and self.section and tag in ("td", "th"):
            self.cell = ""
        elif tag == "br" and self.cell is not None:
            self.cell += " "

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[self.section][-1].append(" ".join(self.cell.split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def test_the_page_says_what_the_rate_means_and_its_figures_agree(client, late_backlog, csp_head):
    client.force_login(csp_head)
    text = _text(client.get(PAGE, {"start": "2026-03-01", "end": "2026-03-31"}))

    assert "En cours, échéance dépassée" in text
    assert "dossiers encore en cours dont l'échéance est dépassée" in text
    parser = _Table("dashboard-table")
    parser.feed(text)
    [row], [total] = parser.rows["tbody"], parser.rows["tfoot"]
    # Service, type, received, completed, rejected, median, p90, late open, rate, questions.
    assert row[7] == total[6] == "3"
    assert row[8] == total[7] == "20,0 % (1 / 5)"
    assert [row[n] for n in (2, 3, 4, 9)] == [total[n] for n in (1, 2, 3, 8)]
    # The compliance chart agrees with the table.
    assert re.search(r"<desc id=\"chart-compliance-desc\">DRAC : 20,0 %</desc>", text)


def test_every_chart_has_a_visible_title(client, activity, csp_head):
    client.force_login(csp_head)
    text = _text(client.get(PAGE, {"start": "2026-03-01", "end": "2026-03-31"}))
    charts = re.findall(r'<h3 class="[^"]*" id="([\w-]+)-heading">([^<]+)</h3>\s*'
                        r'<svg class="dashboard-chart" id="([\w-]+)"', text)
    assert len(charts) == text.count('<svg class="dashboard-chart"') == 7
    for heading_of, title, chart in charts:
        assert heading_of == chart and title.strip()
        assert f'<title id="{chart}-title">{title}</title>' in text


@given(label=st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]),
                     min_size=1, max_size=160).filter(str.strip),
       value=st.one_of(st.integers(0, 10**6), st.floats(0, 100)))
@settings(max_examples=150, deadline=None)
def test_chart_labels_are_wrapped_not_cut(label, value):
    chart = bar_chart("c", "Titre", [(label, value), ("DRAC", 1)], " %")
    bar = chart["bars"][0]
    lines = [line["text"] for line in bar["lines"]]
    assert all(text_width(line) <= chart["width"] for line in lines)
    if not bar["shortened"]:  # every character is there, only spaces became line breaks
        assert "".join(lines).replace(" ", "") == label.replace(" ", "")
    else:
        assert len(lines) == MAX_LINES and bar["label"] == label
    assert label in chart["summary"]
    for drawn in chart["bars"]:
        assert drawn["value_x"] + text_width(drawn["value"]) <= chart["width"]
        assert drawn["value_y"] <= chart["height"]
