"""Morning reminders: agents with cases due by tomorrow or late, drafts of statements near
their deadline, the periodic list of missing service done (every 15 days, every 7 from
September), once per day whatever the number of runs."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from django_q.models import Schedule
from openpyxl import load_workbook

from cases.workflow import State
from reminders.models import ReminderKind, ReminderSent
from reminders.services import (
    agent_reminders,
    daily_reminders,
    list_frequency,
    list_is_due,
    missing_service_done_lists,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def with_email(*users):
    for user in users:
        user.email = f"{user.username}@example.fr"
        user.save()


def test_the_morning_run_is_scheduled():
    assert Schedule.objects.filter(func="reminders.tasks.daily_reminders",
                                   schedule_type="D").count() == 1


def test_agents_hear_of_cases_due_tomorrow_or_late_once_a_day(make_purchase_request, sp_agent,
                                                              csp_agent, csp_head):
    with_email(csp_agent, csp_head)
    late = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    late.due_at = timezone.now() - timedelta(days=3)
    late.save(update_fields=["due_at"])
    unassigned = make_purchase_request(sp_agent, state=State.SUBMITTED)
    unassigned.due_at = timezone.now() + timedelta(hours=20)
    unassigned.save(update_fields=["due_at"])
    later = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    later.due_at = timezone.now() + timedelta(days=6)
    later.save(update_fields=["due_at"])
    assert agent_reminders(timezone.now()) == 2
    by_person = {message.to[0]: message.body for message in mail.outbox}
    assert late.reference in by_person["csp_agent@example.fr"]
    assert "en retard" in by_person["csp_agent@example.fr"]
    assert later.reference not in by_person["csp_agent@example.fr"]
    assert unassigned.reference in by_person["csp_head@example.fr"]
    assert agent_reminders(timezone.now()) == 0  # the same day: nothing more
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 8, 31), 15), (date(2026, 9, 1), 7), (date(2026, 9, 30), 7),
    (date(2026, 10, 1), 7), (date(2026, 12, 31), 7), (date(2027, 1, 1), 15),
])
def test_the_list_comes_every_15_days_and_weekly_in_the_last_four_months(sp, day, expected):
    assert list_frequency(sp, day) == expected


def test_the_list_is_due_by_its_frequency_around_the_end_of_august(sp):
    ReminderSent.objects.create(kind=ReminderKind.MISSING_SERVICE_DONE, scope=f"service:{sp.pk}",
                                service=sp, period=date(2026, 8, 20), sent_at=timezone.now())
    assert not list_is_due(sp, date(2026, 8, 31))  # 11 days < 15
    assert list_is_due(sp, date(2026, 9, 1))  # 12 days >= 7 from September
    ReminderSent.objects.create(kind=ReminderKind.MISSING_SERVICE_DONE, scope=f"service:{sp.pk}",
                                service=sp, period=date(2026, 9, 28), sent_at=timezone.now())
    assert not list_is_due(sp, date(2026, 10, 4))
    assert list_is_due(sp, date(2026, 10, 5))


def test_the_service_gets_its_missing_service_done_list_as_xlsx(make_purchase_request, sp,
                                                                sp_agent, ordonnateur,
                                                                csp_agent, foreign_sp_agent):
    with_email(sp_agent, ordonnateur, foreign_sp_agent)
    order = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                  ordonnateur=ordonnateur)
    now = datetime(2026, 11, 23, 7, 0, tzinfo=PARIS)
    assert missing_service_done_lists(now) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["ordonnateur@example.fr",
                                                    "sp_agent@example.fr"]
    name, content, _mimetype = mail.outbox[0].attachments[0]
    assert name.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[1][0] == order.reference
    assert rows[1][1] == order.purchase_request.ej_number
    assert missing_service_done_lists(now + timedelta(days=3)) == 0  # weekly in November
    assert missing_service_done_lists(now + timedelta(days=7)) == 1


def test_daily_reminders_run_everything(make_purchase_request, sp_agent, csp_agent):
    report = daily_reminders(timezone.now())
    assert (report.agents, report.statements, report.lists) == (0, 0, 0)


def test_a_draft_statement_near_its_deadline_is_recalled_to_its_author(
        make_purchase_request, sp, sp_agent, ordonnateur, csp_agent):
    from cases import sla
    from cases.services import case_draft_create
    from kinds.service_done.services import StatementData, statement_fill
    from reminders.services import statement_reminders

    with_email(sp_agent)
    order = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                  ordonnateur=ordonnateur).purchase_request
    today = timezone.localdate()
    delivered, counted = today, 0
    while counted < 5:  # delivered 5 working days ago: the last day to file it
        delivered -= timedelta(days=1)
        counted += sla.is_working_day(delivered)
    draft = case_draft_create(actor=sp_agent, service=sp, kind="service_done")
    statement_fill(case=draft, actor=sp_agent, data=StatementData(
        purchase_request=order, delivered_on=delivered,
        lines=[(line, line.quantity) for line in order.lines.all()]))
    assert statement_reminders(timezone.now()) == 1
    assert order.ej_number in mail.outbox[0].body
    assert statement_reminders(timezone.now()) == 0


def test_the_list_carries_the_invoices_waiting_for_service_done(make_purchase_request, sp,
                                                                sp_agent, ordonnateur,
                                                                csp_agent):
    from invoices.importer import import_stream
    from invoices.tests.conftest import extract, row

    with_email(sp_agent)
    order = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                  ordonnateur=ordonnateur)
    import_stream(extract(row(order.purchase_request.ej_number, "F-77", received="02/11/2026")),
                  today=date(2026, 11, 23))
    now = datetime(2026, 11, 23, 7, 0, tzinfo=PARIS)
    assert missing_service_done_lists(now) == 1
    message = mail.outbox[0]
    assert "1 facture(s) en attente" in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == [f"services-faits-manquants-{sp.code}-20261123.xlsx",
                     f"factures-sans-service-fait-{sp.code}-20261123.xlsx"]
    rows = list(load_workbook(io.BytesIO(message.attachments[1][1])).active
                .iter_rows(values_only=True))
    assert rows[1][:3] == ("F-77", row("x")[1], order.purchase_request.ej_number)
    assert rows[1][5] == 21  # days waiting, 02/11 → 23/11
    assert ReminderSent.objects.get(kind=ReminderKind.MISSING_SERVICE_DONE).items == 2
    assert missing_service_done_lists(now) == 0  # once per period
