"""The editor's preview of a form using every field type: each renders (composite fields as
their parts, a repetition block as its rows), conditions are described and, in « Toutes les
étapes », every field stays visible."""

import html

import pytest
from django.test import RequestFactory

from cases.models import Case
from forms_catalog.tests.test_conditions import rule, when
from forms_catalog.tests.test_field_types import block
from forms_catalog.tests.test_new_types_wizard import ALL
from forms_catalog.tests.test_wizard import editorial, publish_form  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_type_form(publish_form):  # noqa: F811
    return publish_form([block("yes_no", "Urgent"), *ALL,
                         block("text", "Motif", **when(rule("Urgent", "equals", "oui"),
                                                       rule("Effectif", "gt", "10"),
                                                       combine="or"))],
                        title="Tous les champs")


@pytest.mark.parametrize("mode", ["", "validation"])
def test_the_preview_renders_every_field_type(every_type_form, admin_user, mode):
    request = RequestFactory().get("/")
    request.user = admin_user
    response = every_type_form.serve_preview(request, mode)
    response.render()
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    for label in ("Adresse de livraison", "Commune du site", "Departement", "Pays", "NIR", "TVA",
                  "Effectif", "Code", "Periode", "Pieces", "Demande liee", "Participants",
                  "Ligne 1"):
        assert label in text, label
    assert ("Affiché seulement si « Urgent » est égal à « oui » ou « Effectif » est supérieur "
            "à « 10 ».") in text
    # Every field shown to the editor; only the validation mode hides by condition.
    assert ("data-condition" in text) == (mode == "validation")
    assert not Case.objects.exists()
