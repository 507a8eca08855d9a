"""Thin views: resolve what the user may see (404 otherwise), call services, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from documents.models import Attachment
from documents.selectors import SIGNATORY_ROLES, signable_count
from documents.services import attachment_remove
from documents.spreadsheets import XLSX_CONTENT_TYPE
from forms_catalog.selectors import answers_by_step
from portal.models import CENTRE_ROLES, SP_ROLES, Role
from portal.selectors import (
    has_role_somewhere,
    user_has_role,
)

from . import (
    export_columns,
    export_services,
    exports,
    kinds,
    permissions,
    queue_services,
    selectors,
    services,
)
from .filters import OPEN, CaseQueueFilter, queue_tabs
from .forms import BulkAssignForm, CaseActionForm
from .models import Case, ExportJob
from .workflow import Action, State

SUCCESS_MESSAGES = {
    Action.VALIDATE: gettext_lazy("Demande validée et transmise au centre."),
    Action.RETURN: gettext_lazy("Demande renvoyée à son auteur."),
    Action.CLAIM: gettext_lazy("Vous avez pris le dossier en charge."),
    Action.ASSIGN: gettext_lazy("Dossier attribué."),
    Action.RELEASE: gettext_lazy("Dossier remis dans la corbeille du centre."),
    Action.REQUEST_INFO: gettext_lazy("Question envoyée au service. Le délai est suspendu "
                                      "jusqu'à sa réponse."),
    Action.ANSWER: gettext_lazy("Réponse transmise au centre."),
    Action.COMPLETE: gettext_lazy("Dossier terminé."),
    Action.REJECT: gettext_lazy("Dossier rejeté. Le service demandeur voit le motif."),
    Action.CANCEL: gettext_lazy("Demande annulée."),
    Action.SIGN: gettext_lazy("Bon de commande signé. Le service demandeur peut le télécharger."),
    Action.SEND_TO_CST: gettext_lazy("Dossier transmis à la cellule de supervision des tiers. "
                                     "Le délai est suspendu pendant son contrôle."),
    Action.CST_VALIDATE: gettext_lazy("Tiers validé : l'annuaire des tiers est à jour."),
    Action.CST_RETURN: gettext_lazy("Dossier renvoyé à l'agent du centre."),
    Action.CERTIFY: gettext_lazy("Service fait certifié : le certificat signé est joint au "
                                 "dossier et à sa demande d'achat."),
    Action.MISSION_ACCEPT: gettext_lazy("Demande acceptée : elle part au centre, dont le délai "
                                        "commence maintenant."),
    Action.VISA_GRANT: gettext_lazy("Visa enregistré : le bon de commande peut être signé."),
    Action.VISA_REFUSE: gettext_lazy("Refus de visa enregistré : le dossier revient à l'agent "
                                     "du centre."),
}
# Where the action led decides what the message says (the purchasing mission's circuit, the
# budget visa).
SUCCESS_MESSAGES_BY_STATE = {
    (Action.VALIDATE, State.AT_MISSION): gettext_lazy(
        "Demande validée et transmise à la mission des achats."),
    (Action.REQUEST_INFO, State.MISSION_INFO): gettext_lazy("Question envoyée au service."),
    (Action.ANSWER, State.AT_MISSION): gettext_lazy(
        "Réponse transmise à la mission des achats."),
    (Action.COMPLETE, State.AWAITING_VISA): gettext_lazy(
        "EJ enregistré : le dossier attend le visa du contrôleur budgétaire, délai suspendu."),
}
# Actions done elsewhere (the wizard) or never by hand.
NOT_ON_CASE_PAGE = {Action.CREATE, Action.SUBMIT}
PAGE_SIZE = 50


def _visible_case_or_404(user, pk) -> Case:
    try:
        return selectors.case_get_for_user(user=user, pk=pk)
    except Case.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def my_requests(request):
    if not has_role_somewhere(request.user, SP_ROLES):
        raise Http404
    cases = selectors.cases_of_requesting_services(user=request.user)
    state = request.GET.get("etat")
    if state in State.values:
        cases = cases.filter(state=state)
    page = Paginator(kinds.annotate_case_list(cases, request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "cases/my_requests.html", {
        "page_obj": page,
        "to_validate": selectors.cases_awaiting_validation_for(user=request.user),
        "states": State.choices,
        "current_state": state,
    })


@login_required
def queue(request):
    if not has_role_somewhere(request.user, CENTRE_ROLES):
        raise Http404
    base = selectors.case_queue_for_user(user=request.user)
    data = request.GET.copy()
    data.setdefault("sort", "due_at")
    data.setdefault("state", State.COMPLETED if data.get("to_sign") == "true" else OPEN)
    case_filter = CaseQueueFilter(data, queryset=base, user=request.user)
    # Invalid filters are shown with their errors, and nothing is listed until corrected.
    cases = case_filter.qs if case_filter.is_valid() else base.none()
    # The menu shows the "to process" count too: config.context_processors reuses it.
    counts = request.queue_counts = selectors.queue_counts(user=request.user)
    rows = kinds.annotate_case_list(selectors.queue_rows(cases), request.user)
    paginator = Paginator(rows, PAGE_SIZE)
    if case_filter.lists_every_open_case():
        paginator.count = counts["open"]  # counted with the tabs, in the same pass
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = {**counts, "to_sign": signable_count(request.user)}
    return render(request, "cases/queue.html", {
        "filter": case_filter,
        "page_obj": page,
        "counts": counts,
        "tabs": queue_tabs(case_filter, counts),
        "folded": case_filter.folded(),
        # Only signatories get the selection column and the "Signer la sélection" form.
        "to_sign": (case_filter.is_valid() and case_filter.form.cleaned_data.get("to_sign")
                    and has_role_somewhere(request.user, SIGNATORY_ROLES)),
        "querystring": query.urlencode(),
        "saved_filters": request.user.saved_filters.all(),
        # Heads select cases to assign them in bulk (signing has its own selection).
        "can_assign": (not (case_filter.is_valid()
                            and case_filter.form.cleaned_data.get("to_sign"))
                       and has_role_somewhere(request.user, [Role.CSP_HEAD])),
        "assign_form": BulkAssignForm(user=request.user),
    })


EXPORT_FORMATS = ("csv", "xlsx")


def _export(cases, fmt: str, name: str, columns, repetition=exports.JOIN):
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(exports.csv_lines(cases, columns, None, repetition),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
        return response
    return FileResponse(exports.xlsx_file(cases, columns, None, repetition), as_attachment=True,
                        filename=f"{name}-{stamp}.xlsx",
                        content_type=XLSX_CONTENT_TYPE)


def export_or_job(request, scope: str, fmt: str, name: str, *, query: str | None = None,
                  columns=None, procedure=None, repetition: str = exports.JOIN):
    """Small exports stream at once; large ones become a task with a progress page.
    `columns` (export_columns.Column): the chosen ones, else the default export."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    from_list = query is None
    query = request.GET.urlencode() if from_list else query
    try:
        cases = exports.export_queryset(user=request.user, scope=scope, query=query,
                                        procedure=procedure)
    except exports.ExportRefused as exc:
        if scope == "queue" and has_role_somewhere(request.user, CENTRE_ROLES):
            # The queue itself, with the same filters: their errors show beside them.
            messages.error(request, str(exc))
            if from_list:
                return queue(request)
            return redirect(f"{reverse('cases:queue')}?{query}")
        raise Http404 from exc
    if cases.count() > settings.EXPORT_SYNC_MAX_ROWS:
        job = export_services.export_job_create(
            owner=request.user, scope=scope, fmt=fmt, query=query,
            columns=[column.key for column in columns or ()], procedure=procedure,
            repetition=repetition)
        return redirect("cases:export_job", pk=job.pk)
    columns = columns or export_columns.default_columns(user=request.user, scope=scope)
    return _export(cases, fmt, name, columns, repetition)


@login_required
def queue_export(request, fmt: str):
    """The queue as filtered on screen, every page of it."""
    return export_or_job(request, "queue", fmt, "corbeille")


@login_required
def my_requests_export(request, fmt: str):
    return export_or_job(request, "my_requests", fmt, "mes-demandes")


def _job_or_404(user, pk) -> ExportJob:
    job = ExportJob.objects.filter(owner=user, pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def export_job(request, pk: int):
    job = _job_or_404(request.user, pk)
    return render(request, "cases/export_job.html", {"job": job,
                                                      "finished": job.status in FINISHED})


@login_required
def export_job_status(request, pk: int):
    job = _job_or_404(request.user, pk)
    return JsonResponse({"total": job.total, "done": job.done, "status": job.status,
                         "finished": job.status in FINISHED})


@login_required
def export_job_download(request, pk: int):
    job = _job_or_404(request.user, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True,
                        filename=job.file.name.rsplit("/", 1)[-1].split("-", 1)[-1])


FINISHED = (ExportJob.Status.DONE, ExportJob.Status.FAILED)


@login_required
@require_POST
def saved_filter_save(request):
    if not has_role_somewhere(request.user, CENTRE_ROLES):
        raise Http404
    query = request.POST.get("query", "")
    try:
        saved = queue_services.saved_filter_save(user=request.user,
                                                 name=request.POST.get("name", ""), query=query)
    except services.CaseError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('cases:queue')}?{query}")
    messages.success(request, _("Filtre « %(name)s » enregistré.") % {"name": saved.name})
    return redirect(f"{reverse('cases:queue')}?{saved.query}")


@login_required
@require_POST
def saved_filter_delete(request, pk: int):
    if not queue_services.saved_filter_delete(user=request.user, pk=pk):
        raise Http404
    messages.success(request, _("Filtre supprimé."))
    return redirect("cases:queue")


@login_required
@require_POST
def bulk_assign(request):
    if not has_role_somewhere(request.user, [Role.CSP_HEAD]):
        raise Http404
    form = BulkAssignForm(request.POST, user=request.user)
    back = f"{reverse('cases:queue')}?{request.POST.get('query', '')}"
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect(back)
    report = queue_services.cases_assign(actor=request.user, case_ids=form.cleaned_data["cases"],
                                         assignee=form.cleaned_data["assignee"])
    if report.assigned:
        messages.success(request, ngettext(
            "%(n)s dossier attribué à %(name)s.", "%(n)s dossiers attribués à %(name)s.",
            len(report.assigned)) % {"n": len(report.assigned),
                                     "name": form.cleaned_data["assignee"].get_full_name()})
    for reference, reason in report.refused:
        messages.error(request, f"{reference} : {reason}")
    return redirect(back)


def _action_forms(case, transitions, bound=None):
    forms = []
    for chosen in transitions:
        if chosen.action in NOT_ON_CASE_PAGE:
            continue
        if bound is not None and bound.action == chosen.action:
            forms.append(bound)
            continue
        forms.append(CaseActionForm(transition=chosen, case=case,
                                    initial={"version": case.version}))
    return forms


def _case_parts(case, user, transitions, context) -> dict:
    """The blocks the case's kind (and any app) adds to the page (cases/kinds.py), their
    context merged into the page's."""
    parts = {"content": [], "follow_up": [], "thread": []}
    for part in kinds.case_page_parts(case.kind):
        extra = part.context(case, user, transitions)
        if extra:
            # Several parts may offer links to the actions panel, or documents to the
            # documents list: they add up.
            added = {name: [*context.get(name, []), *extra.get(name, [])]
                     for name in ("case_links", "certificates")}
            context.update(extra)
            context.update({name: items for name, items in added.items() if items})
            if part.template:
                parts[part.slot].append(part.template)
    return parts


def _render_detail(request, case, *, bound=None, error=None, status=200, extra_context=None):
    """The case page; `extra_context` replaces what the page parts said (a bound form of
    theirs, with its errors)."""
    user = request.user
    transitions = services.case_available_transitions(case=case, user=user)
    spec = kinds.get(case.kind)
    context = {
        "case": case,
        "attachments": case.attachments.all(),
        "timeline": selectors.case_timeline(case=case),
        "action_forms": _action_forms(case, transitions, bound),
        "action_error": error,
        "is_overdue": selectors.case_is_overdue(case),
        "can_edit_draft": services.may_edit_draft(case, user),
        "resume_url": case.get_resume_url(),
        "answers_are_content": spec.answers_are_content,
    }
    context["case_parts"] = _case_parts(case, user, transitions, context)
    context.update(extra_context or {})
    if case.extra.get("schema"):
        context["answers"] = answers_by_step(case.extra["schema"], case.extra.get("answers", {}))
    context["link_actions"] = _link_actions(context)
    if (case.state == State.AWAITING_VALIDATION
            and user_has_role(user, case.requesting_service, Role.ORDONNATEUR)):
        # The amount beside the ordonnateur's own ceiling, covered or not.
        context["validation"] = permissions.validation_outlook(user, case)
    return render(request, "cases/detail.html", context, status=status)


def _link_actions(context) -> list[dict]:
    """The actions the page offers as links to a form of their own (a draft to resume, a
    service-done statement to make: `case_links` of a page part), listed in the actions panel
    beside the transitions' forms: the panel accounts for every action offered, and never
    says « Aucune action possible » beside a button that works."""
    links = []
    if context["can_edit_draft"]:
        links.append({"label": _("Reprendre le brouillon"), "url": context["resume_url"],
                      "icon": "fr-icon-edit-line"})
    links.extend(context.get("case_links", []))
    return links


@login_required
def case_detail(request, pk: int):
    case = _visible_case_or_404(request.user, pk)
    return _render_detail(request, case)


@login_required
@require_POST
def case_action(request, pk: int, action: str):
    case = _visible_case_or_404(request.user, pk)
    if action not in Action.values or action in NOT_ON_CASE_PAGE:
        raise Http404
    try:
        chosen = services.choose_transition(case=case, action=action, actor=request.user)
    except services.CaseError as exc:
        return _render_detail(request, case, error=exc.message, status=403)
    form = CaseActionForm(request.POST, transition=chosen, case=case)
    if not form.is_valid():
        return _render_detail(request, case, bound=form, status=400)
    try:
        case = services.transition(
            case=case, action=action, actor=request.user, inputs=form.inputs(),
            expected_version=form.cleaned_data["version"],
        )
    except services.CaseConflict as exc:
        case.refresh_from_db()
        return _render_detail(request, case, error=exc.message, status=409)
    except services.CaseError as exc:
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _render_detail(request, case, bound=form, status=400)
        return _render_detail(request, case, error=exc.message, status=403)
    messages.success(request, SUCCESS_MESSAGES_BY_STATE.get(
        (Action(action), case.state), SUCCESS_MESSAGES[Action(action)]))
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def draft_attachment_remove(request, pk: int, attachment_pk: int):
    case = (permissions.visible_cases(request.user, permissions.CHANGE)
            .filter(pk=pk, created_by=request.user).first())
    attachment = Attachment.objects.filter(pk=attachment_pk, case=case).first()
    if case is None or attachment is None:
        raise Http404
    if case.state != State.DRAFT:
        messages.error(request, _("Les pièces d'une demande déposée ne peuvent plus être "
                                  "supprimées."))
        return redirect(case.get_absolute_url())
    attachment_remove(attachment=attachment)
    messages.success(request, _("Pièce « %(name)s » supprimée.") % {"name": attachment})
    return redirect(case.get_resume_url())
