"""Steps of the tiers request wizard. Each step checks its own fields with the identity rules
of `identity.clean_identity` applied to everything typed so far, so the rules live in one
place and a step only shows the errors of its own fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from dsfr.forms import DsfrBaseForm

from cases.forms import SUPPLIER_RESULTS, TiersChoiceField, list_search_results
from cases.models import Tiers, TiersCategory
from documents.forms import UploadField
from documents.validation import check_case_upload

from .identity import FRANCE, NAMED_CATEGORIES, SIRET_CATEGORIES, clean_identity
from .models import TiersOperation


class IdentityStepForm(DsfrBaseForm):
    """A step whose fields are part of the supplier identity (`previous`: the identity
    typed at the earlier steps)."""

    def __init__(self, *args, previous: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.previous = previous or {}

    def identity(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in self.fields
                if name not in ("operation", "tiers", "rib")}

    def clean(self):
        cleaned = super().clean()
        mine = set(self.fields)
        try:
            clean_identity({**self.previous, **self.identity()})
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field in mine and field not in self.errors:
                    self.add_error(field, messages[0])
        return cleaned


class NatureForm(IdentityStepForm):
    operation = forms.ChoiceField(
        label=_("Votre demande"), choices=TiersOperation.choices, widget=forms.RadioSelect,
        initial=TiersOperation.CREATION,
        error_messages={"required": _("Indiquez s'il s'agit d'une création ou d'une "
                                      "modification.")})
    tiers = TiersChoiceField(
        label=_("Tiers à modifier"), queryset=Tiers.objects.none(), widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Ce tiers n'existe pas ou n'est plus actif.")})
    category = forms.ChoiceField(
        label=_("Catégorie du tiers"), choices=TiersCategory.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la catégorie du tiers.")},
        help_text=_("Elle détermine l'identifiant demandé : SIRET pour une entreprise ou un "
                    "organisme public, NIR pour un particulier ou un agent, n° de TVA ou "
                    "identifiant national pour un fournisseur étranger."))

    def __init__(self, *args, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        list_search_results(self, "tiers", search)
        self.fields["tiers"].help_text = _(
            "Pour une modification : recherchez le tiers ci-dessus (nom, SIRET, commune). Les "
            "%(n)s premiers résultats sont affichés.") % {"n": SUPPLIER_RESULTS}

    def identity(self) -> dict:
        return {"category": self.cleaned_data.get("category", "")}

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("operation") == TiersOperation.MODIFICATION and not cleaned.get("tiers")
                and "tiers" not in self.errors):
            self.add_error("tiers", _("Choisissez le tiers à modifier."))
        return cleaned


class IdentityForm(IdentityStepForm):
    name = forms.CharField(label=_("Raison sociale"), max_length=200,
                           help_text=_("Telle qu'elle figure au registre (Kbis, avis Sirene)."))
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    siret = forms.CharField(label=_("SIRET"), max_length=20,
                            help_text=_("14 chiffres ; les 9 premiers forment le SIREN."),
                            widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                          "autocomplete": "off"}))
    vat_number = forms.CharField(label=_("Numéro de TVA intracommunautaire"), max_length=20,
                                 help_text=_("Code pays puis numéro (ex. DE136695976)."))
    nir = forms.CharField(label=_("Numéro de sécurité sociale (NIR)"), max_length=21,
                          help_text=_("15 caractères, clé comprise (2A ou 2B pour la Corse)."),
                          widget=forms.TextInput(attrs={"autocomplete": "off"}))
    country = forms.ChoiceField(label=_("Pays du fournisseur"), choices=())
    foreign_identifier = forms.CharField(
        label=_("Identifiant national"), max_length=40,
        help_text=_("Hors Union européenne : numéro d'entreprise ou d'enregistrement dans son "
                    "pays."))

    def __init__(self, *args, category: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"name"}
        if category in NAMED_CATEGORIES:
            keep = {"last_name", "first_name", "nir"}
        elif category in SIRET_CATEGORIES:
            keep = {"name", "siret", "vat_number"}
            self.fields["vat_number"].required = False
            self.fields["vat_number"].help_text = _("Facultatif pour une entreprise française.")
        elif category == TiersCategory.FOREIGN:
            keep = {"name", "country", "vat_number", "foreign_identifier"}
            # Which of the two is required depends on the country: the identity rules say.
            self.fields["vat_number"].required = False
            self.fields["foreign_identifier"].required = False
            self.fields["vat_number"].help_text = _(
                "Obligatoire pour un fournisseur de l'Union européenne (ex. DE136695976).")
            self.fields["country"].choices = [("", _("— Choisir —"))] + [
                (code, name) for code, name in countries if code != FRANCE]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.category = category

    def identity(self) -> dict:
        values = super().identity()
        values["category"] = self.category
        return values


class AddressForm(IdentityStepForm):
    address = forms.CharField(label=_("Adresse (numéro et voie)"), max_length=300)
    postcode = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=_("Commune"), max_length=100)
    email = forms.EmailField(
        label=_("Courriel de contact du tiers"), max_length=254,
        error_messages={"invalid": _("Saisissez une adresse électronique valide "
                                     "(nom@domaine.fr).")})

    def __init__(self, *args, country: str = FRANCE, **kwargs):
        super().__init__(*args, **kwargs)
        if country == FRANCE:
            self.fields["postcode"].required = True
            self.fields["postcode"].widget.attrs["inputmode"] = "numeric"
            self.fields["postcode"].help_text = _("5 chiffres ; il doit correspondre à la "
                                                  "commune.")


class BankForm(IdentityStepForm):
    iban = forms.CharField(label=_("IBAN"), max_length=42,
                           help_text=_("Tel qu'il figure sur le RIB, espaces permis."),
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    bic = forms.CharField(label=_("BIC"), max_length=11,
                          help_text=_("8 ou 11 caractères ; la banque doit être du pays de "
                                      "l'IBAN."))
    rib = UploadField(label=_("Relevé d'identité bancaire (RIB)"),
                      error_messages={"required": _("Joignez le RIB du tiers.")})

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        rib = case.attachments.filter(kind="rib").first() if case is not None else None
        if rib is not None:
            # A resumed draft: the RIB on record fulfils the requirement.
            self.fields["rib"].satisfied_by(rib, lead=_(
                "Un RIB est déjà joint : « %(name)s ». N'en déposez un autre que pour le "
                "remplacer.") % {"name": rib.original_name})
            # DsfrBaseForm made the bound fields (and their help texts) before this.
            self._bound_fields_cache.clear()

    def clean_rib(self):
        uploaded = self.cleaned_data.get("rib")
        if uploaded:
            check_case_upload(uploaded, self.case)
        return uploaded


class TiersSummaryForm(DsfrBaseForm):
    confirm = forms.BooleanField(
        label=_("Je certifie que les informations saisies sont exactes et conformes aux "
                "pièces jointes."),
        error_messages={"required": _("Cochez cette case pour déposer la demande.")})
