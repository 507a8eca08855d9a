"""Hostile and random input (hypothesis) on the checks, the forms and the HTTP doors: huge
numbers, negative amounts, Unicode edge cases, 10,000-character strings, years 1 and 9999,
NUL bytes. Every answer is a French field error or a success — never a 500, never a change
when refused."""

import string

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.identifiers import clean_bic, clean_iban, clean_nir, clean_siren, clean_siret, clean_vat
from cases.models import Case
from cases.workflow import State
from config.middleware import has_control_character
from kinds.tiers.identity import clean_identity

pytestmark = pytest.mark.django_db

# Strings people (or attackers) send: anything, digits with noise, very long, NUL, odd Unicode.
HOSTILE = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=string.digits + " .-/", max_size=40),
    st.text(alphabet="\x00\u202e\u200b\ufeff\U0001f600éÉ<>\"'&;", max_size=20),
    st.just("9" * 10_000),
    st.just("<script>alert(1)</script>"),
    st.sampled_from(["0001-01-01", "9999-12-31", "-1", "1e309", "NaN", "Infinity",
                     "99999999999999999999.999", "-0,01", "１２３", ""]),
)
HTTP = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
EXAMPLES = {"checks": 300, "http": 60}


@settings(max_examples=EXAMPLES["checks"], deadline=None)
@given(value=HOSTILE)
def test_identifier_checks_answer_with_a_validation_error_or_a_value(value):
    for check in (clean_siren, clean_siret, clean_nir, clean_vat, clean_iban, clean_bic):
        try:
            cleaned = check(value)
        except ValidationError as exc:
            assert exc.messages and all(isinstance(m, str) and m for m in exc.messages)
        else:
            assert isinstance(cleaned, str) and "\x00" not in cleaned


@settings(max_examples=EXAMPLES["checks"], deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.dictionaries(
    st.sampled_from(["category", "name", "last_name", "first_name", "siret", "nir",
                     "vat_number", "foreign_identifier", "address", "postcode", "city",
                     "country", "iban", "bic", "email"]), HOSTILE))
def test_identity_checks_name_each_faulty_field(values):
    try:
        cleaned = clean_identity(values)
    except ValidationError as exc:
        assert exc.message_dict and all(messages for messages in exc.message_dict.values())
    else:
        assert cleaned["name"]


@pytest.fixture
def agent_client(client, sp_agent):
    client.force_login(sp_agent)
    return client


@HTTP
@given(data=st.fixed_dictionaries({
    "name": HOSTILE, "siret": HOSTILE, "vat_number": HOSTILE}))
def test_the_tiers_identity_step_never_fails(agent_client, data):
    response = agent_client.post(reverse("suppliers:new"), {
        "tiers-current_step": "nature", "nature-operation": "creation",
        "nature-category": "company"})
    assert response.status_code in (302, 200)
    case = Case.objects.filter(kind="tiers").latest("pk")
    response = agent_client.post(reverse("suppliers:resume", args=[case.pk]), {
        "tiers-current_step": "identite", **{f"identite-{k}": v for k, v in data.items()}})
    assert response.status_code in (200, 302, 409)


@HTTP
@given(params=st.dictionaries(
    st.sampled_from(["q", "state", "kind", "requesting_service", "assigned_to", "due_from",
                     "due_to", "amount_min", "amount_max", "mine", "overdue", "sort", "page"]),
    HOSTILE, max_size=6))
def test_queue_filters_never_fail(client, csp_agent, params):
    client.force_login(csp_agent)
    # Control characters are refused before any view, with the French 400 page
    # (config.middleware); any other value is a filter the page shows or reports.
    expected = 400 if any(has_control_character(value) for value in params.values()) else 200
    page = client.get(reverse("cases:queue"), params)
    assert page.status_code == expected
    if expected == 400:
        assert "Requête invalide" in page.content.decode()
    export = client.get(reverse("cases:queue_export", args=["csv"]), params)
    assert export.status_code == expected


@pytest.fixture
def in_progress(make_purchase_request, sp_agent, csp_agent):
    return make_purchase_request(sp_agent, state=State.IN_PROGRESS, agent=csp_agent)


@HTTP
@given(action=st.sampled_from(["complete", "request_info", "reject", "release", "nope"]),
       comment=HOSTILE, ej_number=HOSTILE, version=HOSTILE)
def test_case_actions_refuse_hostile_input_without_change(client, csp_agent, in_progress,
                                                          action, comment, ej_number, version):
    client.force_login(csp_agent)
    before = Case.objects.get(pk=in_progress.pk)
    response = client.post(reverse("cases:action", args=[in_progress.pk, action]),
                           {"comment": comment, "ej_number": ej_number, "version": version})
    assert response.status_code in (302, 400, 403, 404, 409)
    after = Case.objects.get(pk=in_progress.pk)
    if response.status_code != 302:
        assert (after.state, after.version) == (before.state, before.version)
    elif after.state != State.IN_PROGRESS:
        # Succeeded: put the case back for the next example.
        Case.objects.filter(pk=in_progress.pk).update(state=State.IN_PROGRESS,
                                                      assigned_to=csp_agent)


@HTTP
@given(body=HOSTILE)
def test_messages_refuse_or_keep_hostile_text(client, sp_agent, in_progress, body):
    client.force_login(sp_agent)
    response = client.post(reverse("messaging:create", args=[in_progress.pk]), {"body": body})
    assert response.status_code in (302, 400)
    for message in in_progress.messages.all():
        assert "\x00" not in message.body


@HTTP
@given(payload=st.dictionaries(
    st.sampled_from(["comment", "ej_number", "version", "assignee", "asset_number"]),
    st.one_of(HOSTILE, st.integers(min_value=-(2**70), max_value=2**70), st.none(),
              st.lists(st.integers(), max_size=3)), max_size=5))
def test_api_actions_never_fail(csp_agent, in_progress, payload):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(csp_agent)
    response = api.post(f"/api/cases/{in_progress.pk}/actions/complete/", payload,
                        format="json")
    assert response.status_code in (200, 400, 409)
    if response.status_code == 200:
        Case.objects.filter(pk=in_progress.pk).update(state=State.IN_PROGRESS)


def test_the_number_of_examples_is_reported():
    # 2 checks × 300 examples, 5 HTTP doors × 60 examples.
    assert 2 * EXAMPLES["checks"] + 5 * EXAMPLES["http"] == 900
