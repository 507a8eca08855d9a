"""The pages of the convention's parties: the purchasing mission's and the budget
controller's lists (their decisions are the case page's actions)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from portal.models import Service

from . import selectors

PAGE_SIZE = 50
TITLES = {
    Service.Kind.PURCHASING_MISSION: (_("Mission des achats"),
                                      _("Demandes à examiner"), _("Demandes examinées")),
    Service.Kind.BUDGET_CONTROL: (_("Visas du contrôleur budgétaire"),
                                  _("Engagements en attente du visa"), _("Visas enregistrés")),
}


def _party_page(request, party: str):
    if not selectors.is_party_member(request.user, party):
        raise Http404
    waiting, done = selectors.party_cases(request.user, party)
    title, waiting_title, done_title = (str(text) for text in TITLES[party])
    return render(request, "purchases/party_queue.html", {
        "title": title, "waiting_title": waiting_title, "done_title": done_title,
        "waiting": waiting, "page_obj": Paginator(done, PAGE_SIZE).get_page(
            request.GET.get("page")),
        "is_mission": party == Service.Kind.PURCHASING_MISSION,
    })


@login_required
def mission_queue(request):
    return _party_page(request, Service.Kind.PURCHASING_MISSION)


@login_required
def visa_queue(request):
    return _party_page(request, Service.Kind.BUDGET_CONTROL)
