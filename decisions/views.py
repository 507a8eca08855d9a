from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.views import _visible_case_or_404
from documents.services import DocumentError

from .services import decision_letter_issue, may_issue


@login_required
@require_POST
def letter_issue(request, pk: int):
    """The centre asks again for a letter the task could not issue (no usable signer)."""
    case = _visible_case_or_404(request.user, pk)
    if not may_issue(request.user, case):
        raise Http404
    try:
        document = decision_letter_issue(case=case, requested_by=request.user)
    except DocumentError as exc:
        messages.error(request, exc.message)
    else:
        if document is None:
            messages.info(request, _("Ce dossier n'appelle pas de courrier de décision."))
        else:
            messages.success(request, _("Courrier de décision signé."))
    return redirect(f"{case.get_absolute_url()}#decision-letter")
