from django import forms
from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .validation import accept_attribute, max_size_text, upload_help_text

lazy_help_text = lazy(upload_help_text, str)


class UploadField(forms.FileField):
    """A file input of a case form whose required state is the real rule, and whose help text
    says what it takes (documents.validation: the one allow-list and size limit).

    A draft resumed with the file already on record (`satisfied_by()`) keeps the field
    marked required — the piece is required — but the field then accepts an empty input: the
    file on record fulfils it, a new one replaces or adds to it. The cleaned value is only
    ever a newly uploaded file (or None)."""

    widget = forms.FileInput

    def __init__(self, *, lead: str = "", **kwargs):
        # Lazy: read when shown, in the page's language and with the limit then in force.
        if not kwargs.get("help_text"):
            kwargs["help_text"] = lazy_help_text(lead)
        super().__init__(**kwargs)
        self.on_record = None

    def satisfied_by(self, on_record, *, lead: str = "") -> None:
        """The file (or files) already on the draft fulfil the requirement; `lead` replaces
        the help text's first sentence (« Déjà joint : … »)."""
        self.on_record = on_record or None
        # An initial value is what tells the widget not to carry the `required` attribute.
        self.initial = self.on_record
        if self.on_record is not None and lead:
            self.help_text = lazy_help_text(lead)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": accept_attribute()}

    def clean(self, data, initial=None):
        if not data and self.on_record is not None:
            return None
        return super().clean(data, None)


class VerifyForm(DsfrBaseForm):
    file = forms.FileField(
        label=_("Document PDF à vérifier"),
        error_messages={
            "required": _("Choisissez un fichier PDF."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier n'a été reçu : réessayez."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Un bon de commande ou tout PDF signé, %(max)s au plus."
        ) % {"max": max_size_text()}
        self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale de %(max)s."),
                params={"max": max_size_text()}, code="size")
        uploaded.seek(0)
        self.cleaned_data["content"] = uploaded.read()
        return uploaded
