"""Catalogue forms in Wagtail's API v2 and the admin's edit form."""

import json

import pytest

from forms_catalog.models import ProcedureFormPage
from forms_catalog.tests import test_schema as _test_schema
from forms_catalog.tests import test_selectors as _test_selectors

# Fixtures of test_schema.py (and test_selectors.py), with those they depend on.
badge_form = _test_schema.badge_form
catalogue = _test_selectors.catalogue
publish_form = _test_schema.publish_form
editorial = _test_schema.editorial


# --- API v2 ---------------------------------------------------------------------------------


def test_api_v2_exposes_the_field_schema_and_the_services(client, badge_form, catalogue, sp,
                                                          other_sp):
    response = client.get("/api/v2/pages/", {"type": "forms_catalog.ProcedureFormPage",
                                             "fields": "*"})
    assert response.status_code == 200
    items = {item["title"]: item for item in response.json()["items"]}
    assert "Brouillon" not in items
    badge = items["Demande de badge"]
    assert badge["form_kind"] == "generic"
    assert badge["service_codes"] == []
    assert badge["validation_required"] is False
    assert badge["field_schema"] == json.loads(json.dumps(badge_form.field_schema))
    steps = badge["field_schema"]["steps"]
    assert [step["title"] for step in steps] == ["Votre demande", "Financement"]
    assert [item["type"] for item in steps[0]["items"]] == ["section", "text", "amount",
                                                            "yes_no", "text"]
    assert steps[0]["items"][4]["condition"] == {
        "combine": "and",
        "rules": [{"key": steps[0]["items"][3]["key"], "operator": "equals", "value": "oui"}]}
    assert items["DRAC et DREAL"]["service_codes"] == sorted([sp.code, other_sp.code])


def test_the_admin_form_edits_required_attachments_as_check_boxes():
    from django import forms as django_forms

    form_class = ProcedureFormPage.get_edit_handler().get_form_class()
    field = form_class.base_fields["required_attachments"]
    assert isinstance(field, django_forms.MultipleChoiceField)
    assert field.clean(["quote", "price_schedule"]) == ["quote", "price_schedule"]
    with pytest.raises(django_forms.ValidationError):
        field.clean(["../etc"])
