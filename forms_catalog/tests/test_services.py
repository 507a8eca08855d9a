"""Catalogue forms through the services: drafts pinned to the live revision and its schema,
answers recorded, the validation policy, the generic workflow."""

from decimal import Decimal

import pytest

from cases import services as case_services
from cases.models import Case, CaseKind
from cases.selectors import case_queue_for_user
from cases.workflow import Action, State
from forms_catalog.schema import input_items
from forms_catalog.selectors import answers_by_step
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests.test_schema import answers_for, draft, inp, key_of, republish

# Fixtures of test_schema.py, with those they depend on.
badge_form = _test_schema.badge_form
no_delegation_agent = _test_schema.no_delegation_agent
publish_form = _test_schema.publish_form
editorial = _test_schema.editorial


# --- services -----------------------------------------------------------------------------------


def test_catalogue_draft_create_pins_the_live_revision_and_its_schema(badge_form, sp, sp_agent):
    case = draft(badge_form, sp_agent, sp)

    case.refresh_from_db()
    assert case.kind == CaseKind.GENERIC and case.state == State.DRAFT
    assert case.requesting_service == sp and case.processing_centre == sp.processing_centre
    assert case.procedure == badge_form
    assert case.procedure_revision == badge_form.live_revision
    assert case.procedure_revision is not None
    assert case.subject == "Demande de badge"
    pinned = {name: case.extra.get(name) for name in ("procedure_title", "schema", "answers",
                                                      "validation")}
    assert pinned == {"procedure_title": "Demande de badge", "schema": badge_form.field_schema,
                      "answers": {}, "validation": {"required": False, "above": None}}
    assert case.created_by == sp_agent and not case.reference


def test_catalogue_draft_create_refuses_a_form_not_open_to_the_service(publish_form, sp, other_sp,
                                                                     sp_agent):
    restricted = publish_form([inp("text", "Objet")], services=[other_sp])
    with pytest.raises(case_services.CaseError, match="pas ouvert à votre service"):
        draft(restricted, sp_agent, sp)
    assert not Case.objects.exists()


@pytest.mark.parametrize("page_settings", [
    pytest.param({"live": False}, id="unpublished"),
])
def test_catalogue_draft_create_refuses_other_unusable_forms(publish_form, sp, sp_agent,
                                                           page_settings):
    page = publish_form([inp("text", "Objet")], **page_settings)
    with pytest.raises(case_services.CaseError):
        draft(page, sp_agent, sp)
    assert not Case.objects.exists()


def test_catalogue_draft_create_refuses_a_user_outside_the_service(badge_form, sp,
                                                                 foreign_sp_agent):
    with pytest.raises(case_services.CaseError):
        draft(badge_form, foreign_sp_agent, sp)


def test_answers_record_keeps_known_keys_and_takes_the_first_amount(badge_form, sp, sp_agent):
    case = draft(badge_form, sp_agent, sp)
    answers = answers_for(badge_form, **{"Montant plafond": "900.00", "Nom de l agent": "Dupont",
                                         "Montant estime": "250.50", "Urgent": "non"})
    section_key = badge_form.field_schema["steps"][0]["items"][0]["key"]

    case = case_services.answers_record(case=case, actor=sp_agent, answers={
        **answers, "forged": "x", section_key: "pas une question", "amount": "1"})

    case.refresh_from_db()
    assert case.extra["answers"] == answers
    assert case.amount == Decimal("250.50")
    assert case.extra["schema"] == badge_form.field_schema  # the rest of extra is kept

    case = case_services.answers_record(case=case, actor=sp_agent, answers=answers_for(
        badge_form, **{"Montant estime": None, "Montant plafond": "900.00"}))
    assert case.amount == Decimal("900.00")
    case = case_services.answers_record(case=case, actor=sp_agent, answers={})
    assert case.amount == Decimal("0") and case.extra["answers"] == {}


def test_answers_record_is_refused_to_others_and_after_submission(badge_form, sp, sp_agent,
                                                                ordonnateur):
    case = draft(badge_form, sp_agent, sp)
    with pytest.raises(case_services.CaseError):
        case_services.answers_record(case=case, actor=ordonnateur, answers={})
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert case.state == State.SUBMITTED
    with pytest.raises(case_services.CaseError):
        case_services.answers_record(case=case, actor=sp_agent, answers={})


def test_editing_the_page_never_changes_a_case_already_started(badge_form, sp, sp_agent):
    case = draft(badge_form, sp_agent, sp)
    old_schema, old_revision = badge_form.field_schema, badge_form.live_revision
    case_services.answers_record(case=case, actor=sp_agent, answers=answers_for(
        badge_form, **{"Nom de l agent": "Dupont", "Montant estime": "250.00", "Urgent": "oui",
                       "Motif de l urgence": "Prise de poste lundi"}))

    def edit(raw):
        by_label = {b["value"].get("label"): b for b in raw}
        by_label["Nom de l agent"]["value"]["label"] = "Nom complet"
        by_label["Urgent"]["value"]["label"] = "Demande urgente"
        by_label["Motif de l urgence"]["value"]["show_if_field"] = "Demande urgente"
        # Move the ceiling first, drop the estimate, add a new required question.
        raw.remove(by_label["Montant estime"])
        raw.remove(by_label["Montant plafond"])
        raw.insert(0, by_label["Montant plafond"])
        raw.append({"type": "email", "value": {"label": "Adresse du responsable",
                                               "required": True, "help_text": "",
                                               "show_if_field": "", "show_if_value": ""}})
        return raw

    edited = republish(badge_form, edit)

    assert edited.live_revision != old_revision
    assert [i["label"] for i in input_items(edited.field_schema)] == [
        "Montant plafond", "Nom complet", "Demande urgente", "Motif de l urgence",
        "Adresse du responsable"]
    case.refresh_from_db()
    assert case.extra["schema"] == old_schema
    assert case.procedure_revision == old_revision
    assert answers_by_step(case.extra["schema"], case.extra["answers"]) == [
        {"title": "Votre demande", "rows": [
            {"label": "Nom de l agent", "value": "Dupont", "type": "text"},
            {"label": "Montant estime", "value": "250.00", "type": "amount"},
            {"label": "Urgent", "value": "oui", "type": "yes_no"},
            {"label": "Motif de l urgence", "value": "Prise de poste lundi", "type": "text"}]},
        {"title": "Financement", "rows": [
            {"label": "Montant plafond", "value": None, "type": "amount"}]},
    ]
    # Filling again still goes by the pinned schema: the removed field is kept, the new
    # one is unknown to this case.
    new_key = key_of(edited.field_schema, "Adresse du responsable")
    case = case_services.answers_record(case=case, actor=sp_agent, answers={
        key_of(old_schema, "Montant estime"): "300.00", new_key: "chef@drac.gouv.fr"})
    assert new_key not in case.extra["answers"] and case.amount == Decimal("300.00")


# --- the validation policy of a catalogue form ----------------------------------------------


@pytest.fixture
def amount_form(publish_form):
    def make(**policy):
        return publish_form([inp("text", "Objet"), inp("amount", "Montant TTC")], **policy)

    return make


def submit(page, actor, service, amount):
    case = draft(page, actor, service)
    case_services.answers_record(case=case, actor=actor, answers=answers_for(
        page, **{"Objet": "Formation", "Montant TTC": amount}))
    return case_services.transition(case=case, action=Action.SUBMIT, actor=actor)


def test_without_required_validation_any_amount_goes_to_the_centre(amount_form, sp,
                                                                   sp_agent,
                                                                   no_delegation_agent):
    page = amount_form(validation_required=False)
    assert submit(page, sp_agent, sp, "90000.00").state == State.SUBMITTED
    case = submit(page, no_delegation_agent, sp, "90000.00")
    assert case.state == State.SUBMITTED
    assert case.reference.startswith(f"DG-{sp.code}-") and case.due_at is not None


@pytest.mark.parametrize("amount", ["500.00", "1000.00"])
def test_required_validation_is_waived_up_to_the_threshold(amount_form, sp, no_delegation_agent,
                                                           amount):
    page = amount_form(validation_required=True, validation_above=Decimal("1000"))
    assert submit(page, no_delegation_agent, sp, amount).state == State.SUBMITTED


def test_above_the_threshold_the_agents_own_delegation_covers_the_amount(amount_form, sp,
                                                                         sp_agent):
    page = amount_form(validation_required=True, validation_above=Decimal("1000"))
    # creator_may_commit falls back to the creator's delegation (5 000 €): no ordonnateur.
    assert submit(page, sp_agent, sp, "2000.00").state == State.SUBMITTED
    assert submit(page, sp_agent, sp, "5000.00").state == State.SUBMITTED
    assert submit(page, sp_agent, sp, "5000.01").state == State.AWAITING_VALIDATION


def test_above_the_threshold_without_delegation_an_ordonnateur_validates(
        amount_form, sp, no_delegation_agent, ordonnateur, low_ordonnateur):
    page = amount_form(validation_required=True, validation_above=Decimal("1000"))
    case = submit(page, no_delegation_agent, sp, "1000.01")
    assert case.state == State.AWAITING_VALIDATION
    assert case.reference.startswith("DG-") and case.submitted_at is None

    with pytest.raises(case_services.CaseError, match="ne couvre pas"):
        case_services.transition(case=case, action=Action.VALIDATE, actor=low_ordonnateur,
                                 comment="")
    case = case_services.transition(case=case, action=Action.VALIDATE, actor=ordonnateur)
    assert case.state == State.SUBMITTED and case.submitted_at is not None


def test_required_validation_without_threshold_applies_to_every_amount(amount_form, sp,
                                                                       no_delegation_agent,
                                                                       ordonnateur):
    page = amount_form(validation_required=True)
    case = submit(page, no_delegation_agent, sp, "10.00")
    assert case.state == State.AWAITING_VALIDATION
    case = case_services.transition(case=case, action=Action.VALIDATE, actor=ordonnateur)
    assert case.state == State.SUBMITTED


def test_the_policy_is_pinned_on_the_case_when_the_draft_starts(amount_form, sp,
                                                                no_delegation_agent):
    page = amount_form(validation_required=False)
    case = draft(page, no_delegation_agent, sp)
    page.validation_required = True
    page.save_revision().publish()
    case_services.answers_record(case=case, actor=no_delegation_agent, answers=answers_for(
        page, **{"Objet": "Formation", "Montant TTC": "50.00"}))
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=no_delegation_agent)
    assert case.extra["validation"] == {"required": False, "above": None}
    assert case.state == State.SUBMITTED


# --- the generic workflow -----------------------------------------------------------------------


def test_a_generic_case_reaches_the_centres_queue(badge_form, sp, sp_agent, csp_agent,
                                                  foreign_csp_agent):
    case = draft(badge_form, sp_agent, sp)
    assert case not in case_queue_for_user(user=csp_agent)
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    assert list(case_queue_for_user(user=csp_agent)) == [case]
    assert not case_queue_for_user(user=foreign_csp_agent).exists()


def test_a_generic_case_is_claimed(badge_form, sp, sp_agent, csp_agent):
    case = case_services.transition(case=draft(badge_form, sp_agent, sp), action=Action.SUBMIT,
                                    actor=sp_agent)
    case = case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)
    assert case.state == State.IN_PROGRESS and case.assigned_to == csp_agent
    assert Action.COMPLETE in case_services.case_available_actions(case=case, user=csp_agent)


def test_a_generic_case_is_completed_without_an_ej_number(badge_form, sp, sp_agent, csp_agent):
    case = case_services.transition(case=draft(badge_form, sp_agent, sp), action=Action.SUBMIT,
                                    actor=sp_agent)
    case = case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    comment="Accès ouvert")
    assert case.state == State.COMPLETED and case.completed_at is not None
    assert case.events.filter(action=Action.COMPLETE).get().comment == "Accès ouvert"
