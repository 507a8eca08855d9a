from decimal import Decimal

from django import template
from django.utils.formats import number_format

from cases import workflow
from cases.workflow import State

register = template.Library()

BADGE_CLASSES = {
    State.DRAFT: "fr-badge--new",
    State.AWAITING_VALIDATION: "fr-badge--warning",
    State.SUBMITTED: "fr-badge--info",
    State.IN_PROGRESS: "fr-badge--info",
    State.INFO_REQUESTED: "fr-badge--warning",
    State.AWAITING_CST: "fr-badge--warning",
    State.COMPLETED: "fr-badge--success",
    State.REJECTED: "fr-badge--error",
    State.CANCELLED: "",
}


@register.filter
def euros(value) -> str:
    if value in (None, ""):
        return "—"
    return number_format(Decimal(value), decimal_pos=2, force_grouping=True) + "\u00a0€"


@register.inclusion_tag("cases/_state_badge.html")
def state_badge(case):
    # State(...).label rather than get_state_display(), which translates every state's
    # label to find one: ~0.1 ms a badge, 50 badges a queue page.
    return {"label": State(case.state).label, "css": BADGE_CLASSES.get(case.state, "")}


@register.filter
def event_label(event) -> str:
    return workflow.event_label(event.action)


@register.filter
def line_totals(line):
    """HT/VAT/TTC of a PurchaseLine, rounded as the request's totals are."""
    from cases.services import LineData
    from cases.services import line_totals as compute

    return compute(LineData(label=line.label, quantity=line.quantity,
                            unit_price_ht=line.unit_price_ht, vat_rate=line.vat_rate))


@register.filter
def is_overdue(case) -> bool:
    from cases.selectors import case_is_overdue

    return case_is_overdue(case)
