from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .services import MAX_LENGTH


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class MessageForm(DsfrBaseForm):
    body = forms.CharField(label=_("Votre message"), max_length=MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": _("Écrivez votre message.")})
    files = MultipleFileField(label=_("Fichiers joints"), required=False,
                              help_text=_("Facultatif : jusqu'à 5 fichiers (PDF, images, "
                                          "documents bureautiques)."))
