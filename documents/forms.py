from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


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
        ) % {"max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}
        self.fields["file"].widget.attrs["accept"] = "application/pdf,.pdf"

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if uploaded.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale de %(max)s."),
                params={"max": filesizeformat(settings.ATTACHMENT_MAX_BYTES)}, code="size")
        uploaded.seek(0)
        self.cleaned_data["content"] = uploaded.read()
        return uploaded
