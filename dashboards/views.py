import io
from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.models import CaseKind
from documents.spreadsheets import XLSX_CONTENT_TYPE, french_csv, xlsx_workbook
from invoices.selectors import invoice_figures
from kinds.service_done.models import LatenessReason
from opinions.selectors import opinion_figures
from satisfaction.selectors import ratings_summary

from . import staffing_xlsx
from .anomalies import anomaly_report
from .review import figures
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


@login_required
def restitutions(request):
    services, as_head, form = _scope_and_period(request)
    board = anomalies = ratings = invoices = opinions = None
    if form.is_valid():
        period = Period(form.cleaned_data["start"], form.cleaned_data["end"])
        kind = form.cleaned_data.get("kind") or None
        board = dashboard(services=services, kind=kind, period=period)
        anomalies = anomaly_report(services=services, kind=kind, period=period)
        ratings = ratings_summary(services=services, kind=kind, start=period.bounds[0],
                                  end=period.bounds[1])
        invoices = invoice_figures(services=services, start=form.cleaned_data["start"],
                                   end=form.cleaned_data["end"], today=timezone.localdate())
        if as_head:
            # Expert opinions are the centre's own business: its heads see their figures.
            opinions = opinion_figures(services=services, start=period.bounds[0],
                                       end=period.bounds[1], today=timezone.localdate(),
                                       kind=kind)
    reasons = dict(LatenessReason.choices)
    return render(request, "dashboards/restitutions.html", {
        "form": form, "board": board, "as_head": as_head, "ratings": ratings,
        "rating_blocks": _rating_blocks(ratings), "invoices": invoices,
        "services": services.order_by("code"),
        "late_reasons": [(reasons.get(reason, reason), n)
                         for reason, n in (board.late_statements if board else [])],
        "totals": board.totals() if board else None,
        "received_by_service": [(r.service, r.received) for r in board.by_service()]
        if board else [],
        "compliance_by_service": [(r.service, r.compliance) for r in board.by_service()]
        if board else [],
        "anomalies": anomalies,
        "opinions": opinions,
        "export_query": request.GET.urlencode(),
    })


class AnnualReviewForm(DsfrBaseForm):
    year = forms.IntegerField(label=_("Année"), min_value=2000,
                              error_messages={"invalid": _("Saisissez une année (ex. 2026)."),
                                              "min_value": _("Choisissez une année après 2000.")})
    service = forms.ChoiceField(label=_("Service prescripteur"), required=False,
                                error_messages={"invalid_choice": _(
                                    "Choisissez un service de votre centre.")})
    format = forms.ChoiceField(choices=[("pdf", "PDF"), ("xlsx", "XLSX")], required=False,
                               error_messages={"invalid_choice": _("Choisissez PDF ou XLSX.")})

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {service.code: service for service in services}
        # This year at most: read at each request, not when the module was imported.
        self.fields["year"].validators.append(MaxValueValidator(
            timezone.localdate().year, message=_("Cette année n'a pas commencé.")))
        self.fields["service"].choices = [("", _("Tous les services du centre"))] + [
            (code, str(service)) for code, service in sorted(self.services.items())]


@login_required
def annual_review(request):
    """The centre head's « Bilan annuel de la convention », as PDF or XLSX."""
    services, as_head = dashboard_scope(request.user)
    if not as_head or not services.exists():
        raise Http404
    today = timezone.localdate()
    form = AnnualReviewForm({"year": today.year, **request.GET.dict()}, services=services)
    if form.is_valid() and form.cleaned_data["format"]:
        chosen = form.cleaned_data["service"]
        reviewed = [form.services[chosen]] if chosen else list(services.order_by("code"))
        year = form.cleaned_data["year"]
        review = figures.annual_review(centre=reviewed[0].processing_centre, year=year,
                                       services=reviewed)
        name = f"bilan-annuel-{year}-{(chosen or reviewed[0].processing_centre.code).lower()}"
        # Imported here: reportlab and openpyxl are loaded only by the processes using them.
        from .review.pdf import review_pdf
        from .review.xlsx import review_xlsx

        if form.cleaned_data["format"] == "pdf":
            return HttpResponse(review_pdf(review), content_type="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="{name}.pdf"'})
        return HttpResponse(review_xlsx(review), content_type=XLSX_CONTENT_TYPE, headers={
            "Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return render(request, "dashboards/annual_review.html", {"form": form},
                  status=400 if form.errors else 200)


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
    report = anomaly_report(services=services, kind=form.cleaned_data.get("kind") or None,
                            period=Period(form.cleaned_data["start"], form.cleaned_data["end"]))
    rows = ([row.month.strftime("%m/%Y"), row.service, row.kind_label, row.code, row.label,
             row.n] for row in report.rows)
    name = f"anomalies-{form.cleaned_data['start']:%Y%m%d}-{form.cleaned_data['end']:%Y%m%d}"
    if fmt == "csv":
        response = HttpResponse("".join(french_csv(_anomaly_header(), rows)),
                                content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        xlsx_workbook(str(_("Anomalies")), _anomaly_header(), rows).save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
