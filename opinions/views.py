"""Thin views: resolve what the user may see (404 otherwise), call the services, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.services import CaseNotFound
from cases.views import _render_detail, _visible_case_or_404

from . import selectors
from .case_page import answer_form
from .forms import AskForm
from .models import ExpertOpinion, OpinionFile
from .services import OpinionRefused, may_ask, opinion_answer, opinion_ask, opinion_share


@login_required
@require_POST
def ask(request, pk: int):
    case = _visible_case_or_404(request.user, pk)
    if not may_ask(request.user, case):
        raise PermissionDenied
    form = AskForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            opinion_ask(case=case, actor=request.user,
                        expert_email=form.cleaned_data["expert_email"],
                        question=form.cleaned_data["question"],
                        deadline=form.cleaned_data["deadline"],
                        question_file=form.cleaned_data["question_file"])
        except OpinionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    if form.errors:
        return _render_detail(request, case, extra_context={"opinion_ask_form": form},
                              status=400)
    messages.success(request, _("Demande d'avis envoyée : l'expert est prévenu et ne voit que "
                                "ce dossier."))
    return redirect(f"{case.get_absolute_url()}#avis")


@login_required
@require_POST
def answer(request, pk: int):
    try:
        opinion = selectors.opinion_for_expert(user=request.user, pk=pk)
    except ExpertOpinion.DoesNotExist as exc:
        raise Http404 from exc
    case = opinion.case
    form = answer_form(opinion.pk, request.POST, request.FILES)
    if form.is_valid():
        try:
            opinion_answer(opinion=opinion, actor=request.user,
                           answer=form.cleaned_data["answer"],
                           answer_file=form.cleaned_data["answer_file"])
        except CaseNotFound as exc:
            raise Http404 from exc
        except OpinionRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    if form.errors:
        return _render_detail(request, case, status=400, extra_context={
            "opinion_answer_bound": form, "opinion_answer_for": opinion.pk})
    messages.success(request, _("Votre avis est transmis au centre. Merci."))
    return redirect(f"{case.get_absolute_url()}#avis")


@login_required
@require_POST
def share(request, pk: int):
    try:
        opinion = selectors.opinion_for_centre(user=request.user, pk=pk)
    except ExpertOpinion.DoesNotExist as exc:
        raise Http404 from exc
    try:
        opinion_share(opinion=opinion, actor=request.user)
    except CaseNotFound as exc:
        raise Http404 from exc
    except OpinionRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("L'avis est maintenant visible du service demandeur."))
    return redirect(f"{opinion.case.get_absolute_url()}#avis")


def _file_response(request, pk: int, part: str):
    try:
        record = selectors.opinion_file_for_user(user=request.user, pk=pk, part=part)
    except OpinionFile.DoesNotExist as exc:
        raise Http404 from exc
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=record.original_name,
                            content_type=record.content_type)
    # As documents serves every piece: a download, never rendered by the browser.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def question_file(request, pk: int):
    return _file_response(request, pk, OpinionFile.Part.QUESTION)


@login_required
def answer_file(request, pk: int):
    return _file_response(request, pk, OpinionFile.Part.ANSWER)


@login_required
def asked_of_me(request):
    """« Avis demandés »: the opinions asked of the user, waiting ones first."""
    opinions = list(selectors.opinions_asked_of(request.user))
    today = timezone.localdate()
    return render(request, "opinions/asked_of_me.html", {
        "waiting": [o for o in opinions if not o.is_answered],
        "answered": [o for o in opinions if o.is_answered],
        "today": today,
    })
