"""Model fields of the cases' amounts."""

import decimal
import math

from django.db import models
from django.utils.functional import cached_property


class StoredDecimalField(models.DecimalField):
    """A DecimalField whose stored values are always read back, whatever their size.

    SQLite enforces no max_digits: a value written before the limits of cases.limits (a
    1.2e21 € draft posted through the API) stays in the row, and Django's SQLite converter
    rounds it to the field's decimal places within a context of max_digits digits, which
    raises InvalidOperation: every page listing the case answered 500. Read with a context
    wide enough for any stored number, the value shows as it is; the limits keep new ones out
    and PostgreSQL's numeric(14, 2) refuses them anyway. The column is unchanged."""

    @cached_property
    def context(self):
        return decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX,
                               Emin=decimal.MIN_EMIN)

    def deconstruct(self):
        # Migrations see a plain DecimalField: the column is the same, and a changed path
        # would make SQLite rebuild the cases' table for nothing.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs

    def to_python(self, value):
        # A float is still rounded to the field's digits, as DecimalField does (the wide
        # context above would keep its whole binary expansion).
        if isinstance(value, float) and math.isfinite(value):
            value = decimal.Context(prec=self.max_digits).create_decimal_from_float(value)
        return super().to_python(value)
