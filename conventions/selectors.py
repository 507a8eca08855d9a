"""Reads on conventions: which convention binds a service and its centre on a given day."""

from datetime import date

from django.db.models import Q

from .models import ConventionPage


def convention_in_force(*, service, centre, on: date) -> ConventionPage | None:
    """The live convention between `service` and `centre` in force on `on` (the most recent
    start wins when two overlap)."""
    return (
        ConventionPage.objects.live()
        .filter(centre=centre, services=service, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("centre")
        .order_by("-valid_from", "-pk")
        .first()
    )


def invoicing_identifiers(*, service, centre, on: date) -> tuple[str, str]:
    """(SIRET, service code) of the State invoicing service for this centre's orders: the
    convention's when it sets them, else the centre's own."""
    convention = convention_in_force(service=service, centre=centre, on=on)
    if convention is not None:
        parameters = convention.parameters
        return parameters["chorus_siret"], parameters["chorus_service_code"]
    return centre.chorus_siret, centre.chorus_service_code
