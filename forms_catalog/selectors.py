"""Reads on the catalogue: which forms a service may use, what a case's answers were."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import kinds
from common.versioned_cache import PAGE_TREE, cached_for
from portal.selectors import prescribing_services_of

from . import referentials
from .models import ProcedureFormPage, RoutingRule
from .schema import INPUT_TYPES, applicable_answers, is_shown


def form_url(page) -> str:
    """The kind's own wizard, or the catalogue's for a kind filled from its page's fields."""
    new_url = kinds.get(page.form_kind).new_url
    if new_url:
        return reverse(new_url)
    return reverse("forms_catalog:new", args=[page.pk])


@dataclass(frozen=True)
class CatalogueCard:
    title: str
    intro: str
    url: str


def catalogue_cards(user) -> list[CatalogueCard]:
    """The home page's « Faire une demande »: the catalogue of `user`, from the cache until
    their services or the published pages change."""
    return cached_for(user, "forms_catalog:cards",
                      lambda: ([CatalogueCard(page.title, page.intro, form_url(page))
                                for page in catalogue_for_user(user)], None),
                      versions=[PAGE_TREE])


def forms_for_service(service):
    return (ProcedureFormPage.objects.live()
            .filter(Q(services=None) | Q(services=service), form_kind__in=kinds.codes())
            .distinct().order_by("path"))


def catalogue_for_user(user):
    """The live catalogue forms any of the user's prescribing services may use."""
    services = list(prescribing_services_of(user))
    if not services:
        return ProcedureFormPage.objects.none()
    return (ProcedureFormPage.objects.live()
            .filter(Q(services=None) | Q(services__in=services), form_kind__in=kinds.codes())
            .distinct().order_by("path"))


def _day(iso: str) -> str:
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return str(iso)


def display_value(item: dict, value):
    """An answer as people read it (text; several lines where it has parts)."""
    if value in (None, "", [], {}):
        return value
    kind = item["type"]
    if kind == "repetition":
        lines = []
        for number, row in enumerate(value if isinstance(value, list) else [], start=1):
            # The block's order, not the stored dict's (PostgreSQL's jsonb reorders keys).
            row = row if isinstance(row, dict) else {}
            parts = [f"{sub['label']} : {display_value(sub, row.get(sub['key']))}"
                     for sub in item.get("fields", [])
                     if row.get(sub["key"]) not in (None, "", [])]
            lines.append(f"{number}. " + " ; ".join(parts))
        return "\n".join(lines)
    if isinstance(value, list):
        return ", ".join(entry.get("name", "") if isinstance(entry, dict) else str(entry)
                         for entry in value)
    if kind == "address" and isinstance(value, dict):
        return f"{value.get('street', '')}\n{value.get('postcode', '')} {value.get('commune', '')}"
    if kind == "commune" and isinstance(value, dict):
        return f"{value.get('commune', '')} ({value.get('postcode', '')})"
    if kind == "date_range" and isinstance(value, dict):
        return _("du %(start)s au %(end)s") % {"start": _day(value.get("start")),
                                              "end": _day(value.get("end"))}
    if isinstance(value, dict):
        return value.get("name", "")
    if kind == "department":
        return referentials.department_label(value)
    if kind == "country":
        return referentials.country_label(value)
    return value


def answers_by_step(schema: dict, answers: dict) -> list[dict]:
    """What was asked and answered, step by step, leaving out fields that did not apply."""
    answers = applicable_answers(schema, answers)
    steps = []
    for step in schema.get("steps", []):
        rows = []
        for item in step["items"]:
            if item["type"] not in INPUT_TYPES or not is_shown(item, answers):
                continue
            value = display_value(item, answers.get(item["key"]))
            rows.append({"label": item["label"], "value": value, "type": item["type"]})
        if rows:
            steps.append({"title": step["title"], "rows": rows})
    return steps


def forms_routing_to(group) -> list[str]:
    """The titles of the forms whose (published) routing rules name `group`."""
    return list(RoutingRule.objects.filter(group=group).order_by("page__title")
                .values_list("page__title", flat=True).distinct())
