"""Steps of the fixed-asset request wizard."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases.forms import PkChoiceField, PkMultipleChoiceField
from cases.models import PurchaseRequest
from cases.services import CaseError
from documents.forms import UploadField
from documents.validation import check_case_upload

from .models import AssetKind, FixedAssetRequest
from .services import clean_inventory_number, inventory_number_taken


class EjChoiceField(PkMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"EJ {obj.ej_number} — {obj.case.reference} — {obj.case.subject}"


class FiecChoiceField(PkChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.case.display_reference} — {obj.label}"


def _upload_lead(on_record, *, adds_up: bool) -> str:
    """The first sentence of the document's help text when one is already on the draft."""
    if adds_up:
        return _("Déjà jointe(s) : voir ci-dessus. Vous pouvez en ajouter une autre.")
    return _("Déjà joint : « %(name)s ». N'en déposez un autre que pour le remplacer.") % {
        "name": on_record.original_name}


class AssetNatureForm(DsfrBaseForm):
    asset_kind = forms.ChoiceField(
        label=_("Type de fiche"), choices=AssetKind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez Fiec ou Fies.")},
        help_text=_("Fiec : le bien est en cours de construction ou d'acquisition. Fies : le "
                    "bien est mis en service."))
    label = forms.CharField(label=_("Désignation du bien"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))


class AssetDetailsForm(DsfrBaseForm):
    """Fiec: the EJs and the acquisition documents. Fies: commissioning date, depreciation,
    inventory number, the commissioning report, and the Fiec it puts into service."""

    purchase_requests = EjChoiceField(
        label=_("EJ liés"), queryset=PurchaseRequest.objects.none(),
        widget=forms.CheckboxSelectMultiple, required=False,
        error_messages={"invalid_choice": _("Choisissez des EJ de votre service.")})
    commissioned_on = forms.DateField(
        label=_("Date de mise en service"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide.")})
    depreciation_years = forms.IntegerField()  # replaced in __init__
    inventory_number = forms.CharField(label=_("Numéro d'inventaire"), max_length=30)
    under_construction = FiecChoiceField(
        label=_("Fiec mise en service"), queryset=FixedAssetRequest.objects.none(),
        required=False, empty_label=_("— Aucune —"),
        help_text=_("Si ce bien était suivi en immobilisation en cours."))
    document = UploadField(error_messages={"required": _("Joignez la pièce demandée.")})

    def __init__(self, *args, asset_kind=AssetKind.UNDER_CONSTRUCTION, purchase_requests=None,
                 fiecs=None, document_kind=None, document_on_record=None, case=None,
                 service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.asset_kind = asset_kind
        self.document_on_record = document_on_record
        self.fields["purchase_requests"].queryset = (
            purchase_requests if purchase_requests is not None
            else PurchaseRequest.objects.none())
        # The ceiling is a setting: the field is made here, with it.
        self.fields["depreciation_years"] = forms.IntegerField(
            label=_("Durée d'amortissement (années)"), min_value=1,
            max_value=settings.FIXED_ASSET_MAX_DEPRECIATION_YEARS,
            error_messages={"min_value": _("Au moins 1 an."),
                            "max_value": _("Au plus %(limit_value)s ans."),
                            "invalid": _("Un nombre entier d'années.")})
        self.fields["inventory_number"].help_text = settings.INVENTORY_NUMBER_HELP
        if asset_kind == AssetKind.UNDER_CONSTRUCTION:
            for name in ("commissioned_on", "depreciation_years", "inventory_number",
                         "under_construction"):
                del self.fields[name]
            self.fields["purchase_requests"].required = True
            self.fields["purchase_requests"].error_messages["required"] = _(
                "Une immobilisation en cours se rattache à au moins un EJ.")
            self.fields["document"].label = _("Pièce d'acquisition (acte, pièce de marché)")
        else:
            self.fields["under_construction"].queryset = (
                fiecs if fiecs is not None else FixedAssetRequest.objects.none())
            self.fields["document"].label = _("Procès-verbal de mise en service")
        if document_on_record is not None:
            # A resumed draft: the document on record fulfils the requirement.
            self.fields["document"].satisfied_by(document_on_record, lead=_upload_lead(
                document_on_record, adds_up=asset_kind == AssetKind.UNDER_CONSTRUCTION))
        self.document_kind = document_kind
        self.service = service
        # DsfrBaseForm cached bound fields before the changes above.
        self._bound_fields_cache.clear()

    def clean_inventory_number(self):
        try:
            number = clean_inventory_number(self.cleaned_data["inventory_number"])
        except CaseError as exc:
            raise forms.ValidationError(exc.message) from exc
        if self.service is not None and inventory_number_taken(self.service, number,
                                                               exclude=self.case):
            raise forms.ValidationError(_("Le numéro d'inventaire %(number)s est déjà utilisé "
                                          "par votre service."), params={"number": number})
        return number

    def clean_document(self):
        uploaded = self.cleaned_data.get("document")
        if uploaded:
            check_case_upload(uploaded, self.case)
        return uploaded


class AssetSummaryForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label=_("Je certifie que les informations saisies sont exactes."),
        error_messages={"required": _("Cochez cette case pour déposer la demande.")})
