"""What a transition (or a page listing the possible ones) reads around a case, read once.

The rules, the kinds' checks and the effects of one transition ask the same things (the
convention in force, a delegation's ceiling, the kind's detail row): inside `reads_once(case)`
`read_once` keeps each answer on that case object, which forgets them at the end of the
block. Only reads that nothing in the block writes belong here."""

from contextlib import contextmanager

from conventions.selectors import convention_in_force

from .models import Case


@contextmanager
def reads_once(case: Case):
    """Within the block, `read_once` answers each question about `case` once."""
    owner = "_reads" not in case.__dict__
    if owner:
        case.__dict__["_reads"] = {}
    try:
        yield case
    finally:
        if owner:
            case.__dict__.pop("_reads", None)


def read_once(case: Case, key, read):
    """`read()`, once per `reads_once` block on `case` (outside one: every time)."""
    reads = case.__dict__.get("_reads")
    if reads is None:
        return read()
    if key not in reads:
        reads[key] = read()
    return reads[key]


def convention_of(case: Case, on) -> object | None:
    """The convention in force on `on` between the case's service and centre (read once per
    transition)."""
    return read_once(case, ("convention", on), lambda: convention_in_force(
        service=case.requesting_service, centre=case.processing_centre, on=on))
