"""Reads on fixed-asset requests: what an SP may link, its list of assets."""

from cases.models import PurchaseRequest
from cases.permissions import visible_cases
from cases.workflow import NOT_COMMITTED_STATES, State

from .models import AssetKind, FixedAssetRequest


def linkable_purchase_requests(service):
    """EJs of the service an asset may come from: completed purchase requests."""
    return (PurchaseRequest.objects
            .filter(case__requesting_service=service, case__state=State.COMPLETED,
                    ej_number__isnull=False)
            .select_related("case").order_by("-case__completed_at"))


def fiecs_of(service, *, exclude=None):
    """The service's assets under construction that may be put into service."""
    fiecs = (FixedAssetRequest.objects
             .filter(service=service, asset_kind=AssetKind.UNDER_CONSTRUCTION,
                     holds_number=True)
             .exclude(case__state__in=NOT_COMMITTED_STATES)
             .select_related("case").order_by("label"))
    if exclude is not None:
        fiecs = fiecs.exclude(case=exclude)
    return fiecs


def assets_for_user(user):
    """Every fixed-asset request of the user's services the user may see, newest first."""
    return (FixedAssetRequest.objects
            .filter(case__in=visible_cases(user).exclude(state=State.DRAFT))
            .select_related("case", "service", "under_construction__case")
            .prefetch_related("purchase_requests")
            .order_by("-case__submitted_at", "-case__created_at"))
