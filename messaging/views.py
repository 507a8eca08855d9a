from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.services import CaseError
from cases.views import _render_detail, _visible_case_or_404

from .forms import MessageForm
from .services import message_post


@login_required
@require_POST
def message_create(request, pk: int):
    case = _visible_case_or_404(request.user, pk)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, case, extra_context={"message_form": form}, status=400)
    try:
        message_post(case=case, author=request.user, body=form.cleaned_data["body"],
                     files=form.cleaned_data["files"])
    except CaseError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_detail(request, case, extra_context={"message_form": form}, status=400)
    messages.success(request, _("Message envoyé."))
    return redirect(f"{case.get_absolute_url()}#messages")
