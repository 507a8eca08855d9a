"""Forms of the purchase-request wizard's steps. They validate input and show French messages
next to the fields; writes go through kinds.purchases.services."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from cases import limits
from cases.amounts import LineData, line_totals, purchase_totals
from cases.budget import imputation_clashes
from cases.forms import (
    SUPPLIER_RESULTS,
    VAT_RATES,
    ImputationChoiceField,
    ImputationRows,
    TiersChoiceField,
    list_search_results,
)
from cases.models import BudgetImputation, ImputationAxis, Tiers
from common.forms_rendering import DSFR_RENDERER
from documents.forms import UploadField
from documents.models import AttachmentKind
from documents.validation import check_case_upload


class PurchaseObjectForm(DsfrBaseForm):
    subject = forms.CharField(
        label=_("Objet de la demande"), max_length=200,
        help_text=_("Ce qui est acheté et pourquoi, en une phrase (ex. « Renouvellement de 12 "
                    "postes de travail »)."),
    )
    description = forms.CharField(label=_("Description du besoin"), required=False,
                                  max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    financial_centre = ImputationChoiceField(label=_("Centre financier"), queryset=None)
    cost_centre = ImputationChoiceField(label=_("Centre de coûts"), queryset=None)
    activity = ImputationChoiceField(label=_("Activité"), queryset=None)
    funds = ImputationChoiceField(label=_("Fonds de concours"), queryset=None, required=False)
    market_reference = forms.CharField(label=_("Référence du marché"), required=False,
                                       max_length=100,
                                       help_text=_("Si l'achat s'appuie sur un marché existant."))
    delivery_address = forms.CharField(
        label=_("Adresse de livraison"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Imprimée sur le bon de commande. Par défaut, l'adresse de votre service."),
        error_messages={"required": _("Indiquez l'adresse de livraison.")},
    )

    def __init__(self, *args, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        if service is not None and not self.is_bound and not self.initial.get("delivery_address"):
            self.initial["delivery_address"] = service.address
        imputations = BudgetImputation.objects.filter(service=service, active=True)
        # The four lists (and the checks of the posted keys) from one query.
        rows = ImputationRows(imputations.order_by("axis", "code"))
        for name in ("financial_centre", "cost_centre", "activity", "funds"):
            self.fields[name].queryset = imputations.filter(axis=ImputationAxis(name))
            self.fields[name].rows = rows.of(ImputationAxis(name))
            self.fields[name].empty_label = _("— Choisir —")
            self.fields[name].error_messages["invalid_choice"] = _(
                "Choisissez une valeur du référentiel de votre service.")
        for name in ("financial_centre", "cost_centre", "activity"):
            self.fields[name].error_messages["required"] = _(
                "Cette imputation budgétaire est obligatoire.")
        self.service = service

    def clean(self):
        cleaned = super().clean()
        # The same rule as the filling service's (cases.budget), shown beside the field.
        axes = ("financial_centre", "cost_centre", "activity", "funds")
        if self.service is not None and not any(name in self.errors for name in axes):
            for clash in imputation_clashes(self.service,
                                            **{name: cleaned.get(name) for name in axes}):
                self.add_error(clash.field, clash.message)
        return cleaned


class SupplierForm(DsfrBaseForm):
    tiers = TiersChoiceField(
        label=_("Fournisseur"), queryset=Tiers.objects.none(), widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez le fournisseur dans l'annuaire des tiers."),
            "invalid_choice": _("Ce fournisseur n'existe pas ou n'est plus actif."),
        },
    )

    def __init__(self, *args, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        list_search_results(self, "tiers", search)
        self.fields["tiers"].help_text = _(
            "Les %(n)s premiers résultats sont affichés : affinez la recherche si le "
            "fournisseur n'y figure pas.") % {"n": SUPPLIER_RESULTS}


class LineForm(DsfrBaseForm):
    label = forms.CharField(label=_("Libellé"), max_length=300)
    # localize: "2,5" as French users type it (and "2.5" still works).
    # The bounds are cases.limits' validators (one message each, no digit count on top).
    quantity = forms.DecimalField(
        label=_("Quantité"), decimal_places=limits.QUANTITY_DECIMAL_PLACES,
        validators=limits.QUANTITY_VALIDATORS,
        localize=True, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit_price_ht = forms.DecimalField(
        label=_("Prix unitaire HT (€)"), decimal_places=limits.PRICE_DECIMAL_PLACES,
        validators=limits.UNIT_PRICE_VALIDATORS, localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    vat_rate = forms.TypedChoiceField(label=_("TVA"), choices=VAT_RATES, coerce=Decimal,
                                      initial=Decimal("20.00"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("quantity") is not None and cleaned.get("unit_price_ht") is not None:
            line = LineData(label="", quantity=cleaned["quantity"],
                            unit_price_ht=cleaned["unit_price_ht"], vat_rate=Decimal("0"))
            try:
                limits.validate_line_total(line_totals(line).ht)
            except ValidationError as exc:
                self.add_error("unit_price_ht", exc)
        return cleaned

    def has_changed(self):
        # A blank line keeps its default VAT rate: it is still a blank line, not an error.
        return any(self[name].value() not in (None, "") for name in
                   ("label", "quantity", "unit_price_ht"))


class BaseLineFormSet(forms.BaseFormSet):
    # A formset hands its renderer to its forms: the lines draw with DSFR templates too.
    default_renderer = DSFR_RENDERER
    default_error_messages = {
        "too_few_forms": _("Ajoutez au moins une ligne de commande."),
        "too_many_forms": limits.bounded_message(
            _("Une demande ne peut pas dépasser %(max)s lignes."), max=limits.MAX_LINES),
    }

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        lines = [LineData(**row) for row in line_formset_rows(self)]
        limits.validate_request_total(purchase_totals(lines).ttc)


def line_formset_rows(formset) -> list[dict]:
    """The filled, not deleted lines of a validated formset."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


LineFormSet = formset_factory(
    LineForm, formset=BaseLineFormSet, extra=2, min_num=limits.MIN_LINES, validate_min=True,
    max_num=limits.MAX_LINES, validate_max=True, can_delete=True,
)


class AttachmentsForm(DsfrBaseForm):
    # Which of them are required depends on the request (the catalogue page may require more
    # than the quote): set in __init__, so that the labels say it too.
    quote = UploadField(label=_("Devis du fournisseur"), required=False)
    price_schedule = UploadField(label=_("Bordereau de prix unitaires (BPU)"), required=False)
    market = UploadField(label=_("Pièce du marché"), required=False)
    other = UploadField(label=_("Autre pièce"), required=False)

    MISSING = {"quote": _("Joignez le devis du fournisseur.")}
    KINDS = {
        "quote": AttachmentKind.QUOTE,
        "price_schedule": AttachmentKind.PRICE_SCHEDULE,
        "market": AttachmentKind.MARKET,
        "other": AttachmentKind.OTHER,
    }

    def __init__(self, *args, case=None, required_kinds=("quote",), **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        # The quote is always required; the catalogue page may require other kinds.
        self.required_kinds = {AttachmentKind.QUOTE, *required_kinds}
        on_record = {}
        for attachment in (case.attachments.all() if case is not None else []):
            on_record.setdefault(attachment.kind, attachment)
        for name, kind in self.KINDS.items():
            field = self.fields[name]
            field.required = kind in self.required_kinds
            field.error_messages["required"] = self.MISSING.get(
                name, _("Cette pièce est obligatoire."))
            if kind in on_record:
                # A resumed draft: the piece on record fulfils the requirement.
                field.satisfied_by(on_record[kind], lead=_(
                    "Déjà jointe : « %(name)s » (voir ci-dessus). Vous pouvez en joindre une "
                    "autre.") % {"name": on_record[kind].original_name})
        # DsfrBaseForm made the bound fields (and their help texts) before the changes above.
        self._bound_fields_cache.clear()
        self._seen_sha256: dict[str, str] = {}

    def _clean_upload(self, name):
        uploaded = self.cleaned_data.get(name)
        if uploaded:
            checked = check_case_upload(uploaded, self.case)
            if checked.sha256 in self._seen_sha256:
                raise forms.ValidationError(
                    _("Ce fichier est le même que celui du champ « %(field)s »."),
                    params={"field": self._seen_sha256[checked.sha256]}, code="duplicate")
            self._seen_sha256[checked.sha256] = self.fields[name].label
        return uploaded

    def clean_quote(self):
        return self._clean_upload("quote")

    def clean_price_schedule(self):
        return self._clean_upload("price_schedule")

    def clean_market(self):
        return self._clean_upload("market")

    def clean_other(self):
        return self._clean_upload("other")

    def valid_uploads(self) -> list[tuple[str, str, object]]:
        """(field key, kind, file) for every upload that passed its checks, even if others
        failed."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [(self.add_prefix(name), self.KINDS[name], self.cleaned_data[name])
                for name in self.KINDS
                if name not in self.errors and self.cleaned_data.get(name)]


class SummaryForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label=_("Je certifie que les crédits (AE et CP) sont disponibles et que les "
                "informations saisies sont exactes."),
        error_messages={"required": _("Cochez cette case pour déposer la demande.")},
    )


# --- case actions -----------------------------------------------------------------------------
