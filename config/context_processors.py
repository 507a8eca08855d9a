from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from common.site_config import site_config as common_site_config
from portal.models import CENTRE_ROLES, SP_ROLES, Role
from portal.selectors import has_role_somewhere, steers_all_centres


def _menu_counts(request, user) -> dict:
    # Imported here: cases builds on portal.
    from cases.selectors import queue_counts, to_answer_count

    counts = {}
    if has_role_somewhere(user, CENTRE_ROLES):
        # The queue page and the home page read the tabs' counts already.
        counts["to_process"] = (getattr(request, "queue_counts", None)
                                or queue_counts(user=user))["to_process"]
    if has_role_somewhere(user, SP_ROLES):
        counts["to_answer"] = to_answer_count(user=user)
    return counts


def site_config(request):
    return {"SITE_CONFIG": common_site_config(get_language())}


def portal_roles(request):
    """Which doors the menu shows (the SP side, the centre side, or both), and the counts
    beside them (computed only when the menu shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_sp_member": False, "is_centre_member": False}
    return {
        "is_sp_member": has_role_somewhere(user, SP_ROLES),
        "is_centre_member": has_role_somewhere(user, CENTRE_ROLES),
        "is_centre_head": has_role_somewhere(user, [Role.CSP_HEAD]),
        "is_mission_member": has_role_somewhere(user, [Role.MDA_AGENT]),
        "is_budget_controller": has_role_somewhere(user, [Role.CBCM_AGENT]),
        # The staffing page's link: for heads, and for the steering people, who belong to
        # no service (the page itself checks the permission of anyone). Asked only then: the
        # members' pages keep their query budget.
        "steers_all_centres": SimpleLazyObject(
            lambda: not has_role_somewhere(user) and steers_all_centres(user)),
        "menu_counts": SimpleLazyObject(lambda: _menu_counts(request, user)),
    }
