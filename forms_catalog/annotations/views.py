from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.api_fields import MAX_ID
from cases.services import CaseConflict, CaseError, CaseNotFound
from cases.views import _render_detail, _visible_case_or_404

from .case_page import panel
from .forms import AnnotationsForm
from .selectors import may_read, record_of, schema_for
from .services import case_annotations_save


@login_required
@require_POST
def annotations_save(request, pk: int):
    if pk > MAX_ID:
        raise Http404
    case = _visible_case_or_404(request.user, pk)
    if not may_read(request.user, case):
        raise Http404  # the requester (and anyone else) never learns they exist
    record = record_of(case)
    form = AnnotationsForm(request.POST, schema=schema_for(case, record))

    def refused(status):
        context = panel(case, request.user, bound=form)
        if context is None:  # no annotations to show: the page's messages say why
            for error in form.non_field_errors():
                messages.error(request, error)
        elif context["form"] is None and form.non_field_errors():
            # Closed meanwhile: the read-only panel says why nothing was saved.
            context["error"] = form.non_field_errors()[0]
        return _render_detail(request, case, extra_context={"private_annotations": context},
                              status=status)

    if not form.is_valid():
        return refused(400)
    try:
        case_annotations_save(case=case, actor=request.user, values=form.answers(),
                              expected_version=form.cleaned_data["version"])
    except CaseNotFound as exc:
        raise Http404 from exc
    except CaseError as exc:
        form.add_error(None, exc.message)
        return refused(409 if isinstance(exc, CaseConflict) else 400)
    messages.success(request, _("Annotations privées enregistrées."))
    return redirect(f"{case.get_absolute_url()}#annotations")
