from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from portal.models import SP_ROLES
from portal.selectors import has_role_somewhere

from .selectors import assets_for_user


@login_required
def asset_list(request):
    """The SP's fixed-asset records with their status (and the Chorus number once done)."""
    if not has_role_somewhere(request.user, SP_ROLES):
        raise Http404
    page = Paginator(assets_for_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "fixed_assets/list.html", {"page_obj": page})
