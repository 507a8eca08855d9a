"""Working-day arithmetic and the due date people read (cases/sla.py).

The convention: a delay of N working days from a submission ends at the end of the Nth
working day after the submission day (Paris time); weekends and French public holidays are
not worked. The expected days below are computed by hand, against a calendar written out
here rather than the `holidays` package the code uses.
"""

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case
from cases.selectors import case_is_overdue, overdue
from cases.sla import (
    add_working_days,
    due_day,
    due_label,
    due_short,
    end_of_day,
    is_working_day,
    resume_due_at,
    working_days_late,
)
from cases.workflow import Action, State

PARIS = ZoneInfo("Europe/Paris")

# French public holidays, written out by hand (Easter Monday, Ascension and Whit Monday
# move with Easter: 5 April 2026, 28 March 2027).
HOLIDAYS = {
    date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 8), date(2026, 5, 14),
    date(2026, 5, 25), date(2026, 7, 14), date(2026, 8, 15), date(2026, 11, 1),
    date(2026, 11, 11), date(2026, 12, 25),
    date(2027, 1, 1), date(2027, 3, 29), date(2027, 5, 1), date(2027, 5, 6), date(2027, 5, 8),
    date(2027, 5, 17), date(2027, 7, 14), date(2027, 8, 15), date(2027, 11, 1),
    date(2027, 11, 11), date(2027, 12, 25),
}
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def worked(day: date) -> bool:
    return day.weekday() < 5 and day not in HOLIDAYS


def hand_due_day(submitted: datetime, days: int) -> date:
    """Count on the calendar: the submission day (Paris) is never counted."""
    day = submitted.astimezone(PARIS).date()
    if days == 0:
        while not worked(day):
            day += timedelta(days=1)
        return day
    while days:
        day += timedelta(days=1)
        if worked(day):
            days -= 1
    return day


def last_instant(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=PARIS)


# --- the calendar -----------------------------------------------------------------------------


def test_the_hand_written_calendar_is_the_codes():
    day = date(2026, 1, 1)
    while day <= date(2027, 12, 31):
        assert is_working_day(day) is worked(day), day
        day += timedelta(days=1)


# --- the due day --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "days", "due"),
    [
        # Monday 15:00 + 2: the rest of Monday is not counted -> end of Wednesday.
        (paris(2026, 3, 2, 15, 0), 2, date(2026, 3, 4)),
        # Friday afternoon: the weekend is skipped.
        (paris(2026, 3, 6, 15, 0), 1, date(2026, 3, 9)),
        (paris(2026, 3, 6, 15, 0), 5, date(2026, 3, 13)),
        # Saturday + 2: Monday is day 1 -> end of Tuesday (not Wednesday).
        (paris(2026, 3, 7, 10, 0), 2, date(2026, 3, 10)),
        (paris(2026, 12, 5, 9, 0), 2, date(2026, 12, 8)),
        # Sunday one minute before midnight, Paris.
        (paris(2026, 3, 8, 23, 59), 1, date(2026, 3, 9)),
        # Sunday 23:30 UTC is Monday 00:30 in Paris: Monday is the submission day.
        (datetime(2026, 3, 8, 23, 30, tzinfo=UTC), 1, date(2026, 3, 10)),
        # Monday 23:30 in Paris is still Monday (22:30 UTC).
        (datetime(2026, 3, 9, 22, 30, tzinfo=UTC), 1, date(2026, 3, 10)),
        # Thursday before 1 May (Friday) -> Monday.
        (paris(2026, 4, 30, 10, 0), 1, date(2026, 5, 4)),
        # Submitted on 1 May itself: Monday 4 is day 1.
        (paris(2026, 5, 1, 11, 0), 1, date(2026, 5, 4)),
        # Wednesday before Ascension: Thursday does not count, the Friday "pont" does.
        (paris(2026, 5, 13, 9, 0), 2, date(2026, 5, 18)),
        # Good Friday is worked, Easter Monday is not.
        (paris(2026, 4, 3, 16, 0), 1, date(2026, 4, 7)),
        # 14 July (Tuesday).
        (paris(2026, 7, 13, 10, 0), 1, date(2026, 7, 15)),
        # New Year's Eve: 1 January 2027 is a Friday.
        (paris(2026, 12, 31, 18, 0), 1, date(2027, 1, 4)),
        # A delay of 0: the submission day when worked, else the next working day.
        (paris(2026, 3, 4, 9, 30), 0, date(2026, 3, 4)),
        (paris(2026, 3, 7, 9, 30), 0, date(2026, 3, 9)),
    ],
)
def test_a_delay_ends_at_the_end_of_its_last_working_day(submitted, days, due):
    due_at = add_working_days(submitted, days)
    assert due_at == last_instant(due)
    assert due_day(due_at) == due


def test_the_due_instant_keeps_its_wall_clock_across_the_clock_changes():
    # Clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October.
    assert add_working_days(paris(2026, 3, 27, 15, 0), 1).utcoffset() == timedelta(hours=2)
    assert add_working_days(paris(2026, 10, 23, 15, 0), 1).utcoffset() == timedelta(hours=1)
    # Stored so, the due day is its date both in Paris and in UTC.
    due_at = add_working_days(paris(2026, 3, 27, 15, 0), 1)
    assert due_at.astimezone(UTC).date() == due_at.astimezone(PARIS).date() == date(2026, 3, 30)


SUBMISSIONS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 11, 30),
    timezones=st.sampled_from([PARIS, UTC]))
# Instants around midnight (Paris and UTC) and the holidays, where a day is easily lost.
EDGES = st.builds(
    lambda day, minutes, zone: datetime.combine(day, time(0), tzinfo=zone)
    + timedelta(minutes=minutes),
    st.sampled_from(sorted(HOLIDAYS - {date(2027, 12, 25)})
                    + [date(2026, 3, 7), date(2026, 3, 8), date(2026, 12, 5)]),
    st.sampled_from([-121, -61, -60, -1, 0, 1, 59, 60, 61, 119, 120, 121, 12 * 60]),
    st.sampled_from([PARIS, UTC]))


@settings(max_examples=400, deadline=None)
@given(submitted=st.one_of(SUBMISSIONS, EDGES), days=st.integers(min_value=0, max_value=15))
def test_the_due_day_is_the_hand_counted_working_day(submitted, days):
    expected = hand_due_day(submitted, days)
    due_at = add_working_days(submitted, days)

    assert worked(expected)
    assert due_day(due_at) == expected
    label = due_label(due_at)
    assert label.startswith(f"{WEEKDAYS[expected.weekday()]} ") and "samedi" not in label
    assert "dimanche" not in label and label.endswith(", fin de journée")
    assert due_short(due_at) == f"{WEEKDAYS[expected.weekday()][:3]}. {expected:%d/%m/%Y}"
    # Overdue exactly once that day is over, Paris time.
    case = Case(state=State.IN_PROGRESS, due_at=due_at)
    end = datetime.combine(expected + timedelta(days=1), time(0), tzinfo=PARIS)
    assert not case_is_overdue(case, end - timedelta(microseconds=1))
    assert not case_is_overdue(case, datetime.combine(expected, time(8), tzinfo=PARIS))
    assert case_is_overdue(case, end)
    assert working_days_late(due_at, end - timedelta(microseconds=1)) == 0
    assert working_days_late(due_at, end) == 1


# --- how it is written ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_at", "label", "short"),
    [
        (end_of_day(date(2026, 12, 8)), "mardi 8 décembre 2026, fin de journée",
         "mar. 08/12/2026"),
        (end_of_day(date(2026, 12, 1)), "mardi 1er décembre 2026, fin de journée",
         "mar. 01/12/2026"),
        # A due instant stored at midnight (before the end-of-day convention) belongs to the
        # day that ends there.
        (paris(2026, 3, 11, 0, 0), "mardi 10 mars 2026, fin de journée", "mar. 10/03/2026"),
        (None, "—", "—"),
    ],
)
def test_the_due_date_as_written(due_at, label, short):
    assert (due_label(due_at), due_short(due_at)) == (label, short)


# --- pauses -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "paused", "resumed", "new_due"),
    [
        # Asked and answered the same day: nothing given back.
        (date(2026, 3, 9), paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 17, 0), date(2026, 3, 9)),
        # Tuesday -> Thursday: Wednesday and Thursday given back.
        (date(2026, 3, 9), paris(2026, 3, 3, 10, 0), paris(2026, 3, 5, 16, 0),
         date(2026, 3, 11)),
        # Friday evening -> Monday morning: the weekend is not worked, Monday is given back.
        (date(2026, 3, 9), paris(2026, 3, 6, 16, 0), paris(2026, 3, 9, 10, 0),
         date(2026, 3, 10)),
        # Paused over 1 May and a weekend: Monday 27 April -> Monday 4 May, 4 working days.
        (date(2026, 4, 28), paris(2026, 4, 27, 14, 0), paris(2026, 5, 4, 11, 0),
         date(2026, 5, 5)),
        # Asked on a Saturday, answered on Monday.
        (date(2026, 3, 10), paris(2026, 3, 7, 10, 0), paris(2026, 3, 9, 10, 0),
         date(2026, 3, 11)),
    ],
)
def test_paused_working_days_are_given_back(due, paused, resumed, new_due):
    assert resume_due_at(end_of_day(due), paused, resumed) == end_of_day(new_due)


def hand_count(after: date, until: date) -> int:
    """Worked days after `after`, up to and including `until`."""
    return sum(worked(after + timedelta(days=n)) for n in range(1, (until - after).days + 1))


@settings(max_examples=200, deadline=None)
@given(submitted=SUBMISSIONS, days=st.integers(min_value=1, max_value=10),
       pause=st.integers(min_value=0, max_value=20 * 24 * 60),
       length=st.integers(min_value=0, max_value=20 * 24 * 60))
def test_a_pause_is_not_counted(submitted, days, pause, length):
    due_at = add_working_days(submitted, days)
    paused = submitted + timedelta(minutes=pause)
    resumed = paused + timedelta(minutes=length)
    paused_day, resumed_day = paused.astimezone(PARIS).date(), resumed.astimezone(PARIS).date()
    lost = hand_count(paused_day, resumed_day)

    new_due = resume_due_at(due_at, paused, resumed)

    expected = due_day(due_at)
    for _n in range(lost):
        expected += timedelta(days=1)
        while not worked(expected):
            expected += timedelta(days=1)
    assert due_day(new_due) == expected and worked(expected)
    assert new_due == last_instant(expected)
    if paused_day < due_day(due_at):
        # The working days left after the answer are those that were left at the question.
        assert hand_count(resumed_day, expected) == hand_count(paused_day, due_day(due_at))


# --- lateness -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "now", "late"),
    [
        (date(2026, 3, 9), paris(2026, 3, 9, 23, 59), 0),
        (date(2026, 3, 9), paris(2026, 3, 10, 0, 0), 1),
        (date(2026, 3, 9), paris(2026, 3, 10, 18, 0), 1),
        (date(2026, 3, 9), paris(2026, 3, 11, 0, 1), 2),
        # Due on Friday: the weekend after it is one day late, not zero, not three.
        (date(2026, 3, 6), paris(2026, 3, 7, 12, 0), 1),
        (date(2026, 3, 6), paris(2026, 3, 9, 12, 0), 1),
        (date(2026, 3, 6), paris(2026, 3, 10, 12, 0), 2),
        # 1 May and the weekend are not counted.
        (date(2026, 4, 30), paris(2026, 5, 4, 10, 0), 1),
    ],
)
def test_working_days_late(due, now, late):
    assert working_days_late(end_of_day(due), now) == late


# --- every place that shows it --------------------------------------------------------------------


@pytest.fixture
def saturday_case(make_purchase_request, sp_agent, csp_agent, settings):
    """Submitted on Saturday 5 December 2026 with 2 working days: due end of Tuesday 8."""
    settings.CASE_DELAYS_WORKING_DAYS = {**settings.CASE_DELAYS_WORKING_DAYS,
                                         "purchase_request": 2}
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent,
                                 at=paris(2026, 12, 5, 9, 0))
    case.refresh_from_db()
    assert case.due_at == end_of_day(date(2026, 12, 8))
    return case


LONG = "mardi 8 décembre 2026, fin de journée"


@pytest.mark.django_db
def test_every_page_export_api_pdf_and_reminder_shows_the_same_working_day(
        client, saturday_case, csp_agent, sp_agent):
    from documents.tests.test_order_forms import page_texts

    case = saturday_case
    client.force_login(csp_agent)
    assert LONG in client.get(case.get_absolute_url()).content.decode()
    queue = client.get(reverse("cases:queue"), {"state": "all"}).content.decode()
    assert "mar. 08/12/2026" in queue and "09/12/2026" not in queue
    exported = client.get(reverse("cases:queue_export", args=["csv"]), {"state": "all"})
    table = list(csv.reader(io.StringIO(b"".join(exported.streaming_content)
                                        .decode("utf-8-sig")), delimiter=";"))
    column = table[0].index("Échéance (fin de journée)")
    assert [row[column] for row in table[1:]] == ["08/12/2026"]
    summary = client.get(reverse("documents:case_summary", args=[case.pk]))
    content = (b"".join(summary.streaming_content) if summary.streaming else summary.content)
    assert LONG in "".join(page_texts(content)).replace("\u00a0", " ")

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=csp_agent).key}")
    detail = api.get(f"/api/cases/{case.pk}/").json()
    assert detail["due_date"] == "2026-12-08"
    assert datetime.fromisoformat(detail["due_at"]).astimezone(PARIS).date() == date(2026, 12, 8)

    from reminders.services import agent_reminders

    assert agent_reminders(paris(2026, 12, 7, 7, 0)) == 1
    assert f"échéance le {LONG}" in mail.outbox[0].body


@pytest.mark.django_db
def test_the_overdue_filter_flips_after_the_due_day_in_the_database(saturday_case):
    on_time = paris(2026, 12, 8, 23, 59, 59, 999999)
    assert not Case.objects.filter(overdue(on_time), pk=saturday_case.pk).exists()
    assert Case.objects.filter(overdue(paris(2026, 12, 9, 0, 0)), pk=saturday_case.pk).exists()
    # The queue's due-date filter finds it on the day shown.
    assert Case.objects.filter(due_at__date=date(2026, 12, 8), pk=saturday_case.pk).exists()


@pytest.mark.django_db
def test_an_answer_gives_back_the_working_days_the_question_took(saturday_case, sp_agent,
                                                                 csp_agent):
    from cases.services import transition

    case = transition(case=saturday_case, action=Action.REQUEST_INFO, actor=csp_agent,
                      anomaly="missing_document",
                      comment="Précisez", at=paris(2026, 12, 7, 10, 0))  # Monday
    case = transition(case=case, action=Action.ANSWER, actor=sp_agent, comment="Voici",
                      at=paris(2026, 12, 9, 15, 0))  # Wednesday: Tuesday and Wednesday lost
    assert case.due_at == end_of_day(date(2026, 12, 10))
    assert case.events.get(action=Action.ANSWER).data["paused_working_days"] == 2


# --- existing rows ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_moves_stored_due_dates_to_the_end_of_their_working_day(
        make_purchase_request, sp_agent):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0015_due_at_end_of_working_day")
    stored = {
        paris(2026, 3, 11, 0, 0): date(2026, 3, 10),     # midnight: the day that ends there
        paris(2026, 3, 4, 15, 0): date(2026, 3, 4),      # clock time: its day
        paris(2026, 3, 7, 0, 0): date(2026, 3, 6),       # Saturday 00:00 is Friday's end
        paris(2026, 3, 7, 12, 0): date(2026, 3, 9),      # a Saturday: the next working day
        end_of_day(date(2026, 12, 8)): date(2026, 12, 8),  # already right
    }
    cases = []
    for due_at in stored:
        case = make_purchase_request(sp_agent, state=State.SUBMITTED)
        Case.objects.filter(pk=case.pk).update(due_at=due_at)
        cases.append(case)

    migration.forwards(apps, None)

    for case, day in zip(cases, stored.values(), strict=True):
        case.refresh_from_db()
        assert case.due_at == end_of_day(day)
