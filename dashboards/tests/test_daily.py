"""The restitutions' pre-aggregates (dashboards.daily): the page's figures equal those the
raw query computes from the cases (`dashboard_from_cases`), before any day is built, once
days are built, after transitions that change built days (dated in the past, a return that
undoes a submission), and with days the nightly task has not reached."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from cases import services as case_services
from cases.models import Case, CaseEvent, CaseKind
from cases.workflow import Action, State
from dashboards.anomalies import anomaly_report, anomaly_report_from_events
from dashboards.daily import build_daily_figures
from dashboards.models import BuiltDay, DayFigures, MonthFigures
from dashboards.selectors import Period, dashboard, dashboard_from_cases, dashboard_scope
from documents.models import AttachmentKind
from kinds.fixed_assets.tests.test_services import asset_draft, fies
from kinds.service_done.models import LatenessReason, ServiceDoneStatement
from tests.factories import PrescribingServiceFactory

pytestmark = pytest.mark.django_db

STATES = [State.COMPLETED] * 6 + [State.REJECTED, State.CANCELLED, State.IN_PROGRESS,
                                  State.SUBMITTED, State.INFO_REQUESTED, State.DRAFT]
KINDS = [CaseKind.PURCHASE_REQUEST, CaseKind.SERVICE_DONE, CaseKind.TIERS]


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _write_history(rng, services, creator, agent, order, today):
    """~200 cases written as the services leave them, over the last 75 days: every state,
    three kinds, times near midnight (the day a figure falls on), questions, service-done
    statements late or not for each reason."""
    for _n in range(200):
        service = rng.choice(services)
        state, kind = rng.choice(STATES), rng.choice(KINDS)
        day = today - timedelta(days=rng.randint(0, 75))
        submitted = _local(day, rng.choice([0, 9, 14, 23]), rng.choice([0, 5, 59]))
        submitted += timedelta(seconds=rng.randint(0, 59), microseconds=rng.randint(0, 999999))
        if submitted > timezone.now():
            submitted = timezone.now() - timedelta(minutes=5)
        closed = submitted + timedelta(hours=rng.randint(1, 400), minutes=rng.randint(0, 59),
                                       microseconds=rng.randint(0, 999999))
        final = state in (State.COMPLETED, State.REJECTED, State.CANCELLED)
        if final and closed > timezone.now():
            state, final = State.IN_PROGRESS, False
        case = Case.objects.create(
            kind=kind, requesting_service=service, processing_centre=service.processing_centre,
            created_by=creator, state=state, created_at=submitted - timedelta(hours=1),
            submitted_at=None if state == State.DRAFT else submitted,
            due_at=None if state == State.DRAFT else submitted + timedelta(days=7),
            completed_at=closed if final else None,
            assigned_to=agent if state in (State.IN_PROGRESS, State.INFO_REQUESTED) else None)
        if state != State.DRAFT and rng.random() < 0.4:
            asked = submitted + (closed - submitted) * rng.random()
            # Some questions classified, a type renamed at the start of this month (the
            # raw query names a type by the label of its latest month).
            code = rng.choice([None, "missing_document", "incomplete"])
            renamed = timezone.localdate(asked) >= today.replace(day=1)
            label = {"incomplete": "Dossier incomplet" if renamed else "Incomplet",
                     "missing_document": "Pièce manquante", None: ""}[code]
            CaseEvent.objects.create(
                case=case, actor=agent, action=Action.REQUEST_INFO,
                from_state=State.IN_PROGRESS, to_state=State.INFO_REQUESTED,
                created_at=min(asked, timezone.now()),
                data={"anomaly": code, "anomaly_label": label} if code else {})
        if state == State.REJECTED:
            CaseEvent.objects.create(case=case, actor=agent, action=Action.REJECT,
                                     from_state=State.IN_PROGRESS, to_state=state,
                                     created_at=closed, data={"anomaly": "other"})
        if kind == CaseKind.SERVICE_DONE:
            late = rng.random() < 0.6
            ServiceDoneStatement.objects.create(
                case=case, purchase_request=order, delivered_on=day - timedelta(days=40),
                amount_ttc=Decimal("10.00"), late=late,
                lateness_reason=rng.choice(LatenessReason.values) if late else "")


@pytest.fixture
def history(csp, sp, other_sp, sp_agent, csp_agent, foreign_sp_agent, make_purchase_request):
    order = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    second = PrescribingServiceFactory(code="DRFIP", name="Finances publiques",
                                       processing_centre=csp)
    _write_history(random.Random(20261202), [sp, second, other_sp], sp_agent, csp_agent,
                   order.purchase_request, timezone.localdate())
    return order


def _scopes(csp_head, sp):
    services, as_head = dashboard_scope(csp_head)
    assert as_head
    return {"centre head": list(services), "service": [sp]}


def _periods(today):
    last_month_end = today.replace(day=1) - timedelta(days=1)
    return [
        Period(today - timedelta(days=75), today),
        Period(today - timedelta(days=365), today),  # a whole year, the bench's
        Period(last_month_end.replace(day=1), last_month_end),  # one whole month
        # Most of last month (its roll-up minus two days), and this month.
        Period(last_month_end.replace(day=3), today),
        Period(today - timedelta(days=40), today - timedelta(days=3)),
        Period(today - timedelta(days=9), today - timedelta(days=9)),  # a single day
        Period(today, today),
    ]


def _figures(board):
    rows = [(r.service, r.kind, r.received, r.completed, r.rejected, r.on_time,
             r.overdue_open, r.returns) for r in board.rows]
    timings = [(r.median_days, r.p90_days) for r in board.rows]
    return rows, timings, dict(board.late_statements), sorted(board.work_in_progress)


def assert_exact(scopes, today, kinds=(None, CaseKind.SERVICE_DONE, CaseKind.PURCHASE_REQUEST)):
    """dashboard() equals dashboard_from_cases() for every scope, period and kind; the
    percentiles to the last bits of a double (integers of microseconds against the
    database's doubles of seconds)."""
    compared = 0
    for services in scopes.values():
        for period in _periods(today):
            for kind in kinds:
                expected = _figures(dashboard_from_cases(services=services, period=period,
                                                         kind=kind))
                actual = _figures(dashboard(services=services, period=period, kind=kind))
                label = (services, period, kind)
                assert actual[0] == expected[0], label
                assert actual[2:] == expected[2:], label
                for got, wanted in zip(actual[1], expected[1], strict=True):
                    assert got == (wanted if None in wanted else
                                   pytest.approx(wanted, rel=1e-9, abs=1e-9)), label
                compared += bool(expected[0])
                report = anomaly_report(services=services, period=period, kind=kind)
                reference = anomaly_report_from_events(services=services, period=period,
                                                       kind=kind)
                assert (report.rows, report.months, report.trends) == (
                    reference.rows, reference.months, reference.trends), label
    assert compared >= 4 * len(kinds)  # the periods were not all empty


def test_built_days_give_the_figures_of_the_cases(history, csp_head, sp):
    today = timezone.localdate()
    scopes = _scopes(csp_head, sp)
    assert_exact(scopes, today)  # nothing built: all from the cases

    spans = build_daily_figures()
    assert spans[-1][1] == today - timedelta(days=1)
    assert not BuiltDay.objects.filter(day__gte=today).exists()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert MonthFigures.objects.filter(month=last_month).exists()
    assert DayFigures.objects.exists()
    assert_exact(scopes, today)

    # Idempotent: building again from the start writes the same rows.
    before = sorted(DayFigures.objects.values_list("day", "service", "kind", "received",
                                                   "completed", "durations"))
    assert build_daily_figures() == []  # nothing left to build
    build_daily_figures(since=spans[0][0])
    assert sorted(DayFigures.objects.values_list("day", "service", "kind", "received",
                                                 "completed", "durations")) == before


def test_transitions_on_built_days_keep_them_exact(history, csp_head, sp, sp_agent, csp_agent,
                                                   make_purchase_request):
    today = timezone.localdate()
    scopes = _scopes(csp_head, sp)
    # Built up to a week ago: the last days come from the cases (the nightly task has not
    # run), the others from the aggregates.
    build_daily_figures(until=today - timedelta(days=7))
    assert_exact(scopes, today)

    # Dated in the past (`at`): a request submitted and claimed 20 days ago, completed 12
    # days ago; another asked a question 15 days ago.
    day = today - timedelta(days=20)
    done = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                 at=_local(day, 10))
    case_services.transition(case=done, action=Action.COMPLETE, actor=csp_agent,
                             ej_number="1000000099", at=_local(today - timedelta(days=12), 11))
    asked = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                  at=_local(day, 23, 50))
    case_services.transition(case=asked, action=Action.REQUEST_INFO, actor=csp_agent,
                             anomaly="missing_document", comment="?",
                             at=_local(today - timedelta(days=15), 0, 10))
    # Submitted 30 days ago, returned today: that day loses a received case.
    returned = asset_draft(sp_agent, fies(), document=AttachmentKind.COMMISSIONING)
    submitted_on = today - timedelta(days=30)
    returned = case_services.transition(case=returned, action=Action.SUBMIT, actor=sp_agent,
                                        at=_local(submitted_on, 9))
    returned = case_services.transition(case=returned, action=Action.CLAIM, actor=csp_agent,
                                        at=_local(submitted_on, 10))
    before = dashboard(services=[sp], period=Period(submitted_on, submitted_on))
    case_services.transition(case=returned, action=Action.RETURN, actor=csp_agent,
                             anomaly="missing_document", comment="Précisez.")
    after = dashboard(services=[sp], period=Period(submitted_on, submitted_on))
    assert sum(r.received for r in after.rows) == sum(r.received for r in before.rows) - 1
    # Completed today: today's figures, from the cases.
    case_services.transition(case=asked, action=Action.ANSWER, actor=sp_agent, comment="!")
    case_services.transition(case=asked, action=Action.COMPLETE, actor=csp_agent,
                             ej_number="1000000098")
    assert_exact(scopes, today)

    # The nightly task catches up; the days built since are exact too.
    build_daily_figures()
    assert BuiltDay.objects.filter(day=today - timedelta(days=1)).exists()
    assert_exact(scopes, today, kinds=(None,))


def test_the_command_builds_and_the_night_is_scheduled(history, sp):
    call_command("build_daily_figures", verbosity=0)
    assert BuiltDay.objects.filter(day=timezone.localdate() - timedelta(days=1)).exists()
    call_command("build_daily_figures", "--since",
                 (timezone.localdate() - timedelta(days=3)).isoformat(), verbosity=0)
    assert Schedule.objects.filter(func="dashboards.tasks.build_daily_figures",
                                   schedule_type="D").count() == 1


def test_the_restitutions_page_queries_are_bounded(client, history, csp_head,
                                                   django_assert_max_num_queries):
    build_daily_figures()
    client.force_login(csp_head)
    today = timezone.localdate()
    query = {"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()}
    client.get(reverse("dashboards:restitutions"), query)  # the session, once
    # The restitutions' own: the built days, their aggregates (months and days in one
    # query), today's four from the cases, the late open cases, the work in progress; the
    # anomalies' two reads (period, twelve months), three each the same way; the rest is
    # the session, the scope, ratings, invoices and opinions.
    with django_assert_max_num_queries(31):
        response = client.get(reverse("dashboards:restitutions"), query)
    assert response.status_code == 200

