"""A kind defined here only, in the test suite, is served by the core like the kinds the
portal ships with: no file of the core names it (cases/kinds.py).

« Prêt de matériel » is a loan of equipment: an editor's catalogue form, its own reference
prefix and delay, a completion that needs the loan's return date, a rule of its own."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases import kinds
from cases import services as case_services
from cases.models import Case
from cases.selectors import case_queue_for_user
from cases.services import CaseError
from cases.workflow import Action, State, row
from conventions.demo_content import _field
from conventions.services import editorial_setup
from forms_catalog.models import ProcedureFormPage
from forms_catalog.selectors import catalogue_for_user

LOAN = "equipment_loan"
recorded = []


def record_return_date(case, actor, inputs, now, data):
    data["return_date"] = inputs["return_date"]


def seen_by_a_receiver(sender, event, **kwargs):
    recorded.append((event.case_id, event.action))


LOAN_KIND = kinds.KindSpec(
    code=LOAN,
    label=gettext_lazy("Prêt de matériel"),
    reference_prefix="PM",
    resume_url="forms_catalog:resume",
    default_delay=4,
    validation=kinds.Validation.NEVER,
    answers_are_content=True,
    effects={Action.COMPLETE: record_return_date},
    transitions=(row(State.IN_PROGRESS, Action.COMPLETE, State.COMPLETED, "assignee",
                     guard="loan_weekday", requires=("return_date",),
                     messages=(("return_date", "Indiquez la date de retour du matériel."),)),),
    rules={"loan_weekday": lambda user, case: None},
)


@pytest.fixture
def loan_kind():
    from cases.signals import case_transitioned

    kinds.register(LOAN_KIND)
    case_transitioned.connect(seen_by_a_receiver, dispatch_uid="test-loan")
    recorded.clear()
    yield LOAN_KIND
    case_transitioned.disconnect(dispatch_uid="test-loan")
    kinds.unregister(LOAN)


@pytest.fixture
def loan_form(db, loan_kind):
    editorial = editorial_setup()
    page = ProcedureFormPage(title="Prêt de matériel", slug="pret-de-materiel", form_kind=LOAN,
                             fields=[_field("text", "Matériel demandé")],
                             intro="<p>Un ordinateur, un vidéoprojecteur…</p>")
    editorial.sections["catalogue"].add_child(instance=page)
    page.save_revision().publish()
    return ProcedureFormPage.objects.get(pk=page.pk)


def submitted_loan(loan_form, sp_agent, sp) -> Case:
    case = case_services.catalogue_draft_create(actor=sp_agent, service=sp, procedure=loan_form)
    key = loan_form.field_schema["steps"][0]["items"][0]["key"]
    case_services.answers_record(case=case, actor=sp_agent, answers={key: "Vidéoprojecteur"})
    return case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)


def test_a_kind_registered_outside_the_core_is_offered_by_the_catalogue(loan_form, sp_agent,
                                                                         client):
    assert loan_form in catalogue_for_user(sp_agent)
    assert (LOAN, "Prêt de matériel") in [(code, str(label)) for code, label in kinds.choices()]
    client.force_login(sp_agent)
    home = client.get(reverse("home")).content.decode()
    # No wizard of its own: the catalogue's fills it from its page's fields.
    assert reverse("forms_catalog:new", args=[loan_form.pk]) in home


def test_it_goes_through_the_workflow_with_its_own_prefix_delay_rows_and_effects(
        loan_form, sp_agent, sp, csp_agent):
    case = submitted_loan(loan_form, sp_agent, sp)
    # No ordonnateur (Validation.NEVER), its own prefix, its own delay.
    assert case.state == State.SUBMITTED
    assert case.reference.startswith(f"PM-{sp.code}-")
    assert case.delay_working_days == 4
    assert case.display_kind == "Prêt de matériel"
    assert case.get_resume_url() == reverse("forms_catalog:resume", args=[case.pk])
    case = case_services.transition(case=case, action=Action.CLAIM, actor=csp_agent)
    with pytest.raises(CaseError) as refused:
        case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent)
    assert refused.value.field == "return_date"
    assert refused.value.message == "Indiquez la date de retour du matériel."
    return_date = (timezone.localdate() + timedelta(days=30)).isoformat()
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    inputs={"return_date": return_date})
    assert case.state == State.COMPLETED
    assert case.events.get(action=Action.COMPLETE).data == {"return_date": return_date}
    assert (case.pk, Action.COMPLETE) in recorded


def test_a_row_of_its_own_does_not_leak_to_the_other_kinds(loan_kind):
    assert any(t.guard == "loan_weekday" for t in kinds.transitions_of(LOAN))
    for spec in kinds.all_kinds():
        if spec.code != LOAN:
            assert not any(t.guard == "loan_weekday" for t in kinds.transitions_of(spec.code))


def test_it_appears_in_the_centre_queue(loan_form, sp_agent, sp, csp_agent, client):
    case = submitted_loan(loan_form, sp_agent, sp)
    assert case in case_queue_for_user(user=csp_agent)
    client.force_login(csp_agent)
    queue = client.get(reverse("cases:queue"), {"kind": LOAN})
    assert queue.status_code == 200
    assert case.reference in queue.content.decode()
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Prêt de matériel" in page and "Vidéoprojecteur" in page

