import io
from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.models import CaseKind
from documents.spreadsheets import french_csv, xlsx_workbook
from kinds.service_done.models import LatenessReason

from .anomalies import anomaly_report
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


def _scope_and_period(request):
    """(services the user sees figures of, whether as a centre head, the period's form);
    404 for someone who sees none."""
    services, as_head = dashboard_scope(request.user)
    if not services.exists():
        raise Http404
    today = timezone.localdate()
    data = {"start": date(today.year, 1, 1).isoformat(), "end": today.isoformat(),
            **request.GET.dict()}
    return services, as_head, PeriodForm(data)


def _figures_of(form, services, figures):
    return figures(services=services, kind=form.cleaned_data.get("kind") or None,
                   period=Period(form.cleaned_data["start"], form.cleaned_data["end"]))


@login_required
def restitutions(request):
    services, as_head, form = _scope_and_period(request)
    board = anomalies = None
    if form.is_valid():
        board = _figures_of(form, services, dashboard)
        anomalies = _figures_of(form, services, anomaly_report)
    reasons = dict(LatenessReason.choices)
    return render(request, "dashboards/restitutions.html", {
        "form": form, "board": board, "as_head": as_head,
        "services": services.order_by("code"),
        "late_reasons": [(reasons.get(reason, reason), n)
                         for reason, n in (board.late_statements if board else [])],
        "totals": board.totals() if board else None,
        "received_by_service": [(r.service, r.received) for r in board.by_service()]
        if board else [],
        "compliance_by_service": [(r.service, r.compliance) for r in board.by_service()]
        if board else [],
        "anomalies": anomalies,
        "export_query": request.GET.urlencode(),
    })


ANOMALY_EXPORT_FORMATS = ("csv", "xlsx")


def _anomaly_header() -> list[str]:
    return [_("Mois"), _("Service prescripteur"), _("Type de demande"),
            _("Code de l'anomalie"), _("Type d'anomalie"), _("Nombre")]


@login_required
def anomalies_export(request, fmt: str):
    """The anomalies of the period by month, service, kind and type, as CSV or XLSX (text
    cells made safe by documents.spreadsheets: a type's label is typed by editors)."""
    if fmt not in ANOMALY_EXPORT_FORMATS:
        raise Http404
    services, _as_head, form = _scope_and_period(request)
    if not form.is_valid():
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    report = _figures_of(form, services, anomaly_report)
    rows = ([row.month.strftime("%m/%Y"), row.service, row.kind_label, row.code, row.label,
             row.n] for row in report.rows)
    name = f"anomalies-{form.cleaned_data['start']:%Y%m%d}-{form.cleaned_data['end']:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse("".join(french_csv(_anomaly_header(), rows)),
                                content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        xlsx_workbook(str(_("Anomalies")), _anomaly_header(), rows).save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
