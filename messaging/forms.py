from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from dsfr.forms import DsfrBaseForm

from documents.forms import lazy_help_text
from documents.validation import accept_attribute, check_upload

from .services import MAX_FILES, MAX_LENGTH


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept_attribute()}))
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
                              help_text=lazy_help_text(ngettext_lazy(
                                  "Un fichier au plus.", "Jusqu'à %(n)s fichiers.", MAX_FILES)
                                  % {"n": MAX_FILES}))

    def clean_files(self):
        # Every file is checked before any is written: a refused second file must not leave
        # the first one behind in storage (the message's transaction rolls back, not the disk).
        files = self.cleaned_data.get("files") or []
        errors = []
        for uploaded in files:
            try:
                check_upload(uploaded)
            except ValidationError as exc:
                errors.append(ValidationError("%(name)s : %(error)s", params={
                    "name": uploaded.name, "error": exc.messages[0]}))
        if errors:
            raise ValidationError(errors)
        return files
