from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.views import _render_detail, _visible_case_or_404

from .forms import RatingForm
from .services import RatingRefused, may_rate, rating_create


@login_required
@require_POST
def rating_submit(request, pk: int):
    case = _visible_case_or_404(request.user, pk)
    if not may_rate(request.user, case):
        # The centre, a colleague, or a case not completed yet: the page offers no form.
        raise PermissionDenied
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            rating_create(case=case, actor=request.user, score=form.cleaned_data["score"],
                          comment=form.cleaned_data["comment"])
        except RatingRefused as exc:
            form.add_error(exc.field, exc.message)
    if form.errors:
        return _render_detail(request, case, extra_context={"rating_form": form}, status=400)
    messages.success(request, _("Merci : votre note a été enregistrée."))
    return redirect(f"{case.get_absolute_url()}#satisfaction")
