"""The order form's layout, and dates written in words (« 1er janvier 2026 ») everywhere.

The signature block commits to the totals: it must never stand alone on a page of its own,
whatever the number and length of the order lines.
"""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import PurchaseLine
from cases.workflow import State
from common.dates import long_date
from documents.pdf.layout import fr_date, fr_money
from documents.pdf.order_form import Signatory, render_order_form
from documents.tests.test_order_forms import page_texts

pytestmark = pytest.mark.django_db

MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]
PARIS = ZoneInfo("Europe/Paris")
SIGNATORY = Signatory("Jeanne Agent", "Agente du centre de services partagés")


def in_words(day: date) -> str:
    """What a French reader expects, written independently of the code under test."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


# --- the signature block stays with the totals -------------------------------------------------


@pytest.fixture
def purchase_request(make_purchase_request, sp_agent, csp_agent):
    case = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent)
    return case.purchase_request


def set_lines(purchase_request, labels: list[str]) -> None:
    PurchaseLine.objects.filter(purchase_request=purchase_request).delete()
    PurchaseLine.objects.bulk_create(
        PurchaseLine(purchase_request=purchase_request, position=i, label=label,
                     quantity=Decimal("2"), unit_price_ht=Decimal("4.50"),
                     vat_rate=Decimal("20.00"))
        for i, label in enumerate(labels, start=1))


def pages_of(purchase_request, signatory=SIGNATORY) -> dict:
    """On which pages (0-based) the totals and the signature block are drawn."""
    rendered = render_order_form(purchase_request, signatory=signatory,
                                 issued_at=timezone.now())
    texts = page_texts(rendered.content)
    # The totals table: its « Total TTC » label followed by the order's amount (the lines
    # table's header says « Total TTC » too, followed by other words).
    # (reportlab draws a no-break space as a space.)
    amount = fr_money(purchase_request.amount_ttc).replace("\u00a0", " ")
    totals = re.compile(r"Total TTC\s*" + re.escape(amount))
    return {
        "count": len(texts),
        "totals": [i for i, text in enumerate(texts) if totals.search(text)],
        "signed_on": [i for i, text in enumerate(texts) if "Fait le" in text],
        "stamp": rendered.signature_page,
    }


def assert_signature_with_totals(found: dict) -> None:
    assert len(found["totals"]) == 1, found
    assert found["signed_on"] == found["totals"] == [found["stamp"]], found
    # Nothing comes after the signature: it closes the document.
    assert found["stamp"] == found["count"] - 1, found


def test_the_signature_block_is_on_the_page_of_the_totals_for_1_to_45_lines(purchase_request):
    # 1 to 45 short lines: every position of the end of the lines on page 1 and page 2,
    # including the two- and three-line orders that left the signature alone on page 2.
    seen_pages = set()
    for count in range(1, 46):
        set_lines(purchase_request, [f"Ramette de papier A4 80 g n° {i}" for i in range(count)])
        found = pages_of(purchase_request)
        assert_signature_with_totals(found)
        seen_pages.add(found["count"])
    assert seen_pages >= {1, 2}  # both one-page and two-page orders were drawn


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(labels=st.lists(
    st.text(alphabet=st.sampled_from("abcdefghij klmnop éàç\n"), min_size=1, max_size=300),
    min_size=1, max_size=30),
    signed=st.booleans())
def test_the_signature_block_never_stands_alone_whatever_the_lines(purchase_request, labels,
                                                                   signed):
    set_lines(purchase_request, [label.strip() or "x" for label in labels])
    assert_signature_with_totals(pages_of(purchase_request, SIGNATORY if signed else None))


def test_a_two_line_order_fits_on_one_page(purchase_request):
    set_lines(purchase_request, ["Ramette de papier A4 80 g", "Cartouche d'encre noire"])
    found = pages_of(purchase_request)
    assert found["count"] == 1, found


# --- dates in words -----------------------------------------------------------------------------


FIRST_DAYS = [date(2026, month, 1) for month in range(1, 13)]


@pytest.mark.parametrize("day", FIRST_DAYS + [date(2026, 1, 2), date(2026, 3, 11),
                                             date(2027, 12, 31)], ids=str)
def test_dates_in_words_take_the_ordinal_on_the_first_of_the_month(day):
    assert long_date(day) == fr_date(day) == in_words(day)


@given(day=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_long_date_of_any_day(day):
    assert long_date(day) == in_words(day)
    # No other day number takes a suffix: « 11 », « 21 », « 31 » stay plain.
    assert bool(re.match(r"\d+er ", long_date(day))) == (day.day == 1)


@given(moment=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                           timezones=st.just(ZoneInfo("UTC"))))
def test_a_moment_is_dated_in_the_portal_time_zone(moment):
    # 31 December 23:30 UTC is already the 1st of January in Paris.
    assert django_settings.TIME_ZONE == "Europe/Paris"
    assert long_date(moment) == in_words(moment.astimezone(PARIS).date())


@pytest.mark.parametrize("day", FIRST_DAYS[:3] + [date(2026, 5, 21)], ids=str)
def test_the_template_filter_writes_the_same(day):
    rendered = Template("{% load french_dates %}{{ day|long_date }}").render(
        Context({"day": day}))
    assert rendered == in_words(day)


def test_the_template_filter_leaves_a_missing_date_empty():
    rendered = Template('{% load french_dates %}{{ day|long_date|default:"—" }}').render(
        Context({"day": None}))
    assert rendered == "—"


def test_the_order_form_is_dated_1er(purchase_request):
    case = purchase_request.case
    new_year = datetime(2027, 1, 1, 10, 0, tzinfo=PARIS)
    case.submitted_at = datetime(2026, 12, 1, 9, 0, tzinfo=PARIS)
    case.save(update_fields=["submitted_at"])
    rendered = render_order_form(purchase_request, signatory=SIGNATORY, issued_at=new_year)
    text = "".join(page_texts(rendered.content))
    assert "Fait le 1er janvier 2027" in text
    assert "du 1er décembre 2026" in text
    assert not re.search(r"\b1 (janvier|décembre)", text)


def test_no_template_writes_a_day_number_with_django_date_format():
    # `date:"j F Y"` (or any format with a day number `j` beside a month name) writes
    # « 1 janvier »: templates use `long_date` instead. Numeric formats (d/m/Y) are fine.
    offenders = []
    date_filter = re.compile(r"""\|date:\s*["']([^"']*)["']""")
    for path in Path(django_settings.BASE_DIR).rglob("*.html"):
        if any(part in {".venv", "node_modules", "static"} for part in path.parts):
            continue
        for fmt in date_filter.findall(path.read_text(encoding="utf-8")):
            if re.search(r"(?<!\\)j", fmt) and re.search(r"(?<!\\)[FNEM]", fmt):
                offenders.append(f"{path}: {fmt}")
    assert not offenders, offenders


def test_a_moment_on_new_year_night_in_utc():
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert long_date(moment) == "1er janvier 2027"
    assert long_date(moment - timedelta(hours=1)) == "31 décembre 2026"
