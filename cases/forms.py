"""Forms of the purchase-request wizard and of the case actions. They validate input and
show French messages next to the fields; writes go through cases.services."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from common.fields import ListedModelChoiceField
from common.forms_rendering import DSFR_RENDERER
from common.widgets import LeanSelect
from documents.forms import UploadField
from documents.models import AttachmentKind
from documents.validation import check_case_upload
from portal.selectors import centre_agents, centre_members

from . import limits
from .budget import imputation_clashes
from .models import BudgetImputation, ImputationAxis, Tiers, ej_number_validator
from .services import required_message
from .workflow import Action

# The bounds of a request's lines, shared with the API and the filling service.
VAT_RATES = limits.VAT_RATE_CHOICES
MAX_AMOUNT = limits.MAX_AMOUNT


class AmountField(forms.DecimalField):
    """A decimal as people type it in French: "1 500,50", spaces (even non-breaking) ignored."""

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace("\u202f", "")
        return super().to_python(value)


def as_pk(value) -> int | None:
    """A posted primary key, or None when it is not one: not digits, or too long for a
    database integer (int() of 10,000 digits raises, a 30-digit one overflows SQLite)."""
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def checked_pk(field, value):
    """A choice field's posted key, refused as an unknown choice (not a database overflow)
    when it cannot be a key."""
    if value in field.empty_values:
        return value
    if as_pk(value) is None:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                              params={"value": value})
    return value


class PkChoiceField(ListedModelChoiceField):
    """A choice among rows listed in full on the page (imputations, agents, orders, Fiec),
    keyed by their primary key: read in one query and written without a template per option
    (common.fields, common.widgets)."""

    widget = LeanSelect

    def to_python(self, value):
        return super().to_python(checked_pk(self, value))


class PkMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            checked_pk(self, item)
        return super()._check_values(value)


class ImputationChoiceField(PkChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.label}"


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
        for name in ("financial_centre", "cost_centre", "activity", "funds"):
            self.fields[name].queryset = imputations.filter(axis=ImputationAxis(name))
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


class TiersChoiceField(forms.ModelChoiceField):
    """Shows a short list of suppliers, but accepts any active one of the directory."""

    def label_from_instance(self, obj):
        parts = [obj.name]
        if obj.siret:
            parts.append(f"SIRET {obj.siret}")
        if obj.city:
            parts.append(f"{obj.postcode} {obj.city}".strip())
        return " — ".join(parts)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = as_pk(value)
        tiers = Tiers.objects.filter(pk=pk, active=True).first() if pk is not None else None
        if tiers is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return tiers


SUPPLIER_RESULTS = 20


def search_tiers(query: str):
    tiers = Tiers.objects.filter(active=True)
    query = (query or "").strip()
    if query:
        compact = query.replace(" ", "")
        tiers = tiers.filter(Q(name__icontains=query) | Q(siret__startswith=compact)
                             | Q(city__icontains=query) | Q(chorus_code=compact))
    return tiers.order_by("name")


def list_search_results(form, name: str, search: str) -> None:
    """Only the search results (and the current choice) are listed, whatever the directory's
    size; validation looks the chosen record up in the whole directory."""
    shown = list(search_tiers(search).values_list("pk", flat=True)[:SUPPLIER_RESULTS])
    selected = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    if selected and as_pk(selected) is not None:
        shown.append(as_pk(selected))
    form.fields[name].queryset = Tiers.objects.filter(pk__in=shown).order_by("name")


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
            from .amounts import LineData, line_totals

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
        from .amounts import LineData, purchase_totals

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


class CaseActionForm(DsfrBaseForm):
    """Inputs of one workflow action; fields are kept according to the transition row."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    ej_number = forms.CharField(label=_("Numéro d'engagement juridique (EJ)"), max_length=10,
                                validators=[ej_number_validator],
                                help_text=_("10 chiffres, tel que saisi dans Chorus."))
    asset_number = forms.CharField(
        label=_("N° de la fiche immobilisation créée dans Chorus"), max_length=20)
    assignee = PkChoiceField(label=_("Agent"), queryset=None)
    comment = forms.CharField(
        label=_("Commentaire"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    LABELS = {
        "request_info": _("Question posée au service"),
        "answer": _("Votre réponse"),
        "reject": _("Motif du rejet"),
        "return": _("Motif du renvoi"),
        "cancel": _("Motif de l'annulation"),
        "send_to_cst": _("Commentaire pour la CST"),
        "cst_return": _("Motif du renvoi au centre"),
        "certify": _("Commentaire"),
    }

    def __init__(self, *args, transition, case, **kwargs):
        # Several action forms share the page: keep their ids distinct.
        kwargs.setdefault("auto_id", f"id_{transition.action.value}_%s")
        super().__init__(*args, **kwargs)
        wanted = set(transition.requires) | set(transition.accepts)
        for name in ("comment", "assignee", "ej_number", "asset_number"):
            if name not in wanted:
                del self.fields[name]
            elif name in transition.requires:
                # A missing input reads as the service says it (the row's message, or the
                # core's).
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = required_message(transition,
                                                                                name)
            else:
                self.fields[name].required = False
        if "comment" in self.fields:
            self.fields["comment"].label = self.LABELS.get(transition.action.value,
                                                         _("Commentaire"))
        if "assignee" in self.fields:
            self.fields["assignee"].queryset = centre_agents(case.processing_centre)
            self.fields["assignee"].label_from_instance = (
                lambda u: u.get_full_name() or u.get_username())
        self.fields["version"].initial = case.version
        # DsfrBaseForm cached bound fields (and their labels) before the changes above.
        self._bound_fields_cache.clear()
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)
        self.action = transition.action
        self.action_label = Action(transition.action).label


class BulkAssignForm(DsfrBaseForm):
    """The head's "assign the selection" form under the queue."""

    assignee = PkChoiceField(
        label=_("Attribuer la sélection à"), queryset=None,
        error_messages={"required": _("Choisissez l'agent à qui attribuer les dossiers."),
                        "invalid_choice": _("Cette personne n'est pas agent de votre centre.")})
    cases = forms.TypedMultipleChoiceField(
        coerce=int, choices=(), required=True,
        error_messages={"required": _("Cochez au moins un dossier à attribuer.")})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = centre_members(user)
        self.fields["assignee"].label_from_instance = (
            lambda u: u.get_full_name() or u.get_username())

    def full_clean(self):
        # Any integer ids are accepted here; the service keeps the ones the head may process.
        if self.is_bound:
            self.fields["cases"].choices = [(v, v) for v in self.data.getlist("cases")
                                            if str(v).isdigit()]
        super().full_clean()
