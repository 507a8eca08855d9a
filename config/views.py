from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from cases import selectors as case_selectors
from conventions import selectors as conventions_selectors
from forms_catalog.selectors import catalogue_cards
from invoices import selectors as invoice_selectors
from kinds.purchases import selectors as party_selectors
from kinds.purchases.views import TITLES
from opinions import selectors as opinion_selectors
from portal.models import CENTRE_ROLES, SP_ROLES, Service
from portal.selectors import service_list

PARTY_PAGES = [(party, TITLES[party][0], f"purchases:{name}") for party, name in (
    (Service.Kind.PURCHASING_MISSION, "mission_queue"),
    (Service.Kind.BUDGET_CONTROL, "visa_queue"))]


@login_required
def home(request):
    user = request.user
    context = {
        "prescribing_services": service_list(user, SP_ROLES),
        "centres": service_list(user, CENTRE_ROLES),
    }
    if context["prescribing_services"]:
        context["catalogue"] = catalogue_cards(user)
        context["my_cases"] = case_selectors.cases_of_requesting_services(user=user)[:5]
        context["to_validate"] = case_selectors.cases_awaiting_validation_for(user=user)[:10]
        context["invoices_waiting"] = invoice_selectors.waiting_block(
            context["prescribing_services"], today=timezone.localdate())
    if context["centres"]:
        # The menu's "to process" count comes from the same aggregate (context_processors).
        context["queue_counts"] = request.queue_counts = case_selectors.queue_counts(user=user)
    # The convention's parties: what waits for their decision.
    context["parties"] = [
        (title, url, waiting.count())
        for party, title, url in PARTY_PAGES
        if party_selectors.is_party_member(user, party)
        for waiting in [party_selectors.party_cases(user, party)[0]]]
    # The opinions asked of the person (anyone may be asked one): waiting ones, and the
    # link to « Avis demandés » as long as some were ever asked.
    context["opinions_waiting"] = opinion_selectors.open_count(user)
    if conventions_selectors.can_edit_content(user):
        context["editorial"] = conventions_selectors.editorial_overview(user)
    return render(request, "portal/home.html", context)


@login_required
def api_token(request):
    """The person's token for the cases API: shown once created, regenerated on demand."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from rest_framework.authtoken.models import Token

    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        token = Token.objects.create(user=request.user)
        messages.success(request, "Nouveau jeton créé : l'ancien ne fonctionne plus.")
        request.session["api_token_shown"] = token.key
        return redirect("api_token")
    return render(request, "portal/api_token.html", {
        "token": request.session.pop("api_token_shown", None),
        "has_token": Token.objects.filter(user=request.user).exists(),
    })


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes' answer to a locked-out login: a French page, status 429."""
    from django.conf import settings

    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "portal/locked_out.html", {"cooloff_minutes": minutes}, status=429)
