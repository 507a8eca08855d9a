"""Human references: <prefix>-<SP code>-<year>-<6 digits>, gapless per service, kind and year.

The counter row is locked for the rest of the submitting transaction, so two submissions of
the same service serialise on it, and a rolled-back submission gives its number back.
"""

from django.db import connection, transaction

from . import kinds
from .models import ReferenceCounter


def _next_value_sql() -> str:
    meta = ReferenceCounter._meta
    table = connection.ops.quote_name(meta.db_table)
    service, kind, year, last = (connection.ops.quote_name(meta.get_field(name).column)
                                 for name in ("service", "kind", "year", "last_value"))
    return (f"INSERT INTO {table} ({service}, {kind}, {year}, {last}) VALUES (%s, %s, %s, 1) "
            f"ON CONFLICT ({service}, {kind}, {year}) "
            f"DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}")


def allocate_reference(*, service, kind: str, year: int) -> str:
    assert transaction.get_connection().in_atomic_block, "allocate inside the submission"
    # One statement creates the counter or moves it on, and keeps its row locked until the
    # submission commits or rolls back (PostgreSQL and SQLite both know this upsert).
    with connection.cursor() as cursor:
        cursor.execute(_next_value_sql(), [service.pk, kind, year])
        (value,) = cursor.fetchone()
    return f"{kinds.get(kind).reference_prefix}-{service.code}-{year}-{value:06d}"
