"""Private annotations: the editors' fields for the centre side of a form, filled by the
centre's agents while processing (services and HTTP): schema checks at publication, pinning,
optimistic locking, the journal, server-side validation, IDOR, read-only once closed."""

import html
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import services as case_services
from cases.services import CaseConflict, CaseError, CaseNotFound
from cases.workflow import Action, State
from forms_catalog.annotations.selectors import annotations_text
from forms_catalog.annotations.services import case_annotations_save
from forms_catalog.models import AnnotationChange, CaseAnnotations, ProcedureFormPage
from forms_catalog.schema import input_items
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests.test_schema import answers_for, draft, inp, step_break

editorial = _test_schema.editorial
publish_form = _test_schema.publish_form

pytestmark = pytest.mark.django_db

SECRET = "ZQX-NOTE-INTERNE-7781"
TICKET = "Numero de ticket interne"
COST = "Cout estime par le centre"
MISSING = "Piece manquante"
WHICH = "Pieces a reclamer"
FOLLOW_UP = "Relance prevue le"

FORM_FIELDS = [inp("text", "Nom de l agent"), inp("amount", "Montant estime", required=False)]
ANNOTATION_FIELDS = [
    inp("text", TICKET),
    inp("amount", COST, required=False),
    inp("yes_no", MISSING, required=False),
    inp("long_text", WHICH, required=False, show_if=(MISSING, "oui")),
    step_break("Suivi"),
    inp("date", FOLLOW_UP, required=False),
]


@pytest.fixture
def annotated_form(publish_form, sp):
    return publish_form(FORM_FIELDS, title="Demande de badge", services=[sp],
                        annotations=ANNOTATION_FIELDS)


def annotation_keys(page_or_record) -> dict[str, str]:
    schema = (page_or_record.schema if isinstance(page_or_record, CaseAnnotations)
              else ProcedureFormPage.objects.get(pk=page_or_record.pk).annotations_schema)
    return {item["label"]: item["key"] for item in input_items(schema)}


def submitted_case(page, sp_agent, sp, *, claim_by=None, answer="Camille Martin"):
    case = draft(page, sp_agent, sp)
    case = case_services.answers_record(case=case, actor=sp_agent,
                                        answers=answers_for(page, **{"Nom de l agent": answer}))
    case = case_services.transition(case=case, action=Action.SUBMIT, actor=sp_agent)
    if claim_by is not None:
        case = case_services.transition(case=case, action=Action.CLAIM, actor=claim_by)
    return case


@pytest.fixture
def case(annotated_form, sp, sp_agent, csp_agent):
    return submitted_case(annotated_form, sp_agent, sp, claim_by=csp_agent)


def values(page, **by_label):
    keys = annotation_keys(page)
    return {keys[label]: value for label, value in by_label.items()}


def post_data(page, version=0, **by_label) -> dict:
    keys = annotation_keys(page)
    data = {"annotations-version": str(version)}
    data.update({f"annotations-{keys[label]}": value for label, value in by_label.items()})
    return data


def save_url(case) -> str:
    return reverse("forms_catalog:annotations", args=[case.pk])


# --- the editors' side ---------------------------------------------------------------------------


def test_a_file_annotation_is_refused_at_publication_with_a_french_message(editorial):
    page = ProcedureFormPage(title="F", slug="f", fields=FORM_FIELDS,
                             annotations=[inp("file", "Note scannee")])
    with pytest.raises(ValidationError) as refused:
        page.clean()
    message = refused.value.message_dict["annotations"][0]
    assert "Note scannee" in message and "fichier" in message


def test_an_annotation_condition_on_an_unknown_field_is_refused(editorial):
    page = ProcedureFormPage(title="F", slug="f", fields=FORM_FIELDS, annotations=[
        inp("text", WHICH, show_if=("Champ absent", "oui"))])
    with pytest.raises(ValidationError) as refused:
        page.clean()
    assert "Champ absent" in refused.value.message_dict["annotations"][0]


def test_annotations_are_not_part_of_the_requesters_schema(annotated_form):
    labels = {item["label"] for item in input_items(annotated_form.field_schema)}
    assert labels == {"Nom de l agent", "Montant estime"}
    assert TICKET in annotation_keys(annotated_form)


def test_the_editor_finds_the_annotations_in_a_labelled_panel(client, annotated_form, editorial,
                                                              sp):
    from portal.models import Role
    from tests.factories import member

    editor = member(sp, Role.SP_AGENT, username="redacteur")
    editor.groups.add(editorial.editors)
    client.force_login(editor)
    response = client.get(f"/cms/pages/{annotated_form.pk}/edit/")
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Annotations privées (centre)" in body and "Jamais montrés au demandeur" in body
    assert TICKET in body  # the stream's blocks are there to edit


# --- services ------------------------------------------------------------------------------------


def test_the_first_save_pins_the_schema_and_journals_the_change(annotated_form, case,
                                                                 csp_agent):
    record = case_annotations_save(case=case, actor=csp_agent, expected_version=0,
                                   values=values(annotated_form, **{TICKET: SECRET,
                                                                    COST: "12.50"}))
    assert record.version == 1 and record.updated_by == csp_agent
    assert record.revision_id == annotated_form.live_revision_id
    change = AnnotationChange.objects.get(annotations=record)
    assert change.actor == csp_agent and change.version == 1
    assert {c["label"]: (c["before"], c["after"]) for c in change.changes.values()} == {
        TICKET: (None, SECRET), COST: (None, "12.50")}
    # Not in the requester's history, nor in what the requester's pages read.
    case.refresh_from_db()
    assert SECRET not in json.dumps(case.extra)
    assert not any(SECRET in json.dumps(e.data) + e.comment for e in case.events.all())

    # The editors change the annotations: the case keeps the schema it was filled with.
    page = ProcedureFormPage.objects.get(pk=annotated_form.pk)
    page.annotations = [inp("text", "Autre note")]
    page.save_revision().publish()
    record.refresh_from_db()
    assert TICKET in annotation_keys(record)


def test_a_second_save_records_before_and_after_and_a_noop_writes_nothing(
        annotated_form, case, csp_agent, csp_agent2):
    first = values(annotated_form, **{TICKET: "T-1"})
    case_annotations_save(case=case, actor=csp_agent, expected_version=0, values=first)
    record = case_annotations_save(case=case, actor=csp_agent2, expected_version=1,
                                   values=values(annotated_form, **{TICKET: "T-2"}))
    assert record.version == 2 and record.updated_by == csp_agent2
    last = AnnotationChange.objects.get(annotations=record, version=2)
    assert list(last.changes.values()) == [{"label": TICKET, "before": "T-1", "after": "T-2"}]
    again = case_annotations_save(case=case, actor=csp_agent, expected_version=2,
                                  values=values(annotated_form, **{TICKET: "T-2"}))
    assert again.version == 2 and AnnotationChange.objects.count() == 2


def test_a_stale_version_is_refused_and_nothing_is_lost(annotated_form, case, csp_agent,
                                                        csp_agent2):
    case_annotations_save(case=case, actor=csp_agent, expected_version=0,
                          values=values(annotated_form, **{TICKET: "T-1"}))
    with pytest.raises(CaseConflict) as conflict:
        case_annotations_save(case=case, actor=csp_agent2, expected_version=0,
                              values=values(annotated_form, **{TICKET: "ecrase"}))
    assert "rechargez la page" in conflict.value.message
    record = CaseAnnotations.objects.get(case=case)
    assert record.values == values(annotated_form, **{TICKET: "T-1"}) and record.version == 1


def test_unknown_keys_are_dropped(annotated_form, case, csp_agent):
    record = case_annotations_save(case=case, actor=csp_agent, expected_version=0, values={
        **values(annotated_form, **{TICKET: "T-1"}), "forged": SECRET})
    assert "forged" not in record.values


def test_the_journal_is_append_only(annotated_form, case, csp_agent):
    record = case_annotations_save(case=case, actor=csp_agent, expected_version=0,
                                   values=values(annotated_form, **{TICKET: "T-1"}))
    change = AnnotationChange.objects.get(annotations=record)
    with pytest.raises(PermissionError):
        change.save()
    with pytest.raises(PermissionError):
        change.delete()


def test_only_the_processing_centre_writes(annotated_form, case, sp_agent, ordonnateur,
                                           foreign_csp_agent):
    for outsider in (sp_agent, ordonnateur, foreign_csp_agent):
        with pytest.raises(CaseNotFound):
            case_annotations_save(case=case, actor=outsider, expected_version=0,
                                  values=values(annotated_form, **{TICKET: "T-1"}))
    assert not CaseAnnotations.objects.exists()


def test_annotations_are_read_only_once_the_case_is_closed(annotated_form, case, csp_agent):
    case_annotations_save(case=case, actor=csp_agent, expected_version=0,
                          values=values(annotated_form, **{TICKET: "T-1"}))
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    comment="Fait")
    with pytest.raises(CaseError) as refused:
        case_annotations_save(case=case, actor=csp_agent, expected_version=1,
                              values=values(annotated_form, **{TICKET: "T-2"}))
    assert "clos" in refused.value.message
    assert CaseAnnotations.objects.get(case=case).values == values(annotated_form,
                                                                   **{TICKET: "T-1"})


def test_a_case_submitted_but_not_claimed_is_annotated_by_any_agent_of_the_centre(
        annotated_form, sp, sp_agent, csp_agent2):
    case = submitted_case(annotated_form, sp_agent, sp)
    assert case.state == State.SUBMITTED
    record = case_annotations_save(case=case, actor=csp_agent2, expected_version=0,
                                   values=values(annotated_form, **{TICKET: "T-1"}))
    assert record.version == 1


def test_a_form_without_annotations_has_nothing_to_save(publish_form, sp, sp_agent, csp_agent):
    page = publish_form(FORM_FIELDS, services=[sp])
    case = submitted_case(page, sp_agent, sp, claim_by=csp_agent)
    with pytest.raises(CaseError):
        case_annotations_save(case=case, actor=csp_agent, expected_version=0, values={})
    assert not CaseAnnotations.objects.exists()


def test_the_export_text_joins_label_value_pairs_of_filled_fields(annotated_form, case,
                                                                  csp_agent):
    case_annotations_save(case=case, actor=csp_agent, expected_version=0, values=values(
        annotated_form, **{TICKET: SECRET, MISSING: "oui", WHICH: "RIB"}))
    case.refresh_from_db()
    assert annotations_text(case) == (f"{TICKET} : {SECRET} ; {MISSING} : oui ; "
                                      f"{WHICH} : RIB")


# --- HTTP ----------------------------------------------------------------------------------------


def test_the_centre_sees_the_panel_and_saves_with_a_confirmation(client, annotated_form, case,
                                                                 csp_agent):
    client.force_login(csp_agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="annotations"' in page and "Visibles du centre seulement" in page
    assert save_url(case) in page and 'name="annotations-version"' in page
    response = client.post(save_url(case), post_data(annotated_form, **{
        TICKET: SECRET, COST: "1234,50", FOLLOW_UP: "2026-03-02"}), follow=True)
    assert response.redirect_chain[-1][0].endswith("#annotations")
    body = html.unescape(response.content.decode())
    assert "Annotations privées enregistrées." in body
    assert SECRET in body and "Dernière modification par" in body
    record = CaseAnnotations.objects.get(case=case)
    assert record.values == values(annotated_form, **{
        TICKET: SECRET, COST: "1234.50", FOLLOW_UP: "2026-03-02"})
    # The form shows the values saved, the amount in French.
    assert 'value="1234,50"' in body or 'value="1 234,50"' in body


@pytest.mark.parametrize(("by_label", "field", "message"), [
    ({COST: "beaucoup"}, COST, "Saisissez un nombre."),
    ({TICKET: ""}, TICKET, "Ce champ est obligatoire."),
    ({FOLLOW_UP: "2026-13-45"}, FOLLOW_UP, "Saisissez une date valide."),
    ({COST: "-5"}, COST, "supérieure ou égale à 0"),
])
def test_a_refused_value_is_explained_in_french_and_nothing_is_written(
        client, annotated_form, case, csp_agent, by_label, field, message):
    client.force_login(csp_agent)
    data = post_data(annotated_form, **{TICKET: SECRET, **by_label})
    response = client.post(save_url(case), data)
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert message in body
    # The message sits next to its field.
    key = annotation_keys(annotated_form)[field]
    assert f'id="annotations-{key}-desc-error"' in body or f"annotations-{key}" in body
    assert not CaseAnnotations.objects.exists() and not AnnotationChange.objects.exists()


def test_a_forged_value_of_a_hidden_field_is_dropped(client, annotated_form, case, csp_agent):
    client.force_login(csp_agent)
    client.post(save_url(case), post_data(annotated_form, **{
        TICKET: "T-1", MISSING: "non", WHICH: SECRET}))
    record = CaseAnnotations.objects.get(case=case)
    assert annotation_keys(annotated_form)[WHICH] not in record.values


def test_a_stale_form_is_refused_with_409_and_the_saved_values_kept(
        client, annotated_form, case, csp_agent, csp_agent2):
    case_annotations_save(case=case, actor=csp_agent2, expected_version=0,
                          values=values(annotated_form, **{TICKET: "T-1"}))
    client.force_login(csp_agent)
    response = client.post(save_url(case), post_data(annotated_form, version=0,
                                                     **{TICKET: "ecrase"}))
    assert response.status_code == 409
    assert "rechargez la page" in html.unescape(response.content.decode())
    assert CaseAnnotations.objects.get(case=case).values == values(annotated_form,
                                                                   **{TICKET: "T-1"})


@pytest.mark.parametrize("who", ["foreign_csp_agent", "sp_agent", "ordonnateur",
                                 "foreign_sp_agent"])
def test_anyone_but_the_processing_centre_gets_a_404(request, client, annotated_form, case, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(save_url(case), post_data(annotated_form, **{TICKET: SECRET}))
    assert response.status_code == 404
    assert not CaseAnnotations.objects.exists()


def test_bad_ids_are_404(client, csp_agent):
    client.force_login(csp_agent)
    assert client.post(f"/dossiers/{2**70}/annotations/", {}).status_code == 404
    assert client.post("/dossiers/abc/annotations/", {}).status_code == 404
    assert client.post("/dossiers/999999/annotations/", {}).status_code == 404


def test_get_is_refused(client, case, csp_agent):
    client.force_login(csp_agent)
    assert client.get(save_url(case)).status_code == 405


def test_a_closed_case_shows_the_annotations_read_only_and_refuses_a_post(
        client, annotated_form, case, csp_agent):
    case_annotations_save(case=case, actor=csp_agent, expected_version=0,
                          values=values(annotated_form, **{TICKET: SECRET}))
    case = case_services.transition(case=case, action=Action.COMPLETE, actor=csp_agent,
                                    comment="Fait")
    client.force_login(csp_agent)
    page = html.unescape(client.get(case.get_absolute_url()).content.decode())
    assert SECRET in page and "lecture seule" in page
    assert save_url(case) not in page
    response = client.post(save_url(case), post_data(annotated_form, version=1,
                                                     **{TICKET: "T-2"}))
    assert response.status_code == 400
    assert "clos" in html.unescape(response.content.decode())
    assert CaseAnnotations.objects.get(case=case).values == values(annotated_form,
                                                                   **{TICKET: SECRET})


def test_a_post_on_a_form_without_annotations_is_refused_with_a_message(
        client, publish_form, sp, sp_agent, csp_agent):
    page = publish_form(FORM_FIELDS, services=[sp])
    case = submitted_case(page, sp_agent, sp, claim_by=csp_agent)
    client.force_login(csp_agent)
    response = client.post(save_url(case), {"annotations-version": "0"})
    assert response.status_code == 400
    assert "pas d'annotations privées" in html.unescape(response.content.decode())
    assert not CaseAnnotations.objects.exists()
