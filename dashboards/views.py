from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.models import CaseKind
from invoices.selectors import invoice_figures
from kinds.service_done.models import LatenessReason

from .selectors import Period, dashboard, dashboard_scope

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


@login_required
def restitutions(request):
    services, as_head = dashboard_scope(request.user)
    if not services.exists():
        raise Http404
    today = timezone.localdate()
    data = {"start": date(today.year, 1, 1).isoformat(), "end": today.isoformat(),
            **request.GET.dict()}
    form = PeriodForm(data)
    board = invoices = None
    if form.is_valid():
        board = dashboard(services=services, kind=form.cleaned_data.get("kind") or None,
                          period=Period(form.cleaned_data["start"], form.cleaned_data["end"]))
        invoices = invoice_figures(services=services, start=form.cleaned_data["start"],
                                   end=form.cleaned_data["end"], today=today)
    reasons = dict(LatenessReason.choices)
    return render(request, "dashboards/restitutions.html", {
        "form": form, "board": board, "as_head": as_head, "invoices": invoices,
        "services": services.order_by("code"),
        "late_reasons": [(reasons.get(reason, reason), n)
                         for reason, n in (board.late_statements if board else [])],
        "totals": board.totals() if board else None,
        "received_by_service": [(r.service, r.received) for r in board.by_service()]
        if board else [],
        "compliance_by_service": [(r.service, r.compliance) for r in board.by_service()]
        if board else [],
    })
