from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.models import CaseKind
from kinds.service_done.models import LatenessReason
from satisfaction.selectors import ratings_summary

from . import staffing_xlsx
from .selectors import Period, dashboard, dashboard_scope
from .staffing import staffing, staffing_scope

MAX_SPAN = timedelta(days=3 * 366)


class PeriodForm(DsfrBaseForm):
    start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"},
                                                                   format="%Y-%m-%d"),
                            error_messages={"invalid": _("Saisissez une date valide.")})
    end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"},
                                                                 format="%Y-%m-%d"),
                          error_messages={"invalid": _("Saisissez une date valide.")})
    kind = forms.ChoiceField(label=_("Type de demande"), required=False,
                             choices=[("", _("Tous les types"))] + list(CaseKind.choices))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("La fin de la période précède son début."))
        elif start and end and end - start > MAX_SPAN:
            self.add_error("end", _("Choisissez une période de trois ans au plus."))
        return cleaned


def _rating_blocks(ratings) -> list[dict]:
    """The satisfaction's two breakdowns, each drawn as a chart and a table."""
    if ratings is None or ratings.total is None:
        return []
    return [{"id": chart_id, "title": title, "heading": heading, "figures": figures,
             "chart": [(figure.label, figure.average) for figure in figures]}
            for chart_id, title, heading, figures in (
                ("chart-ratings-kind", _("Note moyenne par type de demande"), _("Type"),
                 ratings.by_kind),
                ("chart-ratings-service", _("Note moyenne par service"), _("Service"),
                 ratings.by_service))]


@login_required
def restitutions(request):
    services, as_head = dashboard_scope(request.user)
    if not services.exists():
        raise Http404
    today = timezone.localdate()
    data = {"start": date(today.year, 1, 1).isoformat(), "end": today.isoformat(),
            **request.GET.dict()}
    form = PeriodForm(data)
    board = ratings = None
    if form.is_valid():
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
        kind = form.cleaned_data.get("kind") or None
        board = dashboard(services=services, kind=kind, period=period)
        ratings = ratings_summary(services=services, kind=kind, start=period.bounds[0],
                                  end=period.bounds[1])
    reasons = dict(LatenessReason.choices)
    return render(request, "dashboards/restitutions.html", {
        "form": form, "board": board, "as_head": as_head, "ratings": ratings,
        "rating_blocks": _rating_blocks(ratings),
        "services": services.order_by("code"),
        "late_reasons": [(reasons.get(reason, reason), n)
                         for reason, n in (board.late_statements if board else [])],
        "totals": board.totals() if board else None,
        "received_by_service": [(r.service, r.received) for r in board.by_service()]
        if board else [],
        "compliance_by_service": [(r.service, r.compliance) for r in board.by_service()]
        if board else [],
    })


def _staffing_or_404(user):
    centres, steering = staffing_scope(user)
    if not centres.exists():
        raise Http404
    return staffing(centres=centres), steering


@login_required
def staffing_page(request):
    items, steering = _staffing_or_404(request.user)
    chart = []
    for item in items:
        chart += [(_("%(code)s : agents nécessaires") % {"code": item.centre.code}, item.needed),
                  (_("%(code)s : agents en poste") % {"code": item.centre.code}, item.actual)]
    return render(request, "dashboards/staffing.html", {
        "items": items, "steering": steering, "chart": chart,
        "agent_charts": [(f"chart-agents-{item.centre.code}", item,
                          [(agent.name, round(agent.annual)) for agent in item.agents])
                         for item in items],
    })


@login_required
def staffing_export(request):
    items, _steering = _staffing_or_404(request.user)
    return FileResponse(staffing_xlsx.xlsx_file(items), as_attachment=True,
                        filename=staffing_xlsx.filename())
