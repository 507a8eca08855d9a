"""The late-payment arithmetic against examples worked by hand (the figures are written in
each test). ECB rates: those the migration seeds (invoices/migrations/0002)."""

from datetime import date
from decimal import Decimal

import pytest

from invoices.moratorium import (
    half_year_start,
    interest,
    moratorium_rate,
    payment_delay,
)

RATES = [(date(2023, 9, 20), Decimal("4.50")), (date(2024, 6, 12), Decimal("4.25")),
         (date(2024, 9, 18), Decimal("3.65")), (date(2024, 10, 23), Decimal("3.40")),
         (date(2024, 12, 18), Decimal("3.15")), (date(2025, 2, 5), Decimal("2.90")),
         (date(2025, 3, 12), Decimal("2.65")), (date(2025, 4, 23), Decimal("2.40")),
         (date(2025, 6, 11), Decimal("2.15"))]


def delay(amount, received, covered=None, today=date(2025, 12, 31), days=30):
    return payment_delay(amount_ttc=Decimal(amount), received_on=received, delay_days=days,
                         covered_on=covered, today=today, rates=RATES)


@pytest.mark.parametrize(("day", "start"), [
    (date(2025, 1, 1), date(2025, 1, 1)), (date(2025, 6, 30), date(2025, 1, 1)),
    (date(2025, 7, 1), date(2025, 7, 1)), (date(2025, 12, 31), date(2025, 7, 1)),
])
def test_half_year_start(day, start):
    assert half_year_start(day) == start


@pytest.mark.parametrize(("interest_from", "rate"), [
    # 1 Jan 2024: 4.50 (20/09/2023) → 12.50; 1 Jul 2024: 4.25 (12/06/2024) → 12.25;
    # 1 Jan 2025: 3.15 (18/12/2024) → 11.15; 1 Jul 2025: 2.15 (11/06/2025) → 10.15.
    (date(2024, 3, 1), "12.50"), (date(2024, 8, 1), "12.25"),
    (date(2025, 6, 30), "11.15"), (date(2025, 7, 1), "10.15"),
    # A rate changed in the middle of the half-year applies from the next one only: on
    # 6 Feb 2025 the ECB rate was 2.90, but the half-year's is that of 1 January, 3.15.
    (date(2025, 2, 6), "11.15"),
])
def test_the_rate_is_the_ecb_rate_on_the_first_day_of_the_half_year_plus_8(interest_from,
                                                                             rate):
    assert moratorium_rate(RATES, interest_from) == Decimal(rate)


def test_no_rate_before_the_first_known_one():
    assert moratorium_rate(RATES, date(2023, 3, 1)) is None


def test_worked_example_thirty_days_late_in_the_first_half_of_2025():
    # 12,000.00 € TTC received 10/01/2025, due 10/01 + 30 d = 09/02/2025. Certified
    # 11/03/2025: 09/02 → 11/03 = 30 days late (February 2025 has 28 days). Interest runs
    # from 10/02/2025: half-year from 01/01/2025, ECB 3.15 % + 8 = 11.15 %.
    # 12,000 × 11.15 % × 30 / 365 = 1,338 × 30 / 365 = 40,140 / 365 = 109.9726… → 109.97 €;
    # plus 40 € = 149.97 €.
    result = delay("12000.00", date(2025, 1, 10), covered=date(2025, 3, 11))
    assert result.due_on == date(2025, 2, 9)
    assert result.waiting_days == 60
    assert result.days_late == 30
    assert result.rate == Decimal("11.15")
    assert result.interest == Decimal("109.97")
    assert result.indemnity == Decimal("40.00")
    assert result.cost == Decimal("149.97")


def test_worked_example_certified_on_the_due_date_costs_nothing_one_day_later_costs():
    # 1,000.00 € received 01/06/2025, due 01/07/2025.
    on_time = delay("1000.00", date(2025, 6, 1), covered=date(2025, 7, 1))
    assert (on_time.days_late, on_time.cost, on_time.rate) == (0, Decimal("0.00"), None)
    assert not on_time.late
    # Certified 02/07: 1 day late; interest from 02/07/2025, half-year from 01/07/2025:
    # ECB 2.15 % + 8 = 10.15 %. 1,000 × 10.15 % × 1 / 365 = 101.5 / 365 = 0.2781 → 0.28 €;
    # plus 40 € = 40.28 €.
    late = delay("1000.00", date(2025, 6, 1), covered=date(2025, 7, 2))
    assert (late.days_late, late.rate, late.interest, late.cost) == (
        1, Decimal("10.15"), Decimal("0.28"), Decimal("40.28"))


def test_worked_example_the_half_year_in_which_interest_starts_decides_the_rate():
    # 3,650.00 € received 20/05/2025, due 19/06/2025; interest from 20/06/2025, in the first
    # half-year: 3.15 + 8 = 11.15 % though the ECB rate was 2.15 % then. Certified 29/06:
    # 10 days. 3,650 × 11.15 % × 10 / 365 = 11.15 € exactly; + 40 € = 51.15 €.
    result = delay("3650.00", date(2025, 5, 20), covered=date(2025, 6, 29))
    assert (result.days_late, result.rate, result.interest, result.cost) == (
        10, Decimal("11.15"), Decimal("11.15"), Decimal("51.15"))


def test_worked_example_still_waiting_counts_until_today():
    # 7,300.00 € received 01/08/2025, due 31/08/2025, not certified; today 30/09/2025: 30
    # days late; interest from 01/09/2025: 2.15 + 8 = 10.15 %.
    # 7,300 × 10.15 % × 30 / 365 = 20 × 10.15 % × 30 = 60.90 €; + 40 € = 100.90 €.
    result = delay("7300.00", date(2025, 8, 1), today=date(2025, 9, 30))
    assert (result.waiting_days, result.days_late, result.interest, result.cost) == (
        60, 30, Decimal("60.90"), Decimal("100.90"))


def test_a_longer_convention_delay_moves_the_due_date():
    # 45 days: received 01/08/2025, due 15/09/2025; today 30/09: 15 days late.
    result = delay("7300.00", date(2025, 8, 1), today=date(2025, 9, 30), days=45)
    assert (result.due_on, result.days_late) == (date(2025, 9, 15), 15)
    # 20 × 10.15 % × 15 = 30.45 €.
    assert result.interest == Decimal("30.45")


def test_certified_before_receipt_waits_zero_days():
    result = delay("100.00", date(2025, 8, 1), covered=date(2025, 7, 20))
    assert (result.waiting_days, result.days_late) == (0, 0)


def test_interest_rounds_half_up_to_the_cent():
    # 365 × 10 % × 1 / 365 = 0.10; 36.5 × 10 % / 365 = 0.01; 18.25 × 10 % / 365 = 0.005 → 0.01
    assert interest(Decimal("365.00"), Decimal("10"), 1) == Decimal("0.10")
    assert interest(Decimal("18.25"), Decimal("10"), 1) == Decimal("0.01")
    assert interest(Decimal("18.24"), Decimal("10"), 1) == Decimal("0.00")
