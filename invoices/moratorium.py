"""The cost of paying an invoice late, as French public procurement law sets it (Code de la
commande publique, art. L2192-10 to L2192-14 and R2192-31 to R2192-36; décret 2013-269):

- the payment delay runs from the invoice's receipt: 30 calendar days for the State (the
  convention's `payment_delay_days`); the due date is receipt + delay;
- moratorium interest runs from the day after the due date until payment; here payment is
  estimated at the certification of the service done (the order to pay), or today while it
  is still missing;
- its rate is the European Central Bank's main refinancing rate in force on the FIRST DAY OF
  THE HALF-YEAR (1 January or 1 July) in which the interest started to run, plus 8 points;
  a rate change in the middle of the half-year applies from the next one;
- interest = amount TTC × rate × days late / 365 (rounded to the cent, half up);
- plus a flat indemnity for recovery costs of 40 €, once per late invoice.

Pure arithmetic on plain values: no database, so that the worked examples of the tests
check it by hand.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

LEGAL_MARGIN_POINTS = Decimal("8.00")
FLAT_INDEMNITY = Decimal("40.00")
DAYS_IN_YEAR = 365
CENT = Decimal("0.01")


def half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def ecb_rate_on(rates: Iterable[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The ECB rate in force on `day`: the latest of (valid_from, rate) starting on or
    before it; None when none does."""
    in_force = [(valid_from, rate) for valid_from, rate in rates if valid_from <= day]
    return max(in_force)[1] if in_force else None


def moratorium_rate(rates: Iterable[tuple[date, Decimal]], interest_from: date
                    ) -> Decimal | None:
    """The yearly rate (in %) of interest starting to run on `interest_from`."""
    ecb = ecb_rate_on(rates, half_year_start(interest_from))
    return None if ecb is None else ecb + LEGAL_MARGIN_POINTS


def interest(amount_ttc: Decimal, rate_percent: Decimal, days_late: int) -> Decimal:
    raw = amount_ttc * rate_percent / Decimal(100) * days_late / DAYS_IN_YEAR
    return raw.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PaymentDelay:
    received_on: date
    delay_days: int
    due_on: date
    # The day the service done was certified, or today while it is missing.
    until: date
    waiting_days: int
    days_late: int
    rate: Decimal | None  # yearly %, ECB + 8 points; None when not late or no rate known
    interest: Decimal
    indemnity: Decimal

    @property
    def late(self) -> bool:
        return self.days_late > 0

    @property
    def cost(self) -> Decimal:
        return self.interest + self.indemnity


def payment_delay(*, amount_ttc: Decimal, received_on: date, delay_days: int,
                  covered_on: date | None, today: date,
                  rates: Iterable[tuple[date, Decimal]]) -> PaymentDelay:
    """The delay, the days spent waiting for the service done, and the estimated cost."""
    due_on = received_on + timedelta(days=delay_days)
    until = covered_on or today
    waiting = max((until - received_on).days, 0)
    days_late = max((until - due_on).days, 0)
    rate = moratorium_rate(rates, due_on + timedelta(days=1)) if days_late else None
    return PaymentDelay(
        received_on=received_on, delay_days=delay_days, due_on=due_on, until=until,
        waiting_days=waiting, days_late=days_late, rate=rate,
        interest=interest(amount_ttc, rate, days_late) if rate is not None else Decimal("0.00"),
        indemnity=FLAT_INDEMNITY if days_late else Decimal("0.00"))
