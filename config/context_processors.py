from django.db.models import Case as DjangoCase
from django.db.models import Value, When
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from portal.models import CENTRE_ROLES, SP_ROLES, Role
from portal.selectors import has_role_somewhere, steers_all_centres


def _menu_counts(request, user) -> dict:
    # Imported here: cases builds on portal.
    from cases.selectors import case_queue_for_user, cases_of_requesting_services
    from cases.workflow import State

    counts = {}
    if has_role_somewhere(user, CENTRE_ROLES):
        # The queue page counted it already for its tabs.
        queue_counts = getattr(request, "queue_counts", None)
        counts["to_process"] = queue_counts["to_process"] if queue_counts else (
            case_queue_for_user(user=user).order_by().filter(state=State.SUBMITTED).count())
    if has_role_somewhere(user, SP_ROLES):
        counts["to_answer"] = (cases_of_requesting_services(user=user).order_by()
                               .filter(state=State.INFO_REQUESTED).count())
    return counts


def site_config(request):
    """django-dsfr's site_config in one query (the configuration in the current language,
    else the first one): it asked twice on every page when none is in the language."""
    from dsfr.models import DsfrConfig

    preferred = DjangoCase(When(language=get_language(), then=Value(0)), default=Value(1))
    return {"SITE_CONFIG": DsfrConfig.objects.order_by(preferred, "pk").first()}


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
