from django import template

from common.dates import long_date as _long_date

register = template.Library()


@register.filter
def long_date(value) -> str:
    """A date in words, « 1er janvier 2026 » (see common/dates.py); use it instead of
    `date:"j F Y"`, which writes « 1 janvier »."""
    return _long_date(value)
