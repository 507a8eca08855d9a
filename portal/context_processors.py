from django.utils.functional import SimpleLazyObject

from .models import Role
from .selectors import centres_of, prescribing_services_of


def _menu_counts(user) -> dict:
    # Imported here: cases builds on portal.
    from cases.selectors import case_queue_for_user, cases_of_requesting_services
    from cases.workflow import State

    counts = {}
    if centres_of(user).exists():
        counts["to_process"] = (case_queue_for_user(user=user).order_by()
                                .filter(state=State.SUBMITTED).count())
    if prescribing_services_of(user).exists():
        counts["to_answer"] = (cases_of_requesting_services(user=user).order_by()
                               .filter(state=State.INFO_REQUESTED).count())
    return counts


def portal_roles(request):
    """Which doors the menu shows (the SP side, the centre side, or both), and the counts
    beside them (computed only when the menu shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_sp_member": False, "is_centre_member": False}
    return {
        "is_sp_member": prescribing_services_of(user).exists(),
        "is_centre_member": centres_of(user).exists(),
        "is_centre_head": SimpleLazyObject(
            lambda: user.memberships.filter(role=Role.CSP_HEAD).exists()),
        "menu_counts": SimpleLazyObject(lambda: _menu_counts(user)),
    }
