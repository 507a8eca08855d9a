"""Reads on cases: queues, lists, timelines. Every query starts from what the user may see."""

from django.db.models import CharField, Count, Min, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from common.versioned_cache import cached_for
from portal.models import CENTRE_ROLES, SP_ROLES, Role
from portal.selectors import (
    agent_group_ids_of,
    centres_of,
    prescribing_services_of,
    service_ids_of_user,
)

from . import kinds, permissions
from .models import Case, CaseEvent
from .workflow import CLOCK_RUNNING_STATES, OPEN_STATES, QUEUE_STATES, State

# What a row of an export shows beside the case: service, agent, supplier (name, SIRET, IBAN).
QUEUE_ROW_RELATIONS = ("requesting_service", "assigned_to", "purchase_request__tiers",
                       "service_done__purchase_request__tiers", "tiers_request")


def case_get_for_user(*, user, pk) -> Case:
    """The case if the user may see it; Case.DoesNotExist otherwise (answer 404)."""
    return (
        permissions.visible_cases(user)
        .select_related("requesting_service", "processing_centre", "created_by", "assigned_to",
                        "agent_group")
        .get(pk=pk)
    )


def case_queue_for_user(*, user):
    """The centre's queue: cases the user may process, once they reached the centre."""
    return (
        permissions.visible_cases(user, permissions.PROCESS)
        .filter(processing_centre__in=centres_of(user), state__in=QUEUE_STATES)
        .order_by("due_at", "pk")
    )


def queue_rows(queryset):
    """What a page of the queue shows beside each case: its service and agent, and the
    columns its kind fills (cases/kinds.py: `supplier_name`, `has_penalties`), each read by
    subqueries for the page's rows only: joining the kinds' tables made PostgreSQL spend
    ~10 ms planning a query that ran in ~1 ms (bench/README.md)."""
    # The wizard's saved steps are the draft's, never a row's: not read, nor decoded.
    return queryset.select_related("requesting_service", "assigned_to", "agent_group").defer(
        "wizard_state").annotate(
        supplier_name=_column("supplier_name", Value(None, output_field=CharField())),
        has_penalties=_column("has_penalties", Value(False)),
        procurement_route=_column("procurement_route",
                                  Value(None, output_field=CharField())),
    )


def _column(name: str, default):
    values = kinds.queue_columns(name)
    return Coalesce(*values, default) if values else default


def cases_of_requesting_services(*, user):
    """'Mes demandes': the user's drafts and the cases of their services."""
    return (
        permissions.visible_cases(user)
        .filter(requesting_service__in=prescribing_services_of(user))
        .filter(~Q(state=State.DRAFT) | Q(created_by=user))
        .select_related("requesting_service", "created_by")
        .order_by("-updated_at", "-pk")
    )


def cases_awaiting_validation_for(*, user):
    services = service_ids_of_user(user, [Role.ORDONNATEUR])
    if not services:
        return Case.objects.none()
    return (
        permissions.visible_cases(user)
        .filter(requesting_service__in=services, state=State.AWAITING_VALIDATION)
        .select_related("requesting_service", "created_by")
        .order_by("updated_at", "pk")
    )


def case_timeline(*, case: Case):
    return CaseEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "pk")


def case_is_overdue(case: Case, now=None) -> bool:
    return (case.state in CLOCK_RUNNING_STATES and case.due_at is not None
            and case.due_at < (now or timezone.now()))


def overdue(now=None) -> Q:
    """The same rule as case_is_overdue, as a condition."""
    return Q(state__in=CLOCK_RUNNING_STATES, due_at__lt=now or timezone.now())


def overdue_cases(queryset, now=None):
    return queryset.filter(overdue(now))


def queue_counts(*, user) -> dict[str, int]:
    """The tabs' counts, and every open case (`open`), in one pass over the open cases of
    the queue; cached until a case of the user's centres or the user's access changes, or
    the next open case falls overdue."""
    return cached_for(user, "cases:queue", lambda: _queue_counts(user),
                      service_ids=service_ids_of_user(user, CENTRE_ROLES))


def _queue_counts(user) -> tuple[dict[str, int], object]:
    now = timezone.now()
    open_cases = case_queue_for_user(user=user).order_by().filter(state__in=OPEN_STATES)
    # Looked up for the kinds that have the condition only, not joined to every open case.
    penalties = kinds.queue_filter("penalties")
    # « Mes groupes »: the open cases of the groups the user belongs to (not in the counts of
    # someone in no group: the tab is not drawn for them).
    groups = agent_group_ids_of(user)
    by_group = {"my_groups": Count("pk", filter=Q(agent_group_id__in=groups))} if groups else {}
    counts = open_cases.aggregate(
        **by_group,
        open=Count("pk"),
        to_process=Count("pk", filter=Q(state=State.SUBMITTED)),
        mine=Count("pk", filter=Q(assigned_to=user)),
        overdue=Count("pk", filter=overdue(now)),
        awaiting_cst=Count("pk", filter=Q(state=State.AWAITING_CST)),
        waiting_sp=Count("pk", filter=Q(state=State.INFO_REQUESTED)),
        penalties=Count("pk", filter=penalties),
        # When the overdue count next changes with no write: the next due date to pass.
        next_overdue=Min("due_at", filter=Q(state__in=CLOCK_RUNNING_STATES, due_at__gte=now)),
    )
    return counts, counts.pop("next_overdue")


def to_answer_count(*, user) -> int:
    """The questions waiting for an answer from the user's services (the menu's badge)."""
    return cached_for(user, "cases:to_answer",
                      lambda: (cases_of_requesting_services(user=user).order_by()
                               .filter(state=State.INFO_REQUESTED).count(), None),
                      service_ids=service_ids_of_user(user, SP_ROLES))
