"""Anomalies: every question, return for correction and rejection is classified in the
typology of the case's convention (or the default one), checked by the service, chosen in the
action form and the API, and shown in the history."""

import html
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.forms import CaseActionForm
from cases.models import Case
from cases.services import CaseError, choose_transition, transition
from cases.workflow import Action, State
from conventions.anomalies import DEFAULT_TYPOLOGY
from conventions.models import AnomalyType

pytestmark = pytest.mark.django_db
DEFAULT_CODES = [kind.code for kind in DEFAULT_TYPOLOGY]

# (state the case is put in, action, who acts)
ACTIONS = [
    (State.AWAITING_VALIDATION, Action.RETURN, "ordonnateur"),
    (State.IN_PROGRESS, Action.REQUEST_INFO, "csp_agent"),
    (State.IN_PROGRESS, Action.REJECT, "csp_agent"),
]


@pytest.fixture
def case_in(make_purchase_request, sp_agent, csp_agent):
    def make(state):
        amount = "8000.00" if state == State.AWAITING_VALIDATION else "1200.00"
        return make_purchase_request(sp_agent, amount=amount, state=state, agent=csp_agent)

    return make


def _event(case, action):
    return case.events.get(action=action)


@pytest.mark.parametrize(("state", "action", "who"), ACTIONS)
def test_each_action_records_the_type_in_its_event(case_in, state, action, who, request):
    case = case_in(state)
    case = transition(case=case, action=action, actor=request.getfixturevalue(who),
                      comment="Le devis n'est pas signé.", anomaly="non_compliant_quote")
    data = _event(case, action).data
    assert (data["anomaly"], data["anomaly_label"]) == ("non_compliant_quote",
                                                       "Devis non conforme")
    assert "anomaly_text" not in data


@pytest.mark.parametrize(("state", "action", "who"), ACTIONS)
@pytest.mark.parametrize(("anomaly", "field"), [
    (None, "anomaly"), ("", "anomaly"), ("   ", "anomaly"),
    ("nope", "anomaly"), ("MISSING_DOCUMENT", "anomaly"), ("x" * 10_000, "anomaly"),
])
def test_a_missing_or_unknown_type_is_refused_and_changes_nothing(case_in, state, action, who,
                                                                  anomaly, field, request):
    case = case_in(state)
    with pytest.raises(CaseError) as caught:
        transition(case=case, action=action, actor=request.getfixturevalue(who),
                   comment="Motif", anomaly=anomaly)
    assert caught.value.field == field
    assert Case.objects.get(pk=case.pk).state == state
    assert not case.events.filter(action=action).exists()


def test_the_messages_are_french(case_in, csp_agent):
    case = case_in(State.IN_PROGRESS)
    with pytest.raises(CaseError, match="Choisissez le type d'anomalie"):
        transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non")
    with pytest.raises(CaseError, match="n'existe pas"):
        transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                   anomaly="nope")


@pytest.mark.parametrize("text", [None, "", "  \n "])
def test_other_needs_its_text(case_in, csp_agent, text):
    case = case_in(State.IN_PROGRESS)
    with pytest.raises(CaseError, match="Précisez l'anomalie") as caught:
        transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                   anomaly="other", anomaly_text=text)
    assert caught.value.field == "anomaly_text"
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS


def test_other_with_its_text_is_recorded_and_the_text_is_bounded(case_in, csp_agent):
    case = case_in(State.IN_PROGRESS)
    with pytest.raises(CaseError, match="500 caractères") as caught:
        transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                   anomaly="other", anomaly_text="x" * 501)
    assert caught.value.field == "anomaly_text"
    case = transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                      anomaly="other", anomaly_text=" " + "x" * 500 + " ")
    data = _event(case, Action.REJECT).data
    assert (data["anomaly"], data["anomaly_text"]) == ("other", "x" * 500)


def test_the_cst_return_and_the_kinds_returns_take_a_type(case_in):
    from cases.kinds import all_transitions

    returns = {(row.action, row.kinds and tuple(row.kinds)) for row in all_transitions()
               if row.action in (Action.RETURN, Action.CST_RETURN, Action.REJECT,
                                 Action.REQUEST_INFO)}
    assert {action for action, _kinds in returns} == {Action.RETURN, Action.CST_RETURN,
                                                      Action.REJECT, Action.REQUEST_INFO}
    for row in all_transitions():
        if row.action in (Action.RETURN, Action.CST_RETURN, Action.REJECT, Action.REQUEST_INFO):
            assert "anomaly" in row.requires and "anomaly_text" in row.accepts, row


# --- which typology ---------------------------------------------------------------------------


def _form(case, user):
    chosen = choose_transition(case=case, action=Action.REJECT, actor=user)
    return CaseActionForm(transition=chosen, case=case)


def _choices(form):
    return [code for code, _label in form.fields["anomaly"].choices if code]


def test_without_a_convention_the_default_typology_applies(case_in, csp_agent):
    case = case_in(State.IN_PROGRESS)
    assert case.convention is None
    form = _form(case, csp_agent)
    assert _choices(form) == DEFAULT_CODES
    assert form.fields["anomaly"].label == "Type d'anomalie"
    assert form.fields["anomaly_text"].label == "Précisez l'anomalie"
    assert form.fields["anomaly_text"].help_text == (
        "Obligatoire pour le type « Autre — précisez ».")
    assert not form.fields["anomaly_text"].required


def _custom(*rows):
    return [AnomalyType(code=code, label=label, needs_text=needs_text, active=active)
            for code, label, needs_text, active in rows]


def test_the_convention_typology_edited_by_editors_gives_the_choices(
        publish_convention, csp, sp, case_in, csp_agent):
    convention = publish_convention(centre=csp, services=[sp], valid_from=date(2020, 1, 1),
                                    anomaly_types=_custom(
                                        ("rib", "RIB illisible", False, True),
                                        ("retired", "Ancien type", False, False),
                                        ("autre", "Autre (à préciser)", True, True)))
    case = case_in(State.IN_PROGRESS)
    assert case.convention == convention
    form = _form(case, csp_agent)
    assert _choices(form) == ["rib", "autre"]
    assert "« Autre (à préciser) »" in form.fields["anomaly_text"].help_text
    for refused in ("retired", "missing_document"):
        with pytest.raises(CaseError) as caught:
            transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                       anomaly=refused)
        assert caught.value.field == "anomaly"
    with pytest.raises(CaseError) as caught:
        transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                   anomaly="autre")
    assert caught.value.field == "anomaly_text"

    # The editors rename the type: the next event reads the new label, the old ones keep
    # theirs.
    AnomalyType.objects.filter(page=convention, code="rib").update(label="RIB absent")
    case = transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                      anomaly="rib")
    assert _event(case, Action.REJECT).data["anomaly_label"] == "RIB absent"


def test_a_case_not_yet_submitted_uses_the_convention_in_force(publish_convention, csp, sp,
                                                               case_in, ordonnateur):
    publish_convention(centre=csp, services=[sp], valid_from=date(2020, 1, 1),
                       anomaly_types=_custom(("devis", "Devis périmé", False, True)))
    case = case_in(State.AWAITING_VALIDATION)
    assert case.convention is None
    with pytest.raises(CaseError):
        transition(case=case, action=Action.RETURN, actor=ordonnateur, comment="Devis",
                   anomaly="missing_document")
    case = transition(case=case, action=Action.RETURN, actor=ordonnateur, comment="Devis",
                      anomaly="devis")
    assert _event(case, Action.RETURN).data["anomaly_label"] == "Devis périmé"


def test_a_convention_with_no_active_type_falls_back_to_the_defaults(publish_convention, csp,
                                                                     sp, case_in, csp_agent):
    publish_convention(centre=csp, services=[sp], valid_from=date(2020, 1, 1),
                       anomaly_types=_custom(("old", "Ancien", False, False)))
    assert _choices(_form(case_in(State.IN_PROGRESS), csp_agent)) == DEFAULT_CODES


# --- the page and the API ---------------------------------------------------------------------


def test_the_page_shows_the_fields_and_the_error_next_to_the_text(client, case_in, csp_agent):
    case = case_in(State.IN_PROGRESS)
    client.force_login(csp_agent)
    page = html.unescape(client.get(case.get_absolute_url()).content.decode())
    assert 'id="id_reject_anomaly"' in page and 'id="id_reject_anomaly_text"' in page
    assert "Obligatoire pour le type « Autre — précisez »." in page

    url = reverse("cases:action", args=[case.pk, "reject"])
    response = client.post(url, {"version": case.version, "comment": "Non", "anomaly": "other"})
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    # The message is under its field, before the next one (the comment).
    message = text.index("Précisez l'anomalie : c'est obligatoire pour ce type.")
    assert (text.index('id="id_reject_anomaly_text"') < message
            < text.index('id="id_reject_comment"'))
    response = client.post(url, {"version": case.version, "comment": "Non", "anomaly": "zzz"})
    assert response.status_code == 400
    assert "Ce type d'anomalie n'existe pas" in html.unescape(response.content.decode())
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS

    response = client.post(url, {"version": case.version, "comment": "Non", "anomaly": "other",
                                 "anomaly_text": "Hors champ de la convention"})
    assert response.status_code == 302
    page = html.unescape(client.get(case.get_absolute_url()).content.decode())
    assert "Type d'anomalie : Autre — précisez — Hors champ de la convention" in page


def test_the_api_takes_and_checks_the_type(case_in, csp_agent):
    case = case_in(State.IN_PROGRESS)
    api = APIClient()
    api.force_authenticate(csp_agent)
    url = f"/api/cases/{case.pk}/actions/request_info/"
    missing = api.post(url, {"comment": "?"}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "anomaly"
    unknown = api.post(url, {"comment": "?", "anomaly": "nope"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["field"] == "anomaly"
    no_text = api.post(url, {"comment": "?", "anomaly": "other"}, format="json")
    assert no_text.status_code == 400 and no_text.json()["field"] == "anomaly_text"
    too_long = api.post(url, {"comment": "?", "anomaly": "x" * 41}, format="json")
    assert too_long.status_code == 400
    done = api.post(url, {"comment": "?", "anomaly": "wrong_imputation"}, format="json")
    assert done.status_code == 200 and done.json()["state"] == State.INFO_REQUESTED
    assert _event(case, Action.REQUEST_INFO).data["anomaly"] == "wrong_imputation"


def test_the_schema_documents_the_inputs(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    action = schema["components"]["schemas"]["ActionRequest"]["properties"]
    assert "missing_document" in action["anomaly"]["description"]
    assert action["anomaly_text"]["maxLength"] == 500


def test_the_case_summary_pdf_names_the_type(case_in, csp_agent):
    from cases.selectors import case_timeline
    from documents.pdf.case_summary import render_case_summary
    from documents.tests.test_order_forms import page_texts

    case = case_in(State.IN_PROGRESS)
    case = transition(case=case, action=Action.REJECT, actor=csp_agent, comment="Non",
                      anomaly="duplicate")
    pdf = render_case_summary(case, attachments=[], issued_documents=[],
                              events=case_timeline(case=case))
    text = " ".join("".join(page_texts(pdf)).split())
    assert "anomalie : Doublon" in text
