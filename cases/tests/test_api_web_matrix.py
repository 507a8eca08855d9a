"""The cases REST API answers exactly like the web pages, for every role and every action.

Both matrices are generated, not hand-listed.

1. Visibility: ROLES (sp_agent, ordonnateur, csp_agent, csp_head, cst, foreign_sp_agent,
   foreign_csp_agent) + anonymous, x (submitted, in_progress, completed); one purchase request
   per test. The web page (`GET /dossiers/<pk>/`) and the API (`GET /api/cases/<pk>/`) agree
   on "visible" (200/200) or "not visible" (404/404); the anonymous visitor is sent to the
   login page (302) by the web and refused (401/403) by the API; visibility is what the
   memberships say (a member of the requesting service or of its processing centre, so that
   both channels cannot agree on a leak); and for a visible case the API's
   `available_actions` is exactly the set of the page's action forms (parsed from their
   `action="/dossiers/<pk>/actions/<action>/"` URLs).

2. Actions: role x SCENARIOS. SCENARIOS is derived from `cases.kinds.all_transitions()`: for
   each row (except `create` and `submit`, see below), the first kind of the row this module
   can build (a purchase request when the row is for every kind), in each source state of
   the row a case of that kind can be built in (BUILDABLE). That gives claim/assign/cancel on
   `submitted`, release/request_info/complete/reject/assign on `in_progress`, answer on
   `info_requested`, sign on `completed`, validate/return/cancel on `awaiting_validation`,
   cancel on `draft`, send_to_cst on a tiers request `in_progress`, cst_validate/cst_return
   on a tiers request `awaiting_cst`, certify/return on a service-done statement
   `in_progress`, the purchasing mission's accept/request_info/return/cancel on `at_mission`,
   the visa's grant/refuse on `awaiting_visa` (25 scenarios).
   `test_every_action_is_in_the_matrix` fails when the workflow gains an action no scenario
   covers. Inputs are those the row takes (requires + accepts): comment "Motif", a fresh
   10-digit EJ number (one per channel: EJ numbers are unique), the circuits' own
   (CIRCUIT_INPUTS), anomaly "missing_document", assignee csp_agent2 (its pk in the web
   form, its username in the API). Sign and certify issue signed PDFs: the acting person
   gets a credential (`give_credential`) in those parameters, so that only the role decides.

   Per parameter: the API detail's `available_actions` is read; when the action is offered
   and requires inputs, it is first POSTed without them through both channels (both 400, and
   the API's "field" is a field in error of the web form); then the action is POSTed through
   the web, then through the API, and the outcomes must agree: success (web 302 to the case
   page / API 200; both cases in the same state, a target of the row, with the same assignee
   and the same last event), refusal (web 400/403 / API 400 whose "detail" is the message
   the web page shows; the case untouched), not visible (404/404), or anonymous (web 302 to
   the login page / API 401/403). The outcome must be the one `available_actions` announced.

   Selection (run time, and combinations that are obviously identical):
   - Cases are built lazily, inside each parameter. The API gets an identical fresh case
     only when the web changed its own (a success); when the web refused, the case is checked
     untouched (state, version, assignee, history) and the API is tried on that same case,
     indistinguishable from a fresh one.
   - INSIDERS (sp_agent, ordonnateur, low_ordonnateur, csp_agent, csp_head, cst) meet every
     scenario. low_ordonnateur (1 000 € ceiling, the requests are 8 000 €) brings a guard
     refusal (the delegation) next to the actor refusals.
   - OUTSIDERS (foreign_sp_agent, foreign_csp_agent, anonymous) are stopped before the action
     is read, in the view (login_required, then the visibility 404) as in the API
     (IsAuthenticated, then `visible_case`): one scenario per case shape (kind, state) stands
     for every action on that shape (ONE_PER_SHAPE, 11 shapes).
   - csp_agent2 is the assignee input, not an actor: as an actor it would repeat csp_agent
     (claim) and csp_head (the "agent en charge" refusals).
   - `create` is not a case action (no case exists yet). `submit` has no door on the case
     page: `case_action` answers 404 to it for everyone by design (`NOT_ON_CASE_PAGE`), the
     web's door is the wizard. It gets its own matrix (`test_submit_matrix`, ROLES +
     anonymous): the API submits a draft exactly when the web opens the draft's wizard (its
     creator); everyone else gets 404 on both.

3. Sizes: VISIBILITY_MATRIX_SIZE (24), ACTION_MATRIX_SIZE (role x action combinations: 6 x 25
   + 3 x 11 = 183) and SUBMIT_MATRIX_SIZE (8), checked and printed by `test_matrix_sizes`.
"""

import html
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.kinds import all_transitions, transitions_for
from cases.models import Case, CaseKind
from cases.services import case_draft_create, transition
from cases.workflow import Action, State
from documents.models import AttachmentKind
from documents.services import attachment_add
from kinds.service_done.services import StatementData, statement_fill
from kinds.tiers.services import tiers_request_fill
from portal.models import CENTRE_ROLES, SP_ROLES
from portal.selectors import user_has_role
from portal.services import service_get_or_create
from tests.factories import valid_iban, valid_siret
from tests.fixtures import tiny_pdf

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
# Members of the requesting service (sp) or of its processing centre (csp)...
INSIDERS = ("sp_agent", "ordonnateur", "low_ordonnateur", "csp_agent", "csp_head", "cst")
# ...and those who are not: another service and another centre, and the anonymous visitor.
OUTSIDERS = ("foreign_sp_agent", "foreign_csp_agent", ANONYMOUS)
# The visibility matrix: low_ordonnateur sees exactly what ordonnateur sees (same membership).
ROLES = tuple(role for role in (*INSIDERS, *OUTSIDERS) if role not in ("low_ordonnateur",
                                                                       ANONYMOUS))
VISIBILITY_STATES = (State.SUBMITTED, State.IN_PROGRESS, State.COMPLETED)
# Above sp_agent's 5 000 € delegation: every request goes through the ordonnateur, so one
# amount serves every state (awaiting_validation included).
AMOUNT = "8000.00"
# Actions with no case-page door (see the module docstring).
NOT_COMPARED = (Action.CREATE, Action.SUBMIT)
SIGNING_ACTIONS = (Action.SIGN, Action.CERTIFY)

# What this module can build, per kind: the states reachable through the real services.
BUILDABLE = {
    CaseKind.PURCHASE_REQUEST: (State.DRAFT, State.AWAITING_VALIDATION, State.SUBMITTED,
                                State.IN_PROGRESS, State.INFO_REQUESTED, State.COMPLETED,
                                State.AT_MISSION, State.AWAITING_VISA),
    CaseKind.TIERS: (State.IN_PROGRESS, State.AWAITING_CST),
    CaseKind.SERVICE_DONE: (State.IN_PROGRESS,),
}


@dataclass(frozen=True)
class Scenario:
    action: str
    kind: str
    state: str

    @property
    def id(self) -> str:
        return f"{self.action}@{self.kind}:{self.state}"

    @property
    def inputs(self) -> set[str]:
        rows = transitions_for(self.state, self.action, self.kind)
        return {name for row in rows for name in row.requires + row.accepts}

    @property
    def required(self) -> set[str]:
        rows = transitions_for(self.state, self.action, self.kind)
        return {name for row in rows for name in row.requires}


def _scenarios() -> list[Scenario]:
    found: list[Scenario] = []
    for row in all_transitions():
        if row.action in NOT_COMPARED:
            continue
        kinds = ([CaseKind.PURCHASE_REQUEST] if row.kinds is None
                 else sorted(kind for kind in row.kinds if kind in BUILDABLE))
        for kind in kinds[:1]:
            for state in State:  # declaration order: a stable parameter order
                scenario = Scenario(row.action.value, str(kind), state.value)
                if state in row.sources and state in BUILDABLE[kind] and scenario not in found:
                    found.append(scenario)
    return found


SCENARIOS = _scenarios()
_visa_ej_numbers = itertools.count(4_750_000_001)
CIRCUIT_INPUTS = {"procurement_route": "existing_contract", "contract_reference": "MAR-2026-01",
                  "visa_reference": "VISA-2026-001",
                  # Between the request's arrival at the centre and today: today.
                  "visa_date": timezone.localdate().isoformat()}
# Whoever is not logged in, or sees nothing of the requesting service and of its centre, is
# stopped before the action is even read (login_required / IsAuthenticated, then the 404 of
# visibility, in both the view and the API): for them one scenario per case shape (kind and
# state) stands for all the actions on that shape.
ONE_PER_SHAPE = [s for n, s in enumerate(SCENARIOS)
                 if (s.kind, s.state) not in {(o.kind, o.state) for o in SCENARIOS[:n]}]
ACTION_MATRIX = ([(role, s) for s in SCENARIOS for role in INSIDERS]
                 + [(role, s) for s in ONE_PER_SHAPE for role in OUTSIDERS])
VISIBILITY_MATRIX_SIZE = (len(ROLES) + 1) * len(VISIBILITY_STATES)
ACTION_MATRIX_SIZE = len(ACTION_MATRIX)
SUBMIT_MATRIX_SIZE = len(ROLES) + 1

_ej_numbers = itertools.count(4_700_000_001)
_tiers_numbers = itertools.count(90_001)


# --- clients ----------------------------------------------------------------------------------


def web_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def actor(request, role):
    return None if role == ANONYMOUS else request.getfixturevalue(role)


def web_actions(response, pk) -> set[str]:
    """The actions offered by the case page: the targets of its action forms."""
    prefix = re.escape(reverse("cases:action", args=[pk, "ACTION"]).rsplit("ACTION", 1)[0])
    return set(re.findall(rf'<form[^>]*\baction="{prefix}([a-z_]+)/"', response.content.decode()))


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse(settings.LOGIN_URL))


# --- cases, built through the real services ---------------------------------------------------


def _company(n: int) -> dict:
    return {"category": "company", "name": f"Menuiserie Matrice {n} SARL",
            "siret": valid_siret(n), "address": "3 rue des Lilas", "postcode": "57000",
            "city": "Metz", "country": "FR", "iban": valid_iban(n), "bic": "CEPAFRPP751",
            "email": "contact@matrice.fr"}


@pytest.fixture
def build_case(make_purchase_request, sp, csp, sp_agent, ordonnateur, csp_agent,
               publish_convention):
    """A fresh case of `kind` in `state`, requested by sp_agent's service, handled by
    csp_agent (the assignee) of its centre. The convention's circuits (a request at the
    purchasing mission, an EJ waiting for the visa) get a convention whose thresholds the
    amount reaches, published on the first such case."""
    circuit = {}

    def convention(state):
        if not circuit:
            if state == State.AT_MISSION:
                service_get_or_create(code="MDAM", name="Mission des achats", kind="mda",
                                      processing_centre=csp)
            circuit[state] = publish_convention(
                centre=csp, services=[sp], purchasing_mission_threshold_ht=Decimal(
                    "6000" if state == State.AT_MISSION else "1000000"),
                budget_control_threshold_ht=Decimal("6000"))

    def purchase_request(state):
        if state == State.AT_MISSION:
            convention(state)
            case = make_purchase_request(sp_agent, amount=AMOUNT, ordonnateur=ordonnateur,
                                         state=State.AWAITING_VALIDATION)
            return transition(case=case, action=Action.VALIDATE, actor=ordonnateur)
        if state == State.AWAITING_VISA:
            convention(state)
            case = make_purchase_request(sp_agent, amount=AMOUNT, state=State.IN_PROGRESS,
                                         agent=csp_agent, ordonnateur=ordonnateur)
            return transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                              ej_number=str(next(_visa_ej_numbers)))
        return make_purchase_request(sp_agent, amount=AMOUNT, state=state, agent=csp_agent,
                                     ordonnateur=ordonnateur)

    def tiers(state):
        case = case_draft_create(actor=sp_agent, service=sp, kind=CaseKind.TIERS)
        tiers_request_fill(case=case, actor=sp_agent, identity=_company(next(_tiers_numbers)))
        attachment_add(case=case, kind=AttachmentKind.RIB, uploaded=tiny_pdf("rib.pdf"),
                       actor=sp_agent)
        steps = [(Action.SUBMIT, sp_agent), (Action.CLAIM, csp_agent)]
        if state == State.AWAITING_CST:
            steps.append((Action.SEND_TO_CST, csp_agent))
        for action, who in steps:
            case = transition(case=case, action=action, actor=who)
        return case

    def service_done(state):
        ordered = purchase_request(State.COMPLETED)
        case = case_draft_create(actor=sp_agent, service=ordered.requesting_service,
                                 kind=CaseKind.SERVICE_DONE)
        attachment_add(case=case, kind=AttachmentKind.DELIVERY_PROOF,
                       uploaded=tiny_pdf("bl.pdf"), actor=sp_agent)
        statement_fill(case=case, actor=sp_agent, data=StatementData(
            purchase_request=ordered.purchase_request, delivered_on=timezone.localdate(),
            lines=[(line, Decimal("1")) for line in ordered.purchase_request.lines.all()]))
        for action, who in [(Action.SUBMIT, sp_agent), (Action.VALIDATE, ordonnateur),
                            (Action.CLAIM, csp_agent)]:
            case = transition(case=case, action=action, actor=who)
        return case

    builders = {CaseKind.PURCHASE_REQUEST: purchase_request, CaseKind.TIERS: tiers,
                CaseKind.SERVICE_DONE: service_done}

    def build(kind, state) -> Case:
        case = builders[kind](State(state))
        case.refresh_from_db()
        assert (case.kind, case.state) == (kind, state)
        return case

    return build


# --- 1. visibility ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", VISIBILITY_STATES, ids=str)
@pytest.mark.parametrize("role", (*ROLES, ANONYMOUS))
def test_visibility_and_offered_actions_agree(request, build_case, role, state):
    case = build_case(CaseKind.PURCHASE_REQUEST, state)
    user = actor(request, role)
    web = web_for(user).get(reverse("cases:detail", args=[case.pk]))
    api = api_for(user).get(f"/api/cases/{case.pk}/")

    if user is None:
        assert is_login_redirect(web), (web.status_code, web.get("Location"))
        assert api.status_code in (401, 403)
        return
    assert web.status_code in (200, 404) and api.status_code in (200, 404)
    assert (web.status_code, api.status_code) in ((200, 200), (404, 404)), (
        f"{role} on a {state} case: web {web.status_code}, API {api.status_code}")
    member = (user_has_role(user, case.requesting_service, *SP_ROLES)
              or user_has_role(user, case.processing_centre, *CENTRE_ROLES))
    assert (web.status_code == 200) == member, f"{role} sees a case of another service"
    if web.status_code == 200:
        offered_on_page = web_actions(web, case.pk)
        assert set(api.json()["available_actions"]) == offered_on_page
        assert len(api.json()["available_actions"]) == len(offered_on_page)


# --- 2. actions -------------------------------------------------------------------------------

SUCCESS, REFUSED, NOT_FOUND, UNAUTHENTICATED = "success", "refused", "not found", "anonymous"


def web_outcome(response, case) -> str:
    if is_login_redirect(response):
        return UNAUTHENTICATED
    if response.status_code == 302:
        assert response["Location"] == case.get_absolute_url()
        return SUCCESS
    if response.status_code in (400, 403):
        return REFUSED
    if response.status_code == 404:
        return NOT_FOUND
    return f"web {response.status_code}"


def api_outcome(response) -> str:
    return {200: SUCCESS, 400: REFUSED, 404: NOT_FOUND, 401: UNAUTHENTICATED,
            403: UNAUTHENTICATED}.get(response.status_code, f"API {response.status_code}")


def snapshot(case) -> tuple:
    case.refresh_from_db()
    return (case.state, case.version, case.assigned_to_id, case.events.count())


def last_event(case) -> tuple:
    event = case.events.order_by("-pk").first()
    return (event.action, event.from_state, event.to_state, event.comment,
            event.actor.username)


@pytest.mark.parametrize(("role", "scenario"), [
    pytest.param(role, scenario, id=f"{role}-{scenario.id}") for role, scenario in ACTION_MATRIX])
def test_actions_agree(request, build_case, csp_agent2, give_credential, role, scenario):
    user = actor(request, role)
    if user is not None and scenario.action in SIGNING_ACTIONS:
        give_credential(user)
    inputs = scenario.inputs

    def web_data(case):
        data = {"version": case.version}
        if "comment" in inputs:
            data["comment"] = "Motif"
        if "assignee" in inputs:
            data["assignee"] = csp_agent2.pk
        if "ej_number" in inputs:
            data["ej_number"] = str(next(_ej_numbers))
        # The convention's circuits: the mission's route, the budget controller's visa.
        data.update({name: value for name, value in CIRCUIT_INPUTS.items() if name in inputs})
        if "anomaly" in inputs:
            data["anomaly"] = "missing_document"
        return data

    def api_data(case):
        data = web_data(case)
        if "assignee" in inputs:
            data["assignee"] = csp_agent2.username
        return data

    web_case = build_case(scenario.kind, scenario.state)
    detail = api_for(user).get(f"/api/cases/{web_case.pk}/")
    if user is None:
        announced = UNAUTHENTICATED
    elif detail.status_code == 404:
        announced = NOT_FOUND
    else:
        assert detail.status_code == 200
        announced = SUCCESS if scenario.action in detail.json()["available_actions"] else REFUSED

    if role in OUTSIDERS:
        assert announced in (NOT_FOUND, UNAUTHENTICATED), f"{role} sees {scenario.id}"

    before = snapshot(web_case)
    web_url = reverse("cases:action", args=[web_case.pk, scenario.action])
    if announced == SUCCESS and scenario.required:
        # First without the inputs it requires: both refuse it (400), on the same field.
        web = web_for(user).post(web_url, {"version": web_case.version})
        api = api_for(user).post(f"/api/cases/{web_case.pk}/actions/{scenario.action}/",
                                 {"version": web_case.version}, format="json")
        assert (web.status_code, api.status_code) == (400, 400), (web.status_code, api.content)
        [form] = [f for f in web.context["action_forms"] if f.action == scenario.action]
        assert api.json()["field"] in form.errors, (api.json(), form.errors)
        assert snapshot(web_case) == before, "a refused action changed the case"
    web = web_for(user).post(web_url, web_data(web_case))
    web_result = web_outcome(web, web_case)
    if web_result == SUCCESS:
        api_case = build_case(scenario.kind, scenario.state)
    else:
        assert snapshot(web_case) == before, "a refused web action changed the case"
        api_case = web_case
    api = api_for(user).post(f"/api/cases/{api_case.pk}/actions/{scenario.action}/",
                             api_data(api_case), format="json")
    api_result = api_outcome(api)

    assert (web_result, api_result) == (announced, announced), (
        f"{role} / {scenario.id}: announced {announced}, web {web.status_code}, "
        f"API {api.status_code} {api.content[:300]!r}")
    if api_result == SUCCESS:
        web_after, api_after = snapshot(web_case), snapshot(api_case)
        assert api.json()["state"] == api_after[0] == web_after[0]
        assert web_after[0] in {row.target for row in transitions_for(
            scenario.state, scenario.action, scenario.kind)}
        assert web_case.assigned_to_id == api_case.assigned_to_id
        assert last_event(web_case) == last_event(api_case)
    elif api_result == REFUSED:
        assert snapshot(api_case) == before, "a refused API action changed the case"
        # The API's reason is the message the page shows (next to the field or on top).
        assert html.escape(api.json()["detail"]) in web.content.decode()


# --- submit: the case page has no door for it, the wizard is the web's ------------------------


@pytest.mark.parametrize("role", (*ROLES, ANONYMOUS))
def test_submit_matrix(request, build_case, role):
    user = actor(request, role)
    draft = build_case(CaseKind.PURCHASE_REQUEST, State.DRAFT)
    wizard = web_for(user).get(reverse("purchases:resume", args=[draft.pk]))
    on_case_page = web_for(user).post(reverse("cases:action", args=[draft.pk, "submit"]),
                                      {"version": draft.version})
    api = api_for(user).post(f"/api/cases/{draft.pk}/actions/submit/",
                             {"version": draft.version}, format="json")
    if user is None:
        assert is_login_redirect(wizard) and is_login_redirect(on_case_page)
        assert api.status_code in (401, 403)
        return
    assert on_case_page.status_code == 404  # NOT_ON_CASE_PAGE, for everyone
    assert wizard.status_code in (200, 404)
    assert api.status_code == {200: 200, 404: 404}[wizard.status_code], (
        f"{role}: wizard {wizard.status_code}, API submit {api.status_code}")
    draft.refresh_from_db()
    assert (draft.state == State.DRAFT) == (api.status_code == 404)


# --- 3. sizes ---------------------------------------------------------------------------------


def test_every_action_is_in_the_matrix():
    covered = {s.action for s in SCENARIOS}
    missing = set(Action.values) - covered - set(NOT_COMPARED)
    assert not missing, f"no scenario (builder) for {sorted(missing)}"


def test_matrix_sizes():
    assert (VISIBILITY_MATRIX_SIZE, ACTION_MATRIX_SIZE, SUBMIT_MATRIX_SIZE) == (24, 183, 8)
    assert ACTION_MATRIX_SIZE == (len(INSIDERS) * len(SCENARIOS)
                                  + len(OUTSIDERS) * len(ONE_PER_SHAPE)), (
        f"{ACTION_MATRIX_SIZE} role x action combinations over {len(SCENARIOS)} scenarios")
    assert len(SCENARIOS) == len({s.id for s in SCENARIOS})
    print(f"API/web matrix: {VISIBILITY_MATRIX_SIZE} visibility checks, "
          f"{ACTION_MATRIX_SIZE} role x action combinations ({len(SCENARIOS)} scenarios), "
          f"{SUBMIT_MATRIX_SIZE} submit checks")
