"""The annotations form: the catalogue's StepForm over the flattened annotation schema, plus
the version the agent read (optimistic locking)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from ..annotation_schema import flat_items
from ..forms import StepForm

PREFIX = "annotations"


def initial_values(items: list[dict], values: dict) -> dict:
    """Stored JSON values as the form's fields show them (a decimal in the page's language,
    a date for the date input)."""
    initial = {}
    for item in items:
        value = values.get(item.get("key"))
        if value is None:
            continue
        try:
            if item["type"] in ("amount", "decimal"):
                value = Decimal(value)
            elif item["type"] == "date":
                value = date.fromisoformat(value)
        except (InvalidOperation, TypeError, ValueError):
            pass
        initial[item["key"]] = value
    return initial


class AnnotationsForm(StepForm):
    def __init__(self, *args, schema: dict, values: dict | None = None, version: int = 0,
                 **kwargs):
        items = flat_items(schema)
        kwargs.setdefault("prefix", PREFIX)
        kwargs.setdefault("initial", {**initial_values(items, values or {}),
                                      "version": version})
        super().__init__(*args, items=items, **kwargs)
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0,
                                                    max_value=2**31 - 1)
        self._bound_fields_cache.clear()
