"""Who gets what over HTTP: case page, attachment and every action URL, for each role and
for users of a foreign service. Another service's case is a 404, never a 403."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.models import Case
from cases.workflow import State

pytestmark = pytest.mark.django_db

OWNER_SIDE = ("sp_agent", "ordonnateur", "csp_agent", "csp_head", "cst")
CENTRE_SIDE = ("csp_agent", "csp_head", "cst")
FOREIGN = ("foreign_sp_agent", "foreign_csp_agent", "no_role_user")


@pytest.fixture
def no_role_user():
    return get_user_model().objects.create_user("editeur.sans.service", password="x")


@pytest.fixture
def users(request):
    return {name: request.getfixturevalue(name) for name in OWNER_SIDE + FOREIGN}


@pytest.fixture
def submitted_case(make_purchase_request, sp_agent):
    return make_purchase_request(sp_agent, state=State.SUBMITTED)


@pytest.mark.parametrize("name", OWNER_SIDE + FOREIGN)
def test_case_page_and_attachment(client, users, submitted_case, name):
    client.force_login(users[name])
    attachment = submitted_case.attachments.get()
    expected = 200 if name in OWNER_SIDE else 404
    assert client.get(submitted_case.get_absolute_url()).status_code == expected
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_anonymous_is_sent_to_login(client, submitted_case):
    for url in (submitted_case.get_absolute_url(),
                submitted_case.attachments.get().get_absolute_url(),
                reverse("cases:action", args=[submitted_case.pk, "claim"])):
        response = client.get(url) if "actions" not in url else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_draft_is_visible_to_its_author_only(client, users, make_purchase_request, sp_agent):
    draft = make_purchase_request(sp_agent, state=State.DRAFT)
    for name, user in users.items():
        client.force_login(user)
        expected = 200 if name == "sp_agent" else 404
        assert client.get(draft.get_absolute_url()).status_code == expected, name


# (state the case is put in, action, who succeeds, extra POST data)
ACTIONS = [
    (State.AWAITING_VALIDATION, "validate", {"ordonnateur"}, {}),
    (State.AWAITING_VALIDATION, "return", {"ordonnateur"},
     {"comment": "Devis périmé", "anomaly": "non_compliant_quote"}),
    (State.SUBMITTED, "claim", {"csp_agent", "csp_head"}, {}),
    (State.SUBMITTED, "cancel", {"sp_agent", "ordonnateur"}, {"comment": "Besoin abandonné"}),
    (State.IN_PROGRESS, "release", {"csp_agent", "csp_head"}, {}),
    (State.IN_PROGRESS, "request_info", {"csp_agent"},
     {"comment": "Quel bâtiment ?", "anomaly": "missing_document"}),
    (State.INFO_REQUESTED, "answer", {"sp_agent", "ordonnateur"}, {"comment": "Bâtiment B"}),
    (State.IN_PROGRESS, "complete", {"csp_agent"}, {"ej_number": "1300012345"}),
    (State.IN_PROGRESS, "reject", {"csp_agent"},
     {"comment": "Hors convention", "anomaly": "other", "anomaly_text": "Hors convention"}),
]


@pytest.mark.parametrize("state,action,winners,data", ACTIONS, ids=[a[1] for a in ACTIONS])
@pytest.mark.parametrize("name", OWNER_SIDE + FOREIGN)
def test_action_urls(client, users, make_purchase_request, sp_agent, csp_agent, state, action,
                     winners, data, name):
    amount = 20000 if state == State.AWAITING_VALIDATION else 1000
    case = make_purchase_request(sp_agent, amount=amount, state=state, agent=csp_agent)
    before = (case.state, case.version, case.events.count())
    client.force_login(users[name])
    response = client.post(reverse("cases:action", args=[case.pk, action]),
                           {"version": case.version, **data})
    case.refresh_from_db()
    if name in winners:
        assert response.status_code == 302, response.content.decode()[:500]
        assert case.version == before[1] + 1
        assert case.events.count() == before[2] + 1
    else:
        # The centre only sees a case once it reaches it (after the ordonnateur's validation).
        hidden = name in FOREIGN or (state == State.AWAITING_VALIDATION
                                     and name in CENTRE_SIDE)
        assert response.status_code == (404 if hidden else 403)
        assert (case.state, case.version, case.events.count()) == before


def test_head_assigns_a_case_to_an_agent(client, csp_head, csp_agent2, make_purchase_request,
                                         sp_agent):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    client.force_login(csp_head)
    response = client.post(reverse("cases:action", args=[case.pk, "assign"]),
                           {"version": case.version, "assignee": csp_agent2.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == csp_agent2 and case.state == State.IN_PROGRESS


def test_missing_reason_is_a_field_error_and_changes_nothing(client, csp_agent, sp_agent,
                                                            make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    client.force_login(csp_agent)
    response = client.post(reverse("cases:action", args=[case.pk, "reject"]),
                           {"version": case.version, "comment": "  "})
    assert response.status_code == 400
    assert "obligatoire" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_invalid_ej_number_is_a_field_error(client, csp_agent, sp_agent, make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    client.force_login(csp_agent)
    response = client.post(reverse("cases:action", args=[case.pk, "complete"]),
                           {"version": case.version, "ej_number": "12AB"})
    assert response.status_code == 400
    assert "10 chiffres" in response.content.decode()


def test_stale_page_is_a_conflict(client, csp_agent, csp_agent2, sp_agent,
                                  make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.SUBMITTED)
    stale_version = case.version
    client.force_login(csp_agent)
    client.post(reverse("cases:action", args=[case.pk, "claim"]), {"version": stale_version})
    client.force_login(csp_agent2)
    response = client.post(reverse("cases:action", args=[case.pk, "claim"]),
                           {"version": stale_version})
    assert response.status_code in (403, 409)
    case.refresh_from_db()
    assert case.assigned_to == csp_agent


def test_ordonnateur_with_low_ceiling_sees_why(client, low_ordonnateur, sp_agent,
                                               make_purchase_request):
    case = make_purchase_request(sp_agent, amount=20000, state=State.AWAITING_VALIDATION)
    client.force_login(low_ordonnateur)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "ne couvre pas le montant" in page
    response = client.post(reverse("cases:action", args=[case.pk, "validate"]),
                           {"version": case.version})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.AWAITING_VALIDATION


def test_timeline_shows_who_did_what(client, sp_agent, csp_agent, make_purchase_request):
    case = make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)
    client.force_login(sp_agent)
    page = client.get(case.get_absolute_url()).content.decode()
    for label in ("Brouillon créé", "Demande déposée", "Dossier pris en charge"):
        assert label in page
    assert csp_agent.get_full_name() in page
