"""Routing rules: a table of answers through `group_for`, the rules checked when an editor
saves the form, and the case routed when it reaches its centre (the event says where)."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from cases import services as case_services
from cases.models import Case
from cases.workflow import Action, State
from forms_catalog.models import ProcedureFormPage, RoutingRule
from forms_catalog.routing import answer_matches, group_for
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests.test_schema import answers_for, draft, inp
from portal.services import agent_group_get_or_create

publish_form = _test_schema.publish_form
editorial = _test_schema.editorial

DOMAINS = ["Informatique", "Mobilier", "Autre"]
NEEDS = ["Logiciel", "Matériel", "Formation"]
FIELDS = [
    inp("choice", "Domaine", choices=DOMAINS),
    inp("multiple_choice", "Besoins", choices=NEEDS, required=False),
    inp("yes_no", "Urgent", required=False),
    inp("text", "Code projet", required=False),
    inp("amount", "Montant", required=False),
]


@pytest.fixture
def groups(csp, other_csp):
    return {
        "it": agent_group_get_or_create(centre=csp, name="Achats informatiques"),
        "furniture": agent_group_get_or_create(centre=csp, name="Mobilier"),
        "urgent": agent_group_get_or_create(centre=csp, name="Urgences"),
        "foreign_it": agent_group_get_or_create(centre=other_csp, name="Informatique Ouest"),
    }


def rule(label, value, group):
    return RoutingRule(field_label=label, value=value, group=group)


@pytest.fixture
def routed_form(publish_form, groups, sp, other_sp):
    return publish_form(FIELDS, title="Demande de prestation", services=[sp, other_sp],
                        routing_rules=[
                            # Another centre's group: never for a case of CSPEST.
                            rule("Domaine", "informatique", groups["foreign_it"]),
                            rule("urgent", "OUI", groups["urgent"]),
                            rule("  DOMAINE ", "INFORMATIQUE", groups["it"]),
                            rule("Besoins", "matériel", groups["furniture"]),
                            rule("Code projet", "abc-1", groups["it"]),
                        ])


def case_of(page, centre, **by_label) -> Case:
    """An unsaved case of `page` reaching `centre` with these answers (by label)."""
    return Case(procedure=page, processing_centre=centre,
                extra={"schema": page.field_schema, "answers": answers_for(page, **by_label)})


# (answers by label, the group expected for a case of CSPEST: a key of `groups` or None)
TABLE = [
    pytest.param({"Domaine": "Informatique"}, "it", id="matching-value"),
    pytest.param({"Domaine": "Mobilier"}, None, id="other-value"),
    pytest.param({"Code projet": "  ABC-1 "}, "it", id="text-case-and-spaces-ignored"),
    pytest.param({"Code projet": "abc-12"}, None, id="text-is-not-a-prefix"),
    pytest.param({"Besoins": ["Logiciel", "Matériel"]}, "furniture",
                 id="multiple-choice-containing-the-value"),
    pytest.param({"Besoins": ["Logiciel"]}, None, id="multiple-choice-without-the-value"),
    pytest.param({}, None, id="missing-answers"),
    pytest.param({"Domaine": ""}, None, id="empty-answer"),
    pytest.param({"Domaine": "Informatique", "Urgent": "oui"}, "urgent", id="first-rule-wins"),
    pytest.param({"Domaine": "Informatique", "Urgent": "non"}, "it", id="a-no-does-not-match"),
    pytest.param({"Domaine": {"forged": "Informatique"}}, None, id="forged-answer-shape"),
    pytest.param({"Domaine": ["Informatique"]}, "it", id="list-answer-to-a-choice"),
    pytest.param({"Montant": "Informatique"}, None, id="other-field-same-value"),
]


@pytest.mark.parametrize(("answers", "expected"), TABLE)
def test_group_for_over_a_table_of_answers(routed_form, groups, csp, answers, expected):
    group = group_for(case_of(routed_form, csp, **answers))
    assert group == (groups[expected] if expected else None)


def test_a_rule_whose_group_is_of_another_centre_applies_to_that_centre_only(
        routed_form, groups, other_csp):
    assert group_for(case_of(routed_form, other_csp, Domaine="Informatique")) == \
        groups["foreign_it"]
    # CSPEST's groups are not CSPOUEST's: its case matching them stays in the general queue.
    assert group_for(case_of(routed_form, other_csp, Urgent="oui")) is None


def test_no_rules_or_no_form_means_the_general_queue(publish_form, csp):
    plain = publish_form(FIELDS)
    assert group_for(case_of(plain, csp, Domaine="Informatique")) is None
    assert group_for(Case(processing_centre=csp, extra={})) is None


def test_rules_read_the_schema_the_case_was_filled_with(routed_form, groups, csp):
    case = case_of(routed_form, csp, Domaine="Informatique")
    case.extra["schema"] = {"steps": []}  # a schema without the field: nothing to read
    assert group_for(case) is None


@pytest.mark.parametrize(("answer", "expected", "matches"), [
    ("Informatique", "informatique", True), ("informatique ", "INFORMATIQUE", True),
    ("Info", "Informatique", False), (["A", "b"], "B", True), (["A"], "B", False),
    (None, "A", False), (3, "3", False), ("", "", False), ("A", "  ", False),
])
def test_answer_matches(answer, expected, matches):
    assert answer_matches(answer, expected) is matches


# --- routing when the case reaches the centre ----------------------------------------------


def submit(page, actor, service, **by_label) -> Case:
    case = draft(page, actor, service)
    case_services.answers_record(case=case, actor=actor, answers=answers_for(page, **by_label))
    return case_services.transition(case=case, action=Action.SUBMIT, actor=actor)


def test_a_submitted_case_is_routed_and_the_event_says_where(routed_form, groups, sp,
                                                             sp_agent):
    case = submit(routed_form, sp_agent, sp, Domaine="Informatique")
    case.refresh_from_db()
    assert case.state == State.SUBMITTED and case.agent_group == groups["it"]
    event = case.events.get(action=Action.SUBMIT)
    assert event.data["agent_group"] == "Achats informatiques"
    assert event.data["agent_group_id"] == groups["it"].pk


def test_an_unmatched_case_goes_to_the_general_queue(routed_form, sp, sp_agent):
    case = submit(routed_form, sp_agent, sp, Domaine="Autre")
    case.refresh_from_db()
    assert case.state == State.SUBMITTED and case.agent_group is None
    assert "agent_group" not in case.events.get(action=Action.SUBMIT).data


def test_a_release_back_to_the_queue_keeps_the_group(routed_form, groups, sp, sp_agent,
                                                     csp_agent, csp_head):
    case = submit(routed_form, sp_agent, sp, Domaine="Informatique")
    case = case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)
    # The head re-routed it meanwhile by hand? No: the release re-enters « submitted » only.
    case = case_services.transition(case=case, action=Action.RELEASE, actor=csp_agent)
    case.refresh_from_db()
    assert case.state == State.SUBMITTED and case.agent_group == groups["it"]
    assert "agent_group" not in case.events.get(action=Action.RELEASE).data


def test_a_case_validated_by_an_ordonnateur_is_routed_then(publish_form, groups, sp,
                                                           no_delegation_agent, ordonnateur):
    page = publish_form(FIELDS, validation_required=True, routing_rules=[
        rule("Domaine", "Mobilier", groups["furniture"])])
    case = submit(page, no_delegation_agent, sp, Domaine="Mobilier")
    assert case.state == State.AWAITING_VALIDATION and case.agent_group is None
    case = case_services.transition(case=case, action=Action.VALIDATE, actor=ordonnateur)
    case.refresh_from_db()
    assert case.agent_group == groups["furniture"]
    assert case.events.get(action=Action.VALIDATE).data["agent_group"] == "Mobilier"


no_delegation_agent = _test_schema.no_delegation_agent


# --- the rules checked when the editor saves the form ---------------------------------------


def choice_value(label, choices):
    return {"label": label, "help_text": "", "required": "on", "show_if_field": "",
            "show_if_value": "", "conditions": NO_CONDITION,
            "choices": {"count": str(len(choices)), **{
                str(n): {"value": c, "deleted": "", "order": str(n), "id": f"c{n}"}
                for n, c in enumerate(choices)}}}


NO_CONDITION = {"combine": "and", "rules": {"count": "0"}}


def input_value(label):
    return {"label": label, "help_text": "", "required": "on", "show_if_field": "",
            "show_if_value": "", "conditions": NO_CONDITION}


def admin_form(page, rules, parent):
    """The Wagtail edit form of `page`, bound to what an editor would post: its fields and
    these routing rules."""
    data = nested_form_data({
        "title": page.title, "slug": page.slug, "form_kind": "generic",
        "required_attachments": [],
        "fields": streamfield([("choice", choice_value("Domaine", DOMAINS)),
                               ("yes_no", input_value("Urgent")),
                               ("date", input_value("Date souhaitée"))]),
        "annotations": streamfield([]),
        "routing_rules": inline_formset([
            {"field_label": label, "value": value, "group": str(group.pk)}
            for label, value, group in rules]),
    })
    form_class = ProcedureFormPage.get_edit_handler().get_form_class()
    user = get_user_model().objects.filter(is_superuser=True).first() or \
        get_user_model().objects.create_superuser("editeur", "editeur@example.org", "x")
    return form_class(data, instance=page, parent_page=parent, for_user=user)


def rule_errors(form) -> list[dict]:
    return [dict(f.errors) for f in form.formsets["routing_rules"].forms]


@pytest.mark.parametrize(("label", "value", "field", "message"), [
    pytest.param("Domaine", "informatique", None, None, id="valid-case-insensitive"),
    pytest.param("urgent", "non", None, None, id="valid-yes-no"),
    pytest.param("Service", "x", "field_label", "« Service » n'existe pas", id="unknown-field"),
    pytest.param("Date souhaitée", "2026-01-01", "field_label", "n'est pas un champ à choix",
                 id="field-of-another-type"),
    pytest.param("Domaine", "Restauration", "value",
                 "« Restauration » n'est pas possible pour « Domaine » (valeurs : "
                 "Informatique, Mobilier, Autre)", id="impossible-choice"),
    pytest.param("Urgent", "peut-être", "value", "(valeurs : oui, non)",
                 id="impossible-yes-no"),
])
def test_the_rules_are_checked_when_the_form_is_saved(publish_form, editorial, groups, label,
                                                      value, field, message):
    page = publish_form(FIELDS)
    form = admin_form(page, [(label, value, groups["it"])],
                      editorial.sections["catalogue"])
    valid = form.is_valid()
    if field is None:
        assert valid, (form.errors, rule_errors(form))
        return
    assert not valid
    errors = rule_errors(form)[0]
    assert list(errors) == [field] and message in errors[field][0]


def test_a_valid_rule_is_published_with_the_page(publish_form, editorial, groups):
    page = publish_form(FIELDS)
    form = admin_form(page, [("Domaine", "Mobilier", groups["furniture"]),
                             ("Urgent", "oui", groups["urgent"])],
                      editorial.sections["catalogue"])
    assert form.is_valid(), rule_errors(form)
    page = form.save(commit=False)
    page.save_revision().publish()
    rules = RoutingRule.objects.filter(page=page).order_by("sort_order")
    assert [(r.field_label, r.value, r.group) for r in rules] == [
        ("Domaine", "Mobilier", groups["furniture"]), ("Urgent", "oui", groups["urgent"])]


def test_the_editor_sees_the_rules_panel_with_each_group_named_by_its_centre(
        client, routed_form, groups):
    editor = get_user_model().objects.create_superuser("editeur", "editeur@example.org", "x")
    client.force_login(editor)
    response = client.get(f"/cms/pages/{routed_form.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Orientation vers un groupe d&#x27;agents" in html or \
        "Orientation vers un groupe d'agents" in html
    assert "CSPOUEST — Informatique Ouest" in html and "CSPEST — Mobilier" in html
