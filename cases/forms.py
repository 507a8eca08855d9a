"""Forms of the case actions and the fields the kinds' wizards share. They validate input
and show French messages next to the fields; writes go through cases.services."""


from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from common.fields import ListedModelChoiceField
from common.widgets import LeanSelect
from portal.selectors import centre_agents, centre_members

from . import limits
from .anomalies import case_typology
from .models import ProcurementRoute, Tiers, ej_number_validator
from .services import ANOMALY_UNKNOWN, required_message
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


class _RowsOrQueryset(ListedModelChoiceField.iterator):
    def __iter__(self):
        if self.field.rows is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows():
            yield self.choice(obj)


class ImputationChoiceField(PkChoiceField):
    """An imputation of one axis. The form may give `rows`, a callable returning the axis's
    choices from one read of the service's whole referential (ImputationRows): the list and
    the posted key are then checked against it, without a query per axis."""

    iterator = _RowsOrQueryset
    rows = None

    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.label}"

    def to_python(self, value):
        if self.rows is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        pk = as_pk(value)
        for row in self.rows() if pk is not None else ():
            if row.pk == pk:
                return row
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                              params={"value": value})


class ImputationRows:
    """The active imputations of a service, read in one query when first asked, then given
    by axis to the form's ImputationChoiceFields."""

    def __init__(self, queryset):
        self.queryset = queryset
        self._rows = None

    def of(self, axis: str):
        def rows():
            if self._rows is None:
                self._rows = list(self.queryset)
            return [row for row in self._rows if row.axis == axis]

        return rows


class TiersChoiceField(forms.ModelChoiceField):
    """Shows a short list of suppliers, but accepts any active one of the directory."""

    iterator = ListedModelChoiceField.iterator  # a short list: one plain query

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
    # A subquery, read only if the list is drawn: a posted choice is checked without it.
    listed = Q(pk__in=search_tiers(search).values("pk")[:SUPPLIER_RESULTS])
    selected = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    if selected and as_pk(selected) is not None:
        listed |= Q(pk=as_pk(selected))
    form.fields[name].queryset = Tiers.objects.filter(listed).order_by("name")


class CaseActionForm(DsfrBaseForm):
    """Inputs of one workflow action; fields are kept according to the transition row."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    ej_number = forms.CharField(label=_("Numéro d'engagement juridique (EJ)"), max_length=10,
                                validators=[ej_number_validator],
                                help_text=_("10 chiffres, tel que saisi dans Chorus."))
    asset_number = forms.CharField(
        label=_("N° de la fiche immobilisation créée dans Chorus"), max_length=20)
    procurement_route = forms.ChoiceField(label=_("Voie d'achat"),
                                          choices=ProcurementRoute.choices,
                                          widget=forms.RadioSelect)
    contract_reference = forms.CharField(
        label=_("Référence du marché existant"), max_length=100,
        help_text=_("Obligatoire pour un achat sur un marché existant."))
    visa_reference = forms.CharField(label=_("Référence du visa"), max_length=50)
    visa_date = forms.DateField(label=_("Date du visa"),
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                error_messages={"invalid": _("Date invalide (JJ/MM/AAAA).")})
    assignee = PkChoiceField(label=_("Agent"), queryset=None)
    # The case's typology (cases/anomalies.py); the service checks the choice again.
    anomaly = forms.ChoiceField(label=_("Type d'anomalie"), choices=())
    # Shown whenever the action takes an anomaly (no script to show it for « Autre » only).
    anomaly_text = forms.CharField(label=_("Précisez l'anomalie"), max_length=500)
    comment = forms.CharField(
        label=_("Commentaire"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    # The inputs a workflow row may name, in the order the form shows them.
    INPUTS = ("procurement_route", "contract_reference", "visa_reference", "visa_date",
              "anomaly", "anomaly_text", "comment", "assignee", "ej_number", "asset_number")

    LABELS = {
        "request_info": _("Question posée au service"),
        "answer": _("Votre réponse"),
        "reject": _("Motif du rejet"),
        "return": _("Motif du renvoi"),
        "cancel": _("Motif de l'annulation"),
        "send_to_cst": _("Commentaire pour la CST"),
        "cst_return": _("Motif du renvoi au centre"),
        "certify": _("Commentaire"),
        "visa_refuse": _("Motif du refus de visa"),
    }

    def __init__(self, *args, transition, case, **kwargs):
        # Several action forms share the page: keep their ids distinct.
        kwargs.setdefault("auto_id", f"id_{transition.action.value}_%s")
        super().__init__(*args, **kwargs)
        wanted = set(transition.requires) | set(transition.accepts)
        for name in self.INPUTS:
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
        if "anomaly" in self.fields:
            self._anomaly_fields(case)
        self.fields["version"].initial = case.version
        # DsfrBaseForm cached bound fields (and their labels) before the changes above.
        self._bound_fields_cache.clear()
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)
        self.action = transition.action
        self.action_label = Action(transition.action).label

    def inputs(self) -> dict:
        """The action's inputs, as the workflow service takes them."""
        return {name: self.cleaned_data.get(name) for name in self.INPUTS
                if name in self.fields}

    def _anomaly_fields(self, case) -> None:
        typology = case_typology(case)
        self.fields["anomaly"].choices = [("", _("Choisir un type"))] + [
            (kind.code, kind.label) for kind in typology]
        self.fields["anomaly"].error_messages["invalid_choice"] = ANOMALY_UNKNOWN
        with_text = [f"« {kind.label} »" for kind in typology if kind.needs_text]
        if "anomaly_text" in self.fields and with_text:
            self.fields["anomaly_text"].help_text = _(
                "Obligatoire pour le type %(types)s.") % {"types": ", ".join(with_text)}


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
