from .selectors import centres_of, prescribing_services_of


def portal_roles(request):
    """Which doors the menu shows: the SP side, the centre side, or both."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_sp_member": False, "is_centre_member": False}
    return {
        "is_sp_member": prescribing_services_of(user).exists(),
        "is_centre_member": centres_of(user).exists(),
    }
