"""The export chooser: columns picked by the person exporting, saved as named templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forms_catalog.models import ProcedureFormPage
from forms_catalog.selectors import catalogue_for_user
from portal.models import CENTRE_ROLES, SP_ROLES
from portal.selectors import has_role_somewhere

from . import export_columns, export_services
from .export_forms import ExportChoiceForm
from .models import ExportTemplate
from .views import export_or_job

# scope -> (roles that may export it, file name, list URL name, list title)
SCOPES = {
    "queue": (CENTRE_ROLES, "corbeille", "cases:queue", "cases:queue_export_choose"),
    "my_requests": (SP_ROLES, "mes-demandes", "cases:my_requests",
                    "cases:my_requests_export_choose"),
}
MAX_FILTERS = 1000


def _procedures(user, scope: str):
    """The catalogue forms whose fields may be exported: any live one for a centre, the
    ones open to the person's services otherwise."""
    if scope == export_columns.QUEUE:
        return ProcedureFormPage.objects.live().order_by("title")
    return catalogue_for_user(user).order_by("title")


def _template_or_none(user, scope: str, raw):
    if not raw or not str(raw).isdigit() or len(str(raw)) > 12:
        return None
    return ExportTemplate.objects.filter(owner=user, scope=scope, pk=int(raw)).first()


def _chooser(request, scope: str):
    roles, file_name, list_url, chooser_url = SCOPES[scope]
    if not has_role_somewhere(request.user, roles):
        raise Http404
    data = request.POST if request.method == "POST" else request.GET
    filters = (data.get("filtres") or "")[:MAX_FILTERS]
    procedures = _procedures(request.user, scope)
    templates = ExportTemplate.objects.filter(owner=request.user, scope=scope)
    kwargs = {"user": request.user, "scope": scope, "procedures": procedures}
    template = _template_or_none(request.user, scope, data.get("modele"))

    if request.method == "POST" and "afficher" not in request.POST:
        form = ExportChoiceForm(request.POST, **kwargs)
        if form.is_valid():
            choice = form.cleaned_data
            if "enregistrer" in request.POST:
                try:
                    saved, created = export_services.export_template_save(
                        owner=request.user, scope=scope, name=choice["name"],
                        columns=choice["columns"], procedure=choice["procedure"],
                        repetition=choice["repetition"])
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field, errors)
                else:
                    messages.success(request, (_("Modèle « %(name)s » enregistré.") if created
                                               else _("Modèle « %(name)s » mis à jour."))
                                     % {"name": saved.name})
                    return redirect(f"{reverse(chooser_url)}?"
                                    + urlencode({"modele": saved.pk, "filtres": filters}))
            else:
                return export_or_job(request, scope, choice["fmt"], file_name, query=filters,
                                     columns=form.chosen_columns(),
                                     procedure=choice["procedure"],
                                     repetition=choice["repetition"])
    else:
        # A first visit, a template applied, or another form chosen (« Afficher ses champs »).
        initial = {"columns": export_columns.default_keys(user=request.user, scope=scope),
                   "fmt": "csv",
                   "repetition": ExportTemplate.Repetition.JOIN}
        if template is not None:
            initial.update(columns=template.columns, procedure=template.procedure,
                           repetition=template.repetition, name=template.name)
        if request.method == "POST":
            chooser = ExportChoiceForm(request.POST, **kwargs)
            initial.update(procedure=chooser.chosen_procedure(),
                           columns=request.POST.getlist("columns") or initial["columns"],
                           repetition=request.POST.get("repetition") or initial["repetition"],
                           fmt=request.POST.get("fmt") or "csv",
                           name=request.POST.get("name", "")[:100])
        form = ExportChoiceForm(initial=initial, **kwargs)
    return render(request, "cases/export_chooser.html", {
        "form": form, "scope": scope, "filters": filters, "templates": templates,
        "template": template, "list_url": f"{reverse(list_url)}?{filters}" if filters
        else reverse(list_url), "chooser_url": reverse(chooser_url),
    })


@login_required
def queue_export_choose(request):
    return _chooser(request, "queue")


@login_required
def my_requests_export_choose(request):
    return _chooser(request, "my_requests")


@login_required
@require_POST
def export_template_delete(request, pk: int):
    template = ExportTemplate.objects.filter(owner=request.user, pk=pk).first()
    if template is None:
        raise Http404
    chooser_url = SCOPES.get(template.scope, SCOPES["queue"])[3]
    export_services.export_template_delete(owner=request.user, pk=template.pk)
    messages.success(request, _("Modèle « %(name)s » supprimé.") % {"name": template.name})
    filters = (request.POST.get("filtres") or "")[:MAX_FILTERS]
    return redirect(f"{reverse(chooser_url)}?" + urlencode({"filtres": filters}))
