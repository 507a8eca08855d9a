"""The bounds of a purchase request's lines and totals: one set, read by the web wizard's
line forms (cases.forms), the API's serializers (cases.api), the filling service
(cases.services.purchase_request_fill) and the line model's field validators, so that the API
never accepts what the web form refuses (or the reverse) and nothing is stored beyond what
the amount columns (numeric(14, 2)) hold.

The bounds: at most 50 lines; a quantity from 0,001 to 999 999 999,999 (3 decimals, the
quantity column's capacity); a unit price from 0 to 999 999 999,99 € HT (2 decimals); one of
the French VAT rates; a line's total and the request's total at most 999 999 999,99 €, which
keeps every sum of the case within its columns with room to spare."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

MIN_LINES, MAX_LINES = 1, 50
QUANTITY_MAX_DIGITS, QUANTITY_DECIMAL_PLACES = 12, 3
MIN_QUANTITY, MAX_QUANTITY = Decimal("0.001"), Decimal("999999999.999")
PRICE_MAX_DIGITS, PRICE_DECIMAL_PLACES = 11, 2
MIN_UNIT_PRICE, MAX_UNIT_PRICE = Decimal("0.00"), Decimal("999999999.99")
# A line's total HT and the request's total TTC.
MAX_AMOUNT = Decimal("999999999.99")
VAT_RATES = (Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("2.10"),
             Decimal("0.00"))


def fr_decimal(value: Decimal, places: int = 2) -> str:
    """999 999 999,99: a bound or a total written as the messages show it."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def _vat_label(rate: Decimal) -> str:
    return f"{fr_decimal(rate, 2).rstrip('0').rstrip(',')} %"


VAT_RATE_CHOICES = [(rate, _("0 % (exonéré)") if not rate else _vat_label(rate))
                    for rate in VAT_RATES]


def bounded_message(template, **values):
    """A French message with the bounds written in (lazy: translated when shown)."""
    return lazy(lambda: str(template) % values, str)()


QUANTITY_VALIDATORS = [
    MinValueValidator(MIN_QUANTITY, _("La quantité doit être strictement positive.")),
    MaxValueValidator(MAX_QUANTITY, bounded_message(
        _("La quantité ne peut pas dépasser %(max)s."), max=fr_decimal(MAX_QUANTITY, 3))),
]
UNIT_PRICE_VALIDATORS = [
    MinValueValidator(MIN_UNIT_PRICE, _("Le prix unitaire ne peut pas être négatif.")),
    MaxValueValidator(MAX_UNIT_PRICE, bounded_message(
        _("Le prix unitaire ne peut pas dépasser %(max)s € HT."),
        max=fr_decimal(MAX_UNIT_PRICE))),
]


def validate_vat_rate(value) -> None:
    if value not in VAT_RATES:
        raise ValidationError(
            _("Choisissez un taux de TVA parmi %(rates)s."), code="vat_rate",
            params={"rates": ", ".join(_vat_label(rate) for rate in VAT_RATES)})


def validate_line_total(total_ht: Decimal) -> None:
    if total_ht > MAX_AMOUNT:
        raise ValidationError(
            _("Le total de la ligne (%(total)s € HT) dépasse la limite de %(max)s € HT : "
              "réduisez la quantité ou le prix unitaire."), code="line_total",
            params={"total": fr_decimal(total_ht), "max": fr_decimal(MAX_AMOUNT)})


def validate_request_total(total_ttc: Decimal) -> None:
    if total_ttc > MAX_AMOUNT:
        raise ValidationError(
            _("Le montant total de la demande (%(total)s € TTC) dépasse la limite de "
              "%(max)s € TTC."), code="request_total",
            params={"total": fr_decimal(total_ttc), "max": fr_decimal(MAX_AMOUNT)})


def validate_line_count(count: int) -> None:
    if count < MIN_LINES:
        raise ValidationError(_("Ajoutez au moins une ligne de commande."), code="too_few")
    if count > MAX_LINES:
        raise ValidationError(_("Une demande ne peut pas dépasser %(max)s lignes."),
                              code="too_many", params={"max": MAX_LINES})
