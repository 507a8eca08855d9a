"""A form page's annotation schema: the catalogue's schema (forms_catalog.schema), flattened
into one form, without file fields (a file would become an attachment, which the requester
sees)."""

from django import forms
from django.utils.translation import gettext as _

from .forms import StepForm
from .schema import build_schema, input_items


class AnnotationSchemaError(ValueError):
    """The editor's annotation fields cannot be private; the message says which, in French."""


def flat_items(schema: dict) -> list[dict]:
    """Every item of every step in order, as one form: the titles of the steps after the
    first become section titles."""
    items = []
    for index, step in enumerate(schema.get("steps", [])):
        if index and step["items"]:
            items.append({"type": "section", "key": f"step-{index}", "title": step["title"],
                          "text": ""})
        items.extend(step["items"])
    return items


def annotation_schema(stream) -> dict:
    """The schema of an annotations StreamField; SchemaError (inconsistent conditions) or
    AnnotationSchemaError (a file field) when the editors must change it."""
    schema = build_schema(stream, _("Annotations privées"))
    form = StepForm(items=flat_items(schema))
    for item in input_items(schema):
        if isinstance(form.fields.get(item["key"]), forms.FileField):
            raise AnnotationSchemaError(_(
                "Annotations privées : le champ « %(label)s » est un fichier ; une pièce jointe "
                "est visible du demandeur, les annotations n'en acceptent pas.")
                % {"label": item["label"]})
    return schema


def has_inputs(schema: dict) -> bool:
    return bool(input_items(schema or {}))
