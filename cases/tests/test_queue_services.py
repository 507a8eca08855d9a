"""The queue's working tools: combinable filters with French errors, saved filters, bulk
assignment by the head, counts in the menu."""

import html
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Case, SavedFilter
from cases.queue_services import MAX_SAVED_FILTERS, saved_filter_save
from cases.services import CaseError
from cases.workflow import State

pytestmark = pytest.mark.django_db
QUEUE = reverse("cases:queue")


def refs(response) -> set[str]:
    return {case.reference for case in response.context["page_obj"]}


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def cases(make_purchase_request, sp_agent, ordonnateur, csp_agent):
    return {
        "small": make_purchase_request(sp_agent, amount="300.00", state=State.SUBMITTED),
        "large": make_purchase_request(sp_agent, amount="4000.00", state=State.SUBMITTED,
                                       ordonnateur=ordonnateur),
        "mine": make_purchase_request(sp_agent, amount="900.00", state=State.IN_PROGRESS,
                                      agent=csp_agent),
        "question": make_purchase_request(sp_agent, amount="900.00",
                                          state=State.INFO_REQUESTED, agent=csp_agent),
    }


def test_amount_due_date_and_agent_filters_combine(client, csp_agent, cases):
    client.force_login(csp_agent)
    assert refs(client.get(QUEUE, {"amount_min": "500", "amount_max": "1 000,00"})) == {
        cases["mine"].reference, cases["question"].reference}
    assert refs(client.get(QUEUE, {"amount_min": "1000", "state": "submitted"})) == {
        cases["large"].reference}
    assert refs(client.get(QUEUE, {"assigned_to": csp_agent.pk, "state": "in_progress"})) == {
        cases["mine"].reference}
    due = cases["small"].due_at.date()
    assert cases["small"].reference in refs(client.get(QUEUE, {
        "due_from": due.isoformat(), "due_to": due.isoformat()}))
    assert refs(client.get(QUEUE, {"state": "info_requested"})) == {cases["question"].reference}


def test_inconsistent_filters_are_explained_and_list_nothing(client, csp_agent, cases):
    client.force_login(csp_agent)
    response = client.get(QUEUE, {"amount_min": "900", "amount_max": "100",
                                  "due_from": "2026-12-01", "due_to": "2026-11-01"})
    assert response.status_code == 200
    text = _text(response)
    assert "Le maximum est inférieur au minimum." in text
    assert "La fin de la période précède son début." in text
    assert refs(response) == set()
    text = _text(client.get(QUEUE, {"amount_min": "-5", "due_from": "hier"}))
    assert "Un montant est positif." in text and "Saisissez une date valide." in text


def test_a_saved_filter_comes_back_and_is_private(client, csp_agent, csp_agent2, cases):
    client.force_login(csp_agent)
    response = client.post(reverse("cases:saved_filter_save"),
                           {"name": "  Gros montants  ", "query": "amount_min=1000&page=3&x=1"})
    assert response.status_code == 302
    saved = SavedFilter.objects.get(user=csp_agent)
    assert (saved.name, saved.query) == ("Gros montants", "amount_min=1000")
    page = client.get(QUEUE)
    assert "Gros montants" in _text(page)
    assert refs(client.get(f"{QUEUE}?{saved.query}")) == {cases["large"].reference}
    # Saving again under the same name replaces it.
    client.post(reverse("cases:saved_filter_save"), {"name": "Gros montants",
                                                     "query": "amount_min=2000"}, follow=True)
    assert SavedFilter.objects.get(user=csp_agent).query == "amount_min=2000"
    client.force_login(csp_agent2)
    assert "Gros montants" not in _text(client.get(QUEUE))
    delete = reverse("cases:saved_filter_delete", args=[saved.pk])
    assert client.post(delete).status_code == 404
    client.force_login(csp_agent)
    assert client.post(delete).status_code == 302
    assert not SavedFilter.objects.exists()


def test_saved_filters_refuse_a_missing_name_and_too_many(csp_agent):
    with pytest.raises(CaseError, match="Donnez un nom"):
        saved_filter_save(user=csp_agent, name="   ", query="state=all")
    for n in range(MAX_SAVED_FILTERS):
        saved_filter_save(user=csp_agent, name=f"Filtre {n}", query="state=all")
    with pytest.raises(CaseError, match="supprimez-en un"):
        saved_filter_save(user=csp_agent, name="Un de trop", query="state=all")


def test_the_head_assigns_a_selection_and_refusals_are_reported(client, csp_head, csp_agent2,
                                                                csp_agent, sp_agent, cases,
                                                                foreign_sp_agent,
                                                                make_purchase_request):
    foreign = make_purchase_request(foreign_sp_agent, state=State.SUBMITTED)
    client.force_login(csp_head)
    page = client.get(QUEUE)
    assert "Attribuer la sélection" in _text(page)
    chosen = [cases["small"].pk, cases["large"].pk, cases["question"].pk, foreign.pk]
    response = client.post(reverse("cases:bulk_assign"),
                           {"cases": chosen, "assignee": csp_agent2.pk, "query": "state=open"},
                           follow=True)
    text = _text(response)
    assert "2 dossiers attribués" in text
    assert cases["question"].reference in text  # info requested: cannot be assigned
    assert foreign.reference not in text  # another centre's case is silently ignored
    assigned = set(Case.objects.filter(assigned_to=csp_agent2).values_list("pk", flat=True))
    assert assigned == {cases["small"].pk, cases["large"].pk}
    foreign.refresh_from_db()
    assert foreign.assigned_to is None


def test_only_a_head_may_assign_in_bulk(client, csp_agent, csp_agent2, cases):
    client.force_login(csp_agent)
    assert "Attribuer la sélection" not in _text(client.get(QUEUE))
    response = client.post(reverse("cases:bulk_assign"),
                           {"cases": [cases["small"].pk], "assignee": csp_agent2.pk})
    assert response.status_code == 404
    assert Case.objects.get(pk=cases["small"].pk).assigned_to is None


def test_the_menu_counts_what_waits(client, csp_agent, sp_agent, cases):
    client.force_login(csp_agent)
    assert "2<span class=\"fr-sr-only\"> à traiter" in client.get(reverse("home")).content.decode()
    client.force_login(sp_agent)
    assert "1<span class=\"fr-sr-only\"> à répondre" in client.get(
        reverse("home")).content.decode()
    assert Decimal(cases["small"].amount) == Decimal("300.00")
