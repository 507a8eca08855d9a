"""The repetition block: a group of simple fields repeated between a minimum and a maximum
number of times, with « Ajouter une ligne » / « Supprimer » buttons that work without
JavaScript (each is a submit button; the wizard keeps what was typed and shows the step
again with one row more or less). In the step form, then over HTTP through the wizard."""

import html
import re

import pytest

from cases.workflow import State
from forms_catalog.forms import StepForm
from forms_catalog.selectors import answers_by_step
from forms_catalog.tests.test_field_types import block, schema_of
from forms_catalog.tests.test_wizard import (  # noqa: F401 (fixtures)
    agent_client,
    case_from,
    editorial,
    new_url,
    publish_form,
    resume_url,
)

REQUIRED = "Ce champ est obligatoire."


def sub(kind, label, sub_id, *, required=True, **extra):
    return {"type": kind, "id": sub_id,
            "value": {"label": label, "help_text": "", "required": required, **extra}}


PEOPLE = [sub("text", "Nom", "nom"), sub("integer", "Age", "age", required=False),
          sub("choice", "Role", "role", choices=["Agent", "Chef"], required=False)]


def people(**settings):
    return block("repetition", "Participants", **{"min_rows": 1, "max_rows": 3,
                                                  "fields": PEOPLE, **settings})


def form_of(schema, data):
    return StepForm(data=data, items=schema["steps"][0]["items"])


# --- the step form ------------------------------------------------------------------------------


def test_rows_are_stored_as_a_list_of_dicts_and_empty_rows_are_no_rows():
    schema = schema_of(people())
    form = form_of(schema, {"k1__rows": "3", "k1__0__nom": "Ada", "k1__0__age": "36",
                            "k1__1__nom": "", "k1__2__nom": "Alan", "k1__2__role": "Chef"})
    assert form.is_valid(), form.errors
    rows = [{"nom": "Ada", "age": 36, "role": None}, {"nom": "Alan", "age": None,
                                                       "role": "Chef"}]
    assert form.answers() == {"k1": rows}
    assert answers_by_step(schema, {"k1": rows})[0]["rows"][0]["value"] == (
        "1. Nom : Ada ; Age : 36\n2. Nom : Alan ; Role : Chef")


def test_each_row_is_validated_with_errors_next_to_its_fields():
    form = form_of(schema_of(people()), {"k1__rows": "2", "k1__0__age": "12",
                                         "k1__1__nom": "Alan", "k1__1__age": "douze"})
    assert not form.is_valid()
    assert set(form.errors) == {"k1__0__nom", "k1__1__age"}
    assert form.errors["k1__0__nom"] == [REQUIRED]


def test_minimum_and_required():
    schema = schema_of(people(min_rows=2))
    form = form_of(schema, {"k1__rows": "2", "k1__0__nom": "Ada"})
    assert form.errors == {"k1__rows": ["Remplissez au moins 2 lignes (1 remplie(s))."]}
    form = form_of(schema_of(people()), {"k1__rows": "1"})
    assert form.errors == {"k1__rows": ["Remplissez au moins une ligne."]}
    optional = form_of(schema_of(people(required=False, min_rows=0)), {"k1__rows": "1"})
    assert optional.is_valid() and optional.answers() == {"k1": None}


@pytest.mark.parametrize("posted, shown", [("1000", 3), ("-4", 1), ("abc", 1), ("9" * 50, 1),
                                           (None, 1)])
def test_the_row_count_a_page_posts_stays_within_the_bounds(posted, shown):
    data = {f"k1__{row}__nom": f"Personne {row}" for row in range(10)}
    if posted is not None:
        data["k1__rows"] = posted
    form = form_of(schema_of(people()), data)
    assert form.rows["k1"] == shown
    assert form.is_valid(), form.errors
    # Rows beyond the maximum are never read: the maximum holds on the server.
    assert len(form.answers()["k1"]) == shown


def test_no_nested_repetition_and_only_simple_fields_can_be_repeated():
    from forms_catalog.blocks import RowFieldStream

    assert set(RowFieldStream.base_blocks) == {"text", "long_text", "integer", "decimal",
                                               "amount", "date", "choice", "yes_no", "email",
                                               "phone"}


def test_publication_checks_the_bounds_and_the_fields():
    from forms_catalog.schema import SchemaError

    with pytest.raises(SchemaError, match="minimum ≤ maximum"):
        schema_of(people(min_rows=4, max_rows=2))
    with pytest.raises(SchemaError, match="n'a aucun champ"):
        schema_of(people(fields=[]))


# --- through the wizard, over HTTP --------------------------------------------------------------


@pytest.fixture
def team_form(publish_form, sp):  # noqa: F811
    return publish_form([block("text", "Objet"), people(min_rows=1, max_rows=2)],
                        title="Inscription a une formation", services=[sp])


def key_of(page):
    return page.field_schema["steps"][0]["items"][1]["key"], \
        page.field_schema["steps"][0]["items"][0]["key"]


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_adding_and_removing_rows_without_javascript(agent_client, team_form):  # noqa: F811
    rep, subject = key_of(team_form)
    page = text_of(agent_client.get(new_url(team_form)))
    assert "Ligne 1" in page and "Ligne 2" not in page and "Ajouter une ligne" in page
    assert "Supprimer la ligne 1" not in page  # the minimum is one row

    base = {"generic-current_step": "etape-1", f"etape-1-{subject}": "Formation Chorus",
            f"etape-1-{rep}__rows": "1", f"etape-1-{rep}__0__nom": "Ada"}
    response = agent_client.post(new_url(team_form), {**base, f"etape-1-{rep}__add": "1"})
    assert response.status_code == 302
    case = case_from(response)
    page = text_of(agent_client.get(resume_url(case)))
    # What was typed is kept, one more row is shown, the maximum (2) is reached.
    assert 'value="Formation Chorus"' in page and 'value="Ada"' in page
    assert "Ligne 2" in page and "Ajouter une ligne" not in page
    assert "Supprimer la ligne 2" in page

    case.refresh_from_db()
    two = {**base, f"etape-1-{rep}__rows": "2", f"etape-1-{rep}__1__nom": "Alan",
           "draft_version": str(case.version)}
    # A forged « add » beyond the maximum adds nothing.
    agent_client.post(resume_url(case), {**two, f"etape-1-{rep}__add": "1"})
    case.refresh_from_db()
    assert case.wizard_state["step_data"]["etape-1"][f"etape-1-{rep}__rows"] == ["2"]

    # Removing the first row moves the second one up.
    response = agent_client.post(resume_url(case), {**two, "draft_version": str(case.version),
                                                    f"etape-1-{rep}__remove": "0"})
    assert response.status_code == 302
    page = text_of(agent_client.get(resume_url(case)))
    assert 'value="Alan"' in page and 'value="Ada"' not in page and "Ligne 2" not in page

    case.refresh_from_db()
    response = agent_client.post(resume_url(case), {
        **base, f"etape-1-{rep}__0__nom": "Alan", f"etape-1-{rep}__0__age": "41",
        "draft_version": str(case.version)})
    assert response.status_code == 302
    summary = text_of(agent_client.get(resume_url(case)))
    assert "1. Nom : Alan ; Age : 41" in summary
    response = agent_client.post(resume_url(case), {"generic-current_step": "recapitulatif",
                                                    "recapitulatif-confirm": "on"})
    case.refresh_from_db()
    assert case.state == State.SUBMITTED
    assert case.extra["answers"][rep] == [{"nom": "Alan", "age": 41, "role": None}]
    detail = text_of(agent_client.get(case.get_absolute_url()))
    assert re.search(r"1\. Nom : Alan ; Age : 41", detail)


def test_the_minimum_is_enforced_when_the_step_is_sent(agent_client, team_form):  # noqa: F811
    rep, subject = key_of(team_form)
    response = agent_client.post(new_url(team_form), {
        "generic-current_step": "etape-1", f"etape-1-{subject}": "Formation",
        f"etape-1-{rep}__rows": "1", f"etape-1-{rep}__0__nom": ""})
    assert response.status_code == 200
    assert "Remplissez au moins une ligne." in text_of(response)
