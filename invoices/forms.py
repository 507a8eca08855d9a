import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from documents.validation import check_upload


class InvoiceFilterForm(DsfrBaseForm):
    """The list's filters; a value outside the choices is an error shown by the field, the
    list then shows every invoice in scope."""

    WAITING, COVERED = "waiting", "covered"
    state = forms.ChoiceField(label=_("Situation"), required=False, choices=[
        ("", _("Toutes")), (WAITING, _("En attente de service fait")),
        (COVERED, _("Service fait certifié"))])
    service = forms.ChoiceField(label=_("Service"), required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Tous les services"))] + [
            (service.code, str(service)) for service in services]


class InvoiceUploadForm(DsfrBaseForm):
    centre = forms.ChoiceField(label=_("Centre"))
    file = forms.FileField(
        label=_("Extrait de factures Chorus Pro (CSV)"),
        help_text=_("Colonnes : numéro de facture, SIRET fournisseur, numéro EJ, montant HT, "
                    "montant TTC, date de réception, statut ; séparateur « ; » ; %(max)s au "
                    "plus.") % {"max": filesizeformat(settings.INVOICE_IMPORT_MAX_BYTES)},
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}))

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.centres = {centre.code: centre for centre in centres}
        self.fields["centre"].choices = [(c.code, str(c)) for c in centres]
        if len(self.centres) == 1:
            self.fields["centre"].initial = next(iter(self.centres))

    def clean_centre(self):
        return self.centres[self.cleaned_data["centre"]]

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if os.path.splitext(uploaded.name or "")[1].lower() != ".csv":
            raise ValidationError(_("Déposez un fichier CSV (extension .csv)."))
        if uploaded.size > settings.INVOICE_IMPORT_MAX_BYTES:
            raise ValidationError(_("Le fichier dépasse la taille maximale de %(max)s.") % {
                "max": filesizeformat(settings.INVOICE_IMPORT_MAX_BYTES)})
        # The portal's upload checks: the bytes of a text file, not a disguised binary.
        check_upload(uploaded)
        return uploaded
