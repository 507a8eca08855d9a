"""Invoice pages: the list (an SP's own services, a centre's services), one invoice with its
payment delay, the CSV export, and the centre's upload of a Chorus Pro extract with the
import's progress."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from documents.spreadsheets import french_csv
from portal.models import Role, Service
from portal.selectors import prescribing_services_of, services_of_user

from . import selectors
from .forms import InvoiceFilterForm, InvoiceUploadForm
from .jobs import invoice_import_create
from .models import InvoiceImport

PAGE_SIZE = 50
IMPORTING_ROLES = (Role.CSP_AGENT, Role.CSP_HEAD)


def _filtered(request):
    services = selectors.invoice_services(request.user)
    if not services:
        raise Http404  # of no service nor centre
    form = InvoiceFilterForm(request.GET or None, services=services)
    invoices = selectors.visible_invoices(request.user).select_related("requesting_service")
    if form.is_bound and form.is_valid():
        state = form.cleaned_data["state"]
        if state == InvoiceFilterForm.WAITING:
            invoices = invoices.waiting()
        elif state == InvoiceFilterForm.COVERED:
            invoices = invoices.covered()
        if form.cleaned_data["service"]:
            invoices = invoices.filter(requesting_service__code=form.cleaned_data["service"])
    return form, invoices.order_by("-received_on", "number")


def _query(form) -> str:
    if not form.is_bound or not form.is_valid():
        return ""
    return urlencode({k: v for k, v in form.cleaned_data.items() if v})


@login_required
@require_GET
def invoice_list(request):
    form, invoices = _filtered(request)
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "invoices/list.html", {
        "form": form, "page_obj": page, "query": _query(form),
        "rows": selectors.with_delays(page.object_list, today=today),
        "can_import": services_of_user(request.user, IMPORTING_ROLES).exists(),
    })


@login_required
@require_GET
def invoice_detail(request, pk: int):
    invoice = selectors.invoice_for(request.user, pk)
    if invoice is None:
        raise Http404
    today = timezone.localdate()
    return render(request, "invoices/detail.html", {
        "invoice": invoice, "delay": invoice.delay(today=today, rates=selectors.rates()),
        "can_state": invoice.waiting and invoice.requesting_service_id in set(
            prescribing_services_of(request.user).values_list("pk", flat=True)),
        "statement_args": selectors.statement_url_args(invoice),
    })


EXPORT_HEADER = [_("Service"), _("Facture"), _("SIRET fournisseur"), _("EJ"),
                 _("Montant HT (€)"), _("Montant TTC (€)"), _("Reçue le"),
                 _("Statut Chorus Pro"), _("Service fait certifié le"),
                 _("Échéance de paiement"), _("Jours d'attente"), _("Jours de retard"),
                 _("Coût estimé du retard (€)")]


@login_required
@require_GET
def invoice_export(request):
    form, invoices = _filtered(request)
    today = timezone.localdate()
    known_rates = selectors.rates()

    def rows():
        for invoice in invoices.iterator(chunk_size=2000):
            delay = invoice.delay(today=today, rates=known_rates)
            yield [invoice.requesting_service.code if invoice.requesting_service else "",
                   invoice.number, invoice.supplier_siret, invoice.ej_number,
                   invoice.amount_ht, invoice.amount_ttc, invoice.received_on,
                   invoice.get_status_display(), invoice.covered_on, delay.due_on,
                   delay.waiting_days, delay.days_late, delay.cost]

    response = StreamingHttpResponse(french_csv([str(h) for h in EXPORT_HEADER], rows()),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="factures-{today:%Y%m%d}.csv"')
    return response


# --- the centre's import -------------------------------------------------------------------


def _importing_centres(user):
    centres = services_of_user(user, IMPORTING_ROLES).filter(kind=Service.Kind.SHARED_CENTRE)
    if not centres.exists():
        raise Http404
    return list(centres.order_by("code"))


@login_required
def invoice_import(request):
    centres = _importing_centres(request.user)
    form = InvoiceUploadForm(request.POST or None, request.FILES or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        job = invoice_import_create(centre=form.cleaned_data["centre"], actor=request.user,
                                    uploaded=form.cleaned_data["file"],
                                    name=form.cleaned_data["file"].name)
        return redirect("invoices:import_job", pk=job.pk)
    recent = InvoiceImport.objects.filter(centre__in=centres)[:10]
    return render(request, "invoices/import.html", {"form": form, "recent": recent})


@login_required
@require_GET
def invoice_import_job(request, pk: int):
    job = (InvoiceImport.objects.filter(centre__in=_importing_centres(request.user), pk=pk)
           .select_related("centre", "uploaded_by").first())
    if job is None:
        raise Http404
    return render(request, "invoices/import_job.html", {"job": job})
