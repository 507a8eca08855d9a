"""The demo form of the new field types (demo/catalogue_fields.py) publishes (so its fields
pass the publication checks), once, and uses every new type."""

import html
import json

import pytest

from conventions.services import editorial_setup
from demo.catalogue_fields import SLUG, seed_catalogue_fields
from forms_catalog.models import ProcedureFormPage
from forms_catalog.schema import NEW_TYPES, input_items


@pytest.mark.django_db
def test_the_demo_form_publishes_once_with_every_new_type():
    editorial = editorial_setup()
    assert seed_catalogue_fields(editorial) == 1
    assert seed_catalogue_fields(editorial) == 0
    page = ProcedureFormPage.objects.live().get(slug=SLUG)
    items = input_items(page.field_schema)
    assert set(NEW_TYPES) - {"commune"} <= {item["type"] for item in items}
    justification = next(i for i in items if i["label"] == "Justification du budget")
    assert justification["condition"]["combine"] == "or"
    assert [r["operator"] for r in justification["condition"]["rules"]] == ["gt", "equals"]


@pytest.mark.django_db
def test_the_editors_page_renders_and_publishes_the_new_blocks(client, django_user_model):
    editorial = editorial_setup()
    seed_catalogue_fields(editorial)
    page = ProcedureFormPage.objects.get(slug=SLUG)
    admin = django_user_model.objects.create_superuser("editrice", "e@example.org", "x")
    client.force_login(admin)
    response = client.get(f"/cms/pages/{page.pk}/edit/")
    assert response.status_code == 200
    # The block definitions are JSON in the page (telepath), non-ASCII escaped.
    body = html.unescape(response.content.decode())
    for label in ("Bloc répété", "Conditions d'affichage", "est supérieur à",
                  "au moins une règle (ou)", "Motif (expression régulière)"):
        assert json.dumps(label)[1:-1].replace("'", "\\u0027") in body or label in body, label
