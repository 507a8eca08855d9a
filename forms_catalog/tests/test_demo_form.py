"""The demo form of the new field types (demo/catalogue_fields.py) publishes (so its fields
pass the publication checks), once, and uses every new type."""

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
