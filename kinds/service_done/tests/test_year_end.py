"""Year-end (fin de gestion): open EJs per SP, decisions to close or carry over (with a reason),
the centre's carry-over export, nothing of another service."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.workflow import State
from kinds.service_done.models import YearEndReview
from kinds.service_done.year_end import open_ejs

pytestmark = pytest.mark.django_db
PAGE = reverse("service_done:year_end")


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def orders(make_purchase_request, sp_agent, ordonnateur, csp_agent, foreign_sp_agent,
           foreign_csp_agent):
    own = make_purchase_request(sp_agent, state=State.COMPLETED, agent=csp_agent,
                                ordonnateur=ordonnateur)
    foreign = make_purchase_request(foreign_sp_agent, state=State.COMPLETED,
                                    agent=foreign_csp_agent)
    return own, foreign


def test_the_sp_reviews_its_open_ejs_from_october(client, settings, orders, sp_agent):
    settings.YEAR_END_OPENS_MONTH = 1  # open whatever today's month
    own, foreign = orders
    client.force_login(sp_agent)
    page = _text(client.get(PAGE))
    assert own.purchase_request.ej_number in page
    assert foreign.purchase_request.ej_number not in page
    url = reverse("service_done:year_end_review", args=[own.purchase_request.pk])
    client.post(url, {"decision": "carry_over", "comment": ""}, follow=True)
    assert not YearEndReview.objects.exists()  # a carry-over needs its reason
    response = client.post(url, {"decision": "carry_over", "comment": "Livraison en mars"},
                           follow=True)
    assert "décision enregistrée" in _text(response)
    review = YearEndReview.objects.get()
    assert (review.decision, review.comment, review.decided_by) == (
        "carry_over", "Livraison en mars", sp_agent)
    client.post(url, {"decision": "close", "comment": ""})
    assert YearEndReview.objects.get().decision == "close"  # changed, not duplicated
    forbidden = reverse("service_done:year_end_review", args=[foreign.purchase_request.pk])
    assert client.post(forbidden, {"decision": "close"}).status_code == 404


def test_before_october_the_list_is_shown_without_decisions(client, settings, orders,
                                                            sp_agent):
    settings.YEAR_END_OPENS_MONTH = 13  # never open
    client.force_login(sp_agent)
    page = _text(client.get(PAGE))
    assert "commence en octobre" in page and 'name="decision"' not in page
    url = reverse("service_done:year_end_review", args=[orders[0].purchase_request.pk])
    client.post(url, {"decision": "close"})
    assert not YearEndReview.objects.exists()


def test_the_centre_exports_the_carry_over_list(client, settings, orders, sp_agent, csp_agent,
                                                foreign_csp_agent):
    settings.YEAR_END_OPENS_MONTH = 1
    own, _foreign = orders
    client.force_login(sp_agent)
    client.post(reverse("service_done:year_end_review", args=[own.purchase_request.pk]),
                {"decision": "carry_over", "comment": "Marché pluriannuel"})
    client.force_login(csp_agent)
    assert "Marché pluriannuel" in _text(client.get(PAGE))
    body = b"".join(client.get(reverse("service_done:carry_over_export"))
                    .streaming_content).decode()
    assert own.purchase_request.ej_number in body and "Marché pluriannuel" in body
    client.force_login(foreign_csp_agent)
    body = b"".join(client.get(reverse("service_done:carry_over_export"))
                    .streaming_content).decode()
    assert own.purchase_request.ej_number not in body


def test_a_fully_certified_ej_is_not_open(orders, sp):
    own, _foreign = orders
    year = 2026
    assert own.purchase_request in open_ejs([sp], year)
    assert open_ejs([sp], year).get().certified == Decimal("0.00")
