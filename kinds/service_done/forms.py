"""Steps of the service-done statement wizard."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.forms import PkChoiceField
from cases.models import PurchaseRequest
from documents.forms import UploadField
from documents.models import AttachmentKind
from documents.validation import check_case_upload

from .models import LatenessReason
from .services import EARLIEST_DELIVERY


class PurchaseRequestChoiceField(PkChoiceField):
    def label_from_instance(self, obj):
        return f"EJ {obj.ej_number} — {obj.case.reference} — {obj.case.subject}"


class DeliveryForm(DsfrBaseForm):
    purchase_request = PurchaseRequestChoiceField(
        label=_("Commande (EJ) concernée"), queryset=PurchaseRequest.objects.none(),
        error_messages={"required": _("Choisissez la commande livrée."),
                        "invalid_choice": _("Choisissez une commande terminée de votre service "
                                            "qui reste à constater.")})
    delivered_on = forms.DateField(
        label=_("Date de livraison ou d'achèvement de la prestation"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez la date de livraison."),
                        "invalid": _("Saisissez une date valide.")})
    invoice_reference = forms.CharField(label=_("Référence de la facture du fournisseur"),
                                        max_length=100, required=False,
                                        help_text=_("Si vous l'avez déjà reçue."))
    proof = UploadField(label=_("Bon de livraison ou procès-verbal de réception"),
                        error_messages={"required": _("Joignez le bon de livraison ou le "
                                                      "procès-verbal de réception.")})

    def __init__(self, *args, purchase_requests=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["purchase_request"].queryset = (
            purchase_requests if purchase_requests is not None else PurchaseRequest.objects.none())
        proof = (case.attachments.filter(kind=AttachmentKind.DELIVERY_PROOF).first()
                 if case is not None else None)
        if proof is not None:
            # A resumed draft: the proof on record fulfils the requirement.
            self.fields["proof"].satisfied_by(proof, lead=_(
                "Déjà joint : « %(name)s ». N'en déposez un autre que pour le remplacer.")
                % {"name": proof.original_name})
            # DsfrBaseForm made the bound fields (and their help texts) before this.
            self._bound_fields_cache.clear()

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("La date de livraison ne peut pas être dans le "
                                          "futur."))
        if day < EARLIEST_DELIVERY:
            raise forms.ValidationError(_("Cette date est trop ancienne."))
        return day

    def clean_proof(self):
        uploaded = self.cleaned_data.get("proof")
        if uploaded:
            check_case_upload(uploaded, self.case)
        return uploaded


class DeliveredLinesForm(DsfrBaseForm):
    """One quantity per line of the order; 0 for a line not delivered this time."""

    def __init__(self, *args, lines=(), left=None, **kwargs):
        super().__init__(*args, **kwargs)
        left = left or {}
        self.lines = list(lines)
        for line in self.lines:
            remaining = max(line.quantity - left.get(line.pk, Decimal("0")), Decimal("0"))
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=line.label, min_value=Decimal("0"), max_value=remaining, max_digits=12,
                decimal_places=3, localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                help_text=_("Commandé : %(ordered)s — reste à constater : %(left)s "
                            "(0 si rien n'a été livré)")
                % {"ordered": number_format(line.quantity.normalize()),
                   "left": number_format(remaining.normalize())},
                error_messages={
                    "required": _("Indiquez la quantité livrée (0 si rien n'a été livré)."),
                    "max_value": _("Il reste %(left)s à constater sur cette ligne.")
                    % {"left": number_format(remaining.normalize())},
                    "min_value": _("Une quantité est positive ou nulle.")})
            if not self.is_bound and f"line_{line.pk}" not in self.initial:
                self.initial[f"line_{line.pk}"] = remaining.normalize()

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(f"line_{line.pk}") for line in self.lines):
            raise forms.ValidationError(_("Indiquez la quantité livrée d'au moins une ligne."))
        return cleaned

    def delivered(self) -> list:
        return [(line, self.cleaned_data[f"line_{line.pk}"]) for line in self.lines
                if self.cleaned_data.get(f"line_{line.pk}")]


class LatenessForm(DsfrBaseForm):
    lateness_reason = forms.ChoiceField(
        label=_("Motif du retard"), choices=LatenessReason.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez le motif du retard.")})
    lateness_comment = forms.CharField(label=_("Précisions"), max_length=2000, required=False,
                                       widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("lateness_reason") == LatenessReason.OTHER
                and not cleaned.get("lateness_comment", "").strip()):
            self.add_error("lateness_comment", _("Précisez le motif du retard."))
        return cleaned


class StatementSummaryForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label=_("Je certifie que les biens ont été livrés ou la prestation réalisée comme "
                "indiqué."),
        error_messages={"required": _("Cochez cette case pour déposer la constatation.")})
