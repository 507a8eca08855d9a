"""Dates as French readers write them in full: « 1er janvier 2026 », « 2 janvier 2026 ».

Django's `date:"j F Y"` (and the French DATE_FORMAT) writes « 1 janvier »: French takes the
ordinal for the first day of a month only, which no format character of Django produces.
Every page, e-mail and PDF that writes a date in words goes through `long_date` (the
template filter `long_date` of `{% load french_dates %}`, `documents.pdf.layout.fr_date`).
"""

from datetime import date, datetime

from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _


def day_of_month(day: int) -> str:
    """« 1er » for the first of a month, the plain number for any other day."""
    return _("1er") if day == 1 else str(day)


def long_date(value: date | datetime | None) -> str:
    """« 1er janvier 2026 »; a date-time is read in the portal's time zone; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    with translation.override("fr"):
        return f"{day_of_month(value.day)} {dateformat.format(value, 'F Y')}"
