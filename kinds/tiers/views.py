"""The directory record page: the record (bank details masked) and its history."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from cases import permissions
from cases.identifiers import mask
from cases.models import Tiers
from portal.selectors import has_role_somewhere

from .selectors import tiers_history


@login_required
def tiers_detail(request, pk: int):
    # The directory is shared by every service; people outside any service see nothing.
    if not has_role_somewhere(request.user):
        raise Http404
    tiers = get_object_or_404(Tiers, pk=pk)
    history = list(tiers_history(tiers))
    visible = set(permissions.visible_cases(request.user)
                  .filter(pk__in=[c.case_id for c in history if c.case_id])
                  .values_list("pk", flat=True))
    return render(request, "suppliers/tiers_detail.html", {
        "tiers": tiers, "iban": mask(tiers.iban), "nir": mask(tiers.nir),
        "history": [{"change": change, "case_visible": change.case_id in visible,
                     "rows": [(Tiers._meta.get_field(field).verbose_name, before, after)
                              for field, (before, after) in change.changes.items()]}
                    for change in history],
    })
