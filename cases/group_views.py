"""A centre head's pages on the centre's agent groups (its sub-queues): list and create,
rename and choose the members, delete after a confirmation. Only the head of the group's
centre reaches them; anyone else, and any id that is not one of those groups, gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from forms_catalog.selectors import forms_routing_to
from portal.models import AgentGroup
from portal.selectors import agent_groups_headed_by, centres_headed_by
from portal.services import agent_group_create, agent_group_delete, agent_group_update

from .api_fields import MAX_ID
from .group_forms import AgentGroupCreateForm, AgentGroupForm
from .models import Case
from .workflow import OPEN_STATES


def _group_or_404(user, pk: int) -> AgentGroup:
    group = (agent_groups_headed_by(user).filter(pk=pk).first()
             if 0 < pk <= MAX_ID else None)
    if group is None:
        raise Http404
    return group


def _open_cases(group_ref):
    return (Case.objects.filter(agent_group=group_ref, state__in=OPEN_STATES).order_by()
            .values("agent_group").annotate(n=Count("pk")).values("n"))


def _show_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def agent_groups(request):
    centres = list(centres_headed_by(request.user).order_by("code"))
    if not centres:
        raise Http404
    form = AgentGroupCreateForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        try:
            group = agent_group_create(actor=request.user, centre=form.cleaned_data["centre"],
                                       name=form.cleaned_data["name"])
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Groupe « %(name)s » créé : choisissez ses membres.")
                             % {"name": group.name})
            return redirect("cases:agent_group_edit", pk=group.pk)
    members = (AgentGroup.members.through.objects.filter(agentgroup=OuterRef("pk")).order_by()
               .values("agentgroup").annotate(n=Count("pk")).values("n"))
    groups = (agent_groups_headed_by(request.user).order_by("centre__code", "name")
              .annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0),
                        open_count=Coalesce(Subquery(_open_cases(OuterRef("pk")),
                                                     output_field=IntegerField()), 0)))
    status = 400 if form.errors else 200
    return render(request, "cases/groups/list.html", {
        "groups": groups, "form": form, "several_centres": len(centres) > 1,
        "general_queues": _general_queues(centres),
    }, status=status)


def _general_queues(centres) -> list[tuple]:
    """(centre, its open cases in no group) for each centre, in one query."""
    counts = dict(Case.objects.filter(processing_centre__in=centres, agent_group__isnull=True,
                                      state__in=OPEN_STATES).order_by()
                  .values_list("processing_centre").annotate(n=Count("pk")))
    return [(centre, counts.get(centre.pk, 0)) for centre in centres]


@login_required
def agent_group_edit(request, pk: int):
    group = _group_or_404(request.user, pk)
    form = AgentGroupForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            agent_group_update(actor=request.user, group=group, name=form.cleaned_data["name"],
                               members=form.cleaned_data["members"])
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Groupe « %(name)s » enregistré.") % {"name": group.name})
            return redirect("cases:agent_groups")
    return render(request, "cases/groups/edit.html", {"group": group, "form": form},
                  status=400 if form.errors else 200)


@login_required
def agent_group_remove(request, pk: int):
    """GET: what deleting the group entails; POST: delete it."""
    group = _group_or_404(request.user, pk)
    open_cases = Case.objects.filter(agent_group=group, state__in=OPEN_STATES).count()
    if request.method == "POST":
        name = group.name
        agent_group_delete(actor=request.user, group=group)
        messages.success(request, ngettext(
            "Groupe « %(name)s » supprimé : son dossier en cours revient dans la file générale.",
            "Groupe « %(name)s » supprimé : ses %(n)s dossiers en cours reviennent dans la file "
            "générale.", open_cases) % {"name": name, "n": open_cases} if open_cases else
            _("Groupe « %(name)s » supprimé.") % {"name": name})
        return redirect("cases:agent_groups")
    return render(request, "cases/groups/delete.html", {
        "group": group, "open_cases": open_cases, "forms": forms_routing_to(group),
    })
