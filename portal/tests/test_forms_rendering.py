"""Which templates draw the forms: Wagtail's admin with Django's own (a box inside its label,
one option per line), the portal's forms with django-dsfr's, through one shared renderer.

The DSFR widget templates were once the global FORM_RENDERER: in the admin, each box of a
convention's « Services prescripteurs » then sat at the end of the previous service's line
(tests/browser/test_cms_edit_views.py measures it in a browser)."""

from datetime import date
from importlib import import_module

import pytest
from bs4 import BeautifulSoup
from django import forms
from django.apps import apps
from django.conf import settings
from django.forms.renderers import get_default_renderer
from dsfr.forms import DsfrBaseForm

from common.forms_rendering import DSFR_RENDERER
from conventions.models import ConventionPage
from conventions.services import editorial_setup
from forms_catalog.models import ProcedureFormPage
from kinds.purchases.forms import LineFormSet
from tests.factories import PrescribingServiceFactory, UserFactory


def choice_options(html: str) -> dict[str, list]:
    """The options of the edit form's multiple-choice widgets (boxes sharing a name, radios),
    by name."""
    inputs = BeautifulSoup(html, "html.parser").select(
        "#page-edit-form input[type=checkbox], #page-edit-form input[type=radio]")
    by_name: dict[str, list] = {}
    for element in inputs:
        by_name.setdefault(element["name"], []).append(element)
    return {name: options for name, options in by_name.items()
            if len(options) > 1 or options[0]["type"] == "radio"}


@pytest.fixture
def editor_client(client, db):
    editorial = editorial_setup()
    editor = UserFactory(username="editrice")
    editor.groups.add(editorial.editors)
    client.force_login(editor)
    return client, editorial


def test_the_admins_choice_lists_put_each_box_inside_its_own_label(editor_client, sp, other_sp,
                                                                     csp):
    client, editorial = editor_client
    PrescribingServiceFactory(processing_centre=csp)
    convention = ConventionPage(title="Convention", slug="convention", centre=csp,
                                valid_from=date(2026, 1, 1))
    convention.services = [sp]
    editorial.sections["conventions"].add_child(instance=convention)
    form_page = ProcedureFormPage(title="Demande d'achat", slug="da",
                                  form_kind="purchase_request")
    editorial.sections["catalogue"].add_child(instance=form_page)

    checked = 0
    for page in (convention, form_page):
        response = client.get(f"/cms/pages/{page.pk}/edit/")
        assert response.status_code == 200
        options = choice_options(response.content.decode())
        assert options, f"{type(page).__name__} : aucune liste de choix"
        for name, boxes in options.items():
            for box in boxes:
                label = box.find_parent("label")
                # Django's layout: the label wraps the box and its text, one option per line.
                assert label is not None, f"{type(page).__name__}.{name} : {box}"
                assert label.get_text(strip=True), f"{type(page).__name__}.{name} : {label}"
                assert "fr-label" not in label.get("class", [])
                checked += 1
    assert checked >= 3 + 2  # the services on both pages, and the required attachments


def test_the_global_renderer_is_djangos():
    renderer = get_default_renderer()
    assert type(renderer).__module__ == "django.forms.renderers"
    assert renderer.get_template("django/forms/widgets/checkbox_option.html").origin.name \
        .startswith(str(forms.__path__[0]))


def _portal_form_classes() -> set[type]:
    for config in apps.get_app_configs():
        if not config.path.startswith(str(settings.BASE_DIR)):
            continue
        for module in ("forms", "filters", "views"):
            try:
                import_module(f"{config.name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.{module}":
                    raise
    found, todo = set(), [DsfrBaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.add(subclass)
            todo.append(subclass)
    return {cls for cls in found if not cls.__module__.startswith("dsfr.")}


def test_every_portal_form_draws_with_the_one_shared_dsfr_renderer():
    classes = _portal_form_classes()
    assert len(classes) > 20
    for form_class in classes:
        assert form_class.default_renderer is DSFR_RENDERER, form_class


class ChoicesForm(DsfrBaseForm):
    kind = forms.ChoiceField(label="Type", choices=[("a", "A"), ("b", "B")],
                             widget=forms.RadioSelect)
    services = forms.MultipleChoiceField(label="Services", choices=[("x", "X"), ("y", "Y")],
                                         widget=forms.CheckboxSelectMultiple)


def test_the_portals_forms_still_draw_dsfr_choices_and_errors():
    form = ChoicesForm(data={})
    assert form.renderer is DSFR_RENDERER and ChoicesForm().renderer is DSFR_RENDERER
    page = BeautifulSoup(str(form), "html.parser")
    for kind, group in (("radio", "fr-radio-group"), ("checkbox", "fr-checkbox-group")):
        boxes = page.select(f"input[type={kind}]")
        assert len(boxes) == 2
        for box in boxes:
            # DSFR's layout: the box, then its label, inside the group the stylesheet needs.
            assert group in box.parent["class"]
            assert box.find_next_sibling("label")["for"] == box["id"]
    assert page.select(".fr-error-text")


def test_a_formsets_lines_draw_with_the_dsfr_renderer_too():
    formset = LineFormSet(data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0",
                                "form-0-label": "Papier", "form-0-quantity": "-1",
                                "form-0-unit_price_ht": "2", "form-0-vat_rate": "20.00"})
    assert not formset.is_valid()
    line = formset.forms[0]
    assert line.renderer is DSFR_RENDERER
    html = str(line["quantity"].as_field_group())
    assert BeautifulSoup(html, "html.parser").select("li.fr-error-text")
