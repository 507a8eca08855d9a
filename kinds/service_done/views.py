"""Year-end pages (fin de gestion): the SP's review of its open EJs, the centre's view and
its carry-over export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.models import PurchaseRequest
from cases.services import CaseError
from portal.selectors import centres_of, prescribing_services_of, services_served_by

from .models import YearEndDecision
from .year_end import carry_over_csv, is_open, open_ejs, year_end_decide


def _centre_services(user):
    return services_served_by(centres_of(user))


@login_required
def year_end(request):
    sp_services = prescribing_services_of(request.user)
    centre_services = _centre_services(request.user)
    if not sp_services.exists() and not centre_services.exists():
        raise Http404
    today = timezone.localdate()
    services = sp_services if sp_services.exists() else centre_services
    page = Paginator(open_ejs(services, today.year), 50).get_page(request.GET.get("page"))
    return render(request, "service_done/year_end.html", {
        "page_obj": page, "year": today.year, "open": is_open(today),
        "can_decide": sp_services.exists() and is_open(today),
        "is_centre": not sp_services.exists(), "decisions": YearEndDecision.choices,
    })


@login_required
@require_POST
def year_end_review(request, pk: int):
    today = timezone.localdate()
    order = get_object_or_404(PurchaseRequest.objects.filter(
        case__requesting_service__in=prescribing_services_of(request.user)), pk=pk)
    if not is_open(today):
        messages.error(request, _("La revue de fin de gestion n'est pas encore ouverte."))
        return redirect("service_done:year_end")
    try:
        year_end_decide(user=request.user, purchase_request=order,
                        decision=request.POST.get("decision", ""),
                        comment=request.POST.get("comment", ""), year=today.year)
    except CaseError as exc:
        messages.error(request, f"EJ {order.ej_number} : {exc.message}")
    else:
        messages.success(request, _("EJ %(ej)s : décision enregistrée.")
                         % {"ej": order.ej_number})
    page = request.POST.get("page", "1")
    return redirect(f"{reverse('service_done:year_end')}?page={page if page.isdigit() else 1}"
                    f"#ej-{order.pk}")


@login_required
def carry_over_export(request):
    services = _centre_services(request.user)
    if not services.exists():
        raise Http404
    year = timezone.localdate().year
    response = StreamingHttpResponse(carry_over_csv(services, year),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reports-{year}.csv"'
    return response
