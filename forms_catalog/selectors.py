"""Reads on the catalogue: which forms a service may use, what a case's answers were."""

from django.db.models import Q

from cases import kinds
from portal.selectors import prescribing_services_of

from .models import ProcedureFormPage, RoutingRule
from .schema import INPUT_TYPES, is_shown


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


def answers_by_step(schema: dict, answers: dict) -> list[dict]:
    """What was asked and answered, step by step, leaving out fields that did not apply."""
    steps = []
    for step in schema.get("steps", []):
        rows = []
        for item in step["items"]:
            if item["type"] not in INPUT_TYPES or not is_shown(item, answers):
                continue
            value = answers.get(item["key"])
            if isinstance(value, list):
                value = ", ".join(value)
            elif isinstance(value, dict):
                value = value.get("name", "")
            rows.append({"label": item["label"], "value": value, "type": item["type"]})
        if rows:
            steps.append({"title": step["title"], "rows": rows})
    return steps


def forms_routing_to(group) -> list[str]:
    """The titles of the forms whose (published) routing rules name `group`."""
    return list(RoutingRule.objects.filter(group=group).order_by("page__title")
                .values_list("page__title", flat=True).distinct())
