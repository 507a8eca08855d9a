"""The OpenAPI schema at /api/schema/ describes the cases API as it answers: schemathesis
generates requests from the schema (valid ones, and invalid ones the API must refuse) and
checks every answer against it — status codes, content types, headers and bodies — with a
prescribing service's agent's token and with a centre agent's, on a portal holding cases of
both. Examples are bounded so that the run stays within a couple of minutes."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from cases.workflow import State

pytestmark = pytest.mark.django_db

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 8}


@pytest.fixture
def api_schema(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: a request served inside the test's transaction must not
    # close the connection holding it at request_finished (PostgreSQL closes it, since its
    # autocommit differs from the settings'; SQLite's in-memory database never closes).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json",
                                             get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def portal_with_cases(make_purchase_request, sp_agent, csp_agent, foreign_sp_agent):
    """Cases in several states, of the agent's service and of another, so that generated ids
    meet visible cases, foreign ones and missing ones."""
    for state in (State.DRAFT, State.SUBMITTED, State.IN_PROGRESS, State.COMPLETED):
        make_purchase_request(sp_agent, state=state)
    make_purchase_request(foreign_sp_agent, state=State.SUBMITTED)
    return {"sp": sp_agent, "csp": csp_agent}


def _run(schema, headers: dict) -> list[str]:
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, examples in EXAMPLES.items():
            @given(case=operation.as_strategy(generation_mode=mode))
            # No shrinking: a failure is reported as found, within the time bound.
            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            def check(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                check()
            except Exception as exc:  # noqa: BLE001 — every operation's failures reported
                failures.append(f"{operation.label} ({mode}): {exc}")
    return failures


@pytest.mark.parametrize("who", ["sp", "csp"])
def test_the_api_answers_as_its_schema_says(api_schema, portal_with_cases, who):
    token = Token.objects.create(user=portal_with_cases[who])
    failures = _run(api_schema, {"Authorization": f"Token {token.key}"})
    assert not failures, "\n\n".join(failures)


def test_the_api_answers_anonymous_requests_as_its_schema_says(api_schema, portal_with_cases):
    failures = _run(api_schema, {})
    assert not failures, "\n\n".join(failures)
