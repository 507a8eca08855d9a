"""Human references: <prefix>-<SP code>-<year>-<6 digits>, gapless per service, kind and year.

The counter row is locked for the rest of the submitting transaction, so two submissions of
the same service serialise on it, and a rolled-back submission gives its number back.
"""

from django.db import transaction

from .models import REFERENCE_PREFIX, ReferenceCounter


def allocate_reference(*, service, kind: str, year: int) -> str:
    assert transaction.get_connection().in_atomic_block, "allocate inside the submission"
    # Create the row if needed without failing on a concurrent insert, then lock it.
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(service=service, kind=kind, year=year)], ignore_conflicts=True
    )
    counter = ReferenceCounter.objects.select_for_update().get(service=service, kind=kind,
                                                               year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{REFERENCE_PREFIX[kind]}-{service.code}-{year}-{counter.last_value:06d}"
