"""Form fields shared by the portal's pages."""

from django import forms
from django.forms.models import ModelChoiceIterator


class _ListedChoices(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # One plain query: Django reads choices through iterator(), a server-side cursor on
        # PostgreSQL (DECLARE, FETCH, CLOSE: three round trips) meant for long lists.
        for obj in self.queryset.all():
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for short lists (a centre's services or agents)."""

    iterator = _ListedChoices
