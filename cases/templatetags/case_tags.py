from datetime import datetime
from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html

from cases import sla, workflow
from cases.amounts import LineData
from cases.amounts import line_totals as compute
from cases.models import ProcurementRoute
from cases.workflow import Action, State

register = template.Library()

BADGE_CLASSES = {
    State.DRAFT: "fr-badge--new",
    State.AWAITING_VALIDATION: "fr-badge--warning",
    State.SUBMITTED: "fr-badge--info",
    State.IN_PROGRESS: "fr-badge--info",
    State.INFO_REQUESTED: "fr-badge--warning",
    State.AWAITING_CST: "fr-badge--warning",
    State.AT_MISSION: "fr-badge--info",
    State.MISSION_INFO: "fr-badge--warning",
    State.AWAITING_VISA: "fr-badge--warning",
    State.COMPLETED: "fr-badge--success",
    State.REJECTED: "fr-badge--error",
    State.CANCELLED: "",
}


@register.filter
def euros(value) -> str:
    if value in (None, ""):
        return "—"
    return number_format(Decimal(value), decimal_pos=2, force_grouping=True) + "\u00a0€"


@register.simple_tag
def state_badge(case):
    # Written here rather than by a template, and State(...).label rather than
    # get_state_display() (which translates every state's label to find one): a badge cost
    # ~0.1 ms, and the queue shows 50.
    return format_html('<p class="fr-badge fr-badge--sm fr-badge--no-icon {}">{}</p>',
                       BADGE_CLASSES.get(case.state, ""), State(case.state).label)


@register.filter
def procurement_route(value) -> str:
    """The purchasing mission's choice as people read it (« Marché existant »)."""
    return ProcurementRoute(value).label if value in ProcurementRoute.values else ""


@register.filter
def day(value) -> str:
    """A date or time as dd/mm/yyyy, in the portal's time zone: what `date:"d/m/Y"` writes,
    at a tenth of its cost (it showed on the queue's 50 rows)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y")


@register.filter
def due_label(value) -> str:
    """The due date as people read it: « mardi 8 décembre 2026, fin de journée » (the last
    working day of the delay; cases/sla.py says why the stored instant is not shown)."""
    return sla.due_label(value)


@register.filter
def due_short(value) -> str:
    """The due date in lists: « mar. 08/12/2026 »."""
    return sla.due_short(value)


@register.filter
def event_label(event) -> str:
    return workflow.event_label(event.action)


@register.filter
def line_totals(line):
    """HT/VAT/TTC of a PurchaseLine, rounded as the request's totals are."""
    return compute(LineData(label=line.label, quantity=line.quantity,
                            unit_price_ht=line.unit_price_ht, vat_rate=line.vat_rate))


@register.filter
def is_overdue(case) -> bool:
    from cases.selectors import case_is_overdue

    return case_is_overdue(case)


# The states and actions the templates branch on, read from cases.workflow so that no template
# spells a state or an action by its stored value.
@register.filter
def is_draft(case) -> bool:
    return case.state == State.DRAFT


@register.filter
def is_completed(case) -> bool:
    return case.state == State.COMPLETED


@register.filter
def signs_document(form) -> bool:
    """The action signs a PDF with the agent's certificate (the order form, the certificate
    of service done): the page says so, and disables it when signing is impossible."""
    return form.action in (Action.SIGN, Action.CERTIFY)


@register.filter
def signs_order_form(form) -> bool:
    return form.action == Action.SIGN


@register.filter
def is_secondary_action(form) -> bool:
    """Rejecting or cancelling is drawn as a secondary button."""
    return form.action in (Action.REJECT, Action.CANCEL)


@register.simple_tag
def queue_links() -> dict:
    """The address of each queue tab by its key (« to_process », « awaiting_cst »…), as the
    queue's own tabs link them (cases.filters.tab_queries)."""
    from cases.filters import tab_queries

    base = reverse("cases:queue")
    return {key: base + query for key, query in tab_queries().items()}


@register.simple_tag
def breadcrumb_data(current, *parents) -> dict:
    """What dsfr_breadcrumb draws: the home page, then the parents given as (url, title)
    pairs (a pair without url is left out), then the current page."""
    links = [{"url": url, "title": title}
             for url, title in zip(parents[::2], parents[1::2], strict=True) if url]
    return {"links": links, "current": current, "root_dir": reverse("home")}


@register.filter
def page_links(page_obj):
    """The page with the list of page numbers dsfr_pagination draws: the first two, the
    current one and its neighbours, the last two, « … » for each gap of more than one."""
    last = page_obj.paginator.num_pages
    current = page_obj.number
    numbers = sorted({n for n in (1, 2, current - 1, current, current + 1, last - 1, last)
                      if 1 <= n <= last})
    pages = []
    for number in numbers:
        if pages and number - pages[-1] == 2:
            pages.append(number - 1)
        elif pages and number - pages[-1] > 2:
            pages.append("…")
        pages.append(number)
    page_obj.pages_list = pages
    return page_obj
