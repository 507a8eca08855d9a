"""Reads on conventions: which convention binds a service and its centre on a given day."""

from datetime import date

from django.db.models import Q

from common.versioned_cache import cached_for

from .anomalies import AnomalyKind, default_typology
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


def centre_convention_in_force(*, centre, on: date) -> ConventionPage | None:
    """The centre's live convention in force on `on`, whichever services it binds (the most
    recent start wins when several are): what the centre-wide parameters are read from."""
    return (
        ConventionPage.objects.live()
        .filter(centre=centre, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from", "-pk")
        .first()
    )


def anomaly_typology(convention: ConventionPage | None) -> list[AnomalyKind]:
    """The active anomaly types of `convention`, in its order; the default typology when
    there is no convention, or when its editors left no type active (an agent must always
    be able to return or reject a case)."""
    if convention is not None:
        kinds = [AnomalyKind(row.code, row.label, row.needs_text)
                 for row in convention.anomaly_types.filter(active=True).order_by("sort_order",
                                                                                  "pk")]
        if kinds:
            return kinds
    return default_typology()


def invoicing_identifiers(*, service, centre, on: date) -> tuple[str, str]:
    """(SIRET, service code) of the State invoicing service for this centre's orders: the
    convention's when it sets them, else the centre's own."""
    convention = convention_in_force(service=service, centre=centre, on=on)
    if convention is not None:
        parameters = convention.parameters
        return parameters["chorus_siret"], parameters["chorus_service_code"]
    return centre.chorus_siret, centre.chorus_service_code


def can_edit_content(user) -> bool:
    """Whether the person works in Wagtail's admin (the editors' and approvers' groups)."""
    if not user.is_authenticated:
        return False
    # Cached: Django's backend reads every permission of the person in two queries.
    return cached_for(user, "conventions:editor",
                      lambda: (user.has_perm("wagtailadmin.access_admin"), None))


def editorial_overview(user, *, limit: int = 5) -> dict:
    """An editor's work, for the portal's home: the pages awaiting their review, the
    conventions with changes not yet published, and the pages edited last."""
    from wagtail.models import Page, TaskState

    from .models import ConventionPage

    return {
        "to_review": [state.workflow_state.content_object for state in
                      TaskState.objects.reviewable_by(user)
                      .select_related("workflow_state").order_by("-started_at")[:limit]],
        "unpublished_conventions": list(
            ConventionPage.objects.filter(has_unpublished_changes=True)
            .order_by("-latest_revision_created_at")[:limit]),
        "recent_pages": list(
            Page.objects.filter(depth__gt=2, latest_revision_created_at__isnull=False)
            .order_by("-latest_revision_created_at")[:limit]),
    }
