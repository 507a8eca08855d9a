"""Queue filters (django-filter). The base queryset always comes from cases.selectors."""

from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from common.fields import ListedModelChoiceField
from common.widgets import LeanSelect
from documents.selectors import without_order_form
from portal.models import Service
from portal.selectors import (
    agent_group_ids_of,
    centre_agent_groups,
    centre_members,
    centres_of,
    services_served_by,
)

from . import kinds
from .forms import AmountField
from .selectors import overdue_cases
from .workflow import OPEN_STATES, QUEUE_STATES, State

OPEN, ALL = "open", "all"
GENERAL_QUEUE = "general"  # the agent-group filter's « File générale »: cases of no group


class AmountFilter(django_filters.NumberFilter):
    field_class = AmountField
SORTS = {
    "due_at": ("due_at", "pk"),
    "-submitted_at": ("-submitted_at", "-pk"),
    "-amount": ("-amount", "pk"),
    "reference": ("reference",),
}


# The queue's tabs, each a view of the queue given by its state and flags (the other filters
# refine it), with the count of selectors.queue_counts() it shows. The first is the default
# view: the queue's own address shows it.
TAB_FLAGS = ("mine", "my_groups", "overdue", "penalties", "to_sign")
QUEUE_TABS = (
    ("open", {"state": OPEN}),
    ("to_process", {"state": State.SUBMITTED}),
    ("mine", {"state": OPEN, "mine": True}),
    ("my_groups", {"state": OPEN, "my_groups": True}),
    ("waiting_sp", {"state": State.INFO_REQUESTED}),
    ("overdue", {"state": OPEN, "overdue": True}),
    ("awaiting_cst", {"state": State.AWAITING_CST}),
    ("penalties", {"state": OPEN, "penalties": True}),
    ("to_sign", {"state": State.COMPLETED, "to_sign": True}),
    ("all", {"state": ALL}),
)
# Filters folded behind « Plus de filtres »: the search, the state and the type stay in view.
FOLDED_FILTERS = ("requesting_service", "assigned_to", "agent_group", "due_from", "due_to",
                  "amount_min", "amount_max", "sort", *TAB_FLAGS)
TAB_LABELS = {
    "open": _("En cours"), "to_process": _("À traiter"), "mine": _("Mes dossiers"),
    "my_groups": _("Mes groupes"),
    "waiting_sp": _("En attente du service"), "overdue": _("En retard"),
    "awaiting_cst": _("En attente de la CST"), "penalties": _("Pénalités de retard"),
    "to_sign": _("À signer"), "all": _("Tous"),
}


def tab_queries() -> dict[str, str]:
    """Each tab's query string, by key. The default view's link is the queue's own address;
    the others name their view the way the filter form would (the flags' checkboxes send
    "true")."""
    return {key: "" if key == "open" else "?" + urlencode(
        {name: "true" if value is True else value for name, value in params.items()
         if not (name == "state" and value == OPEN)})
        for key, params in QUEUE_TABS}


def queue_tabs(case_filter: "CaseQueueFilter", counts: dict) -> list[dict]:
    """The tabs as the page draws them: label, link, count (None: not counted), current.
    « Mes groupes » only for members of a group (or when it is the view asked for)."""
    current = case_filter.current_tab()
    return [{"key": key, "label": TAB_LABELS[key], "query": query, "count": counts.get(key),
             "current": key == current} for key, query in tab_queries().items()
            if key != "my_groups" or "my_groups" in counts or current == key]


class QueueFilterForm(DsfrBaseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = "cases/_filter_field.html"
        for name in ("amount_min", "amount_max"):
            self.fields[name].error_messages.update({
                "invalid": _("Saisissez un montant (ex. 1 500,00)."),
                "min_value": _("Un montant est positif."),
                "max_digits": _("Ce montant est trop grand."),
                "max_decimal_places": _("Au plus 2 décimales."),
            })
        for name in ("due_from", "due_to"):
            self.fields[name].error_messages["invalid"] = _("Saisissez une date valide.")
        self.fields["agent_group"].error_messages["invalid_choice"] = _(
            "Choisissez un groupe de votre centre ou la file générale.")
        self.fields["assigned_to"].label_from_instance = (
            lambda user: user.get_full_name() or user.get_username())

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("due_from") and cleaned.get("due_to")
                and cleaned["due_from"] > cleaned["due_to"]):
            self.add_error("due_to", _("La fin de la période précède son début."))
        if (cleaned.get("amount_min") is not None and cleaned.get("amount_max") is not None
                and cleaned["amount_min"] > cleaned["amount_max"]):
            self.add_error("amount_max", _("Le maximum est inférieur au minimum."))
        return cleaned


class ShortModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ListedModelChoiceField


class CaseQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="filter_text",
                                  help_text=_("Référence, objet ou fournisseur"))
    state = django_filters.ChoiceFilter(
        label=_("État"), empty_label=None, method="filter_state", widget=LeanSelect,
        choices=[(OPEN, _("En cours")), (ALL, _("Tous"))]
        + [(s, State(s).label) for s in QUEUE_STATES],
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=kinds.choices,
                                       empty_label=_("Tous les types"), widget=LeanSelect)
    requesting_service = ShortModelChoiceFilter(
        label=_("Service prescripteur"), queryset=Service.objects.none(),
        empty_label=_("Tous les services"), widget=LeanSelect,
    )
    assigned_to = ShortModelChoiceFilter(
        label=_("Agent"), queryset=None, empty_label=_("Tous les agents"),
        method="filter_assigned_to", widget=LeanSelect)
    due_from = django_filters.DateFilter(
        label=_("Échéance du"), field_name="due_at", lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    due_to = django_filters.DateFilter(
        label=_("au"), field_name="due_at", lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    amount_min = AmountFilter(
        label=_("Montant TTC minimum (€)"), field_name="amount", lookup_expr="gte",
        min_value=0, max_digits=14, decimal_places=2, localize=True)
    amount_max = AmountFilter(
        label=_("Montant TTC maximum (€)"), field_name="amount", lookup_expr="lte",
        min_value=0, max_digits=14, decimal_places=2, localize=True)
    agent_group = django_filters.ChoiceFilter(
        label=_("Groupe"), method="filter_agent_group", empty_label=_("Tous les groupes"),
        choices=[(GENERAL_QUEUE, _("File générale"))], widget=LeanSelect)
    mine = django_filters.BooleanFilter(label=_("Mes dossiers"), method="filter_mine",
                                        widget=forms.CheckboxInput)
    my_groups = django_filters.BooleanFilter(label=_("Mes groupes"), method="filter_my_groups",
                                             widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(label=_("En retard"), method="filter_overdue",
                                           widget=forms.CheckboxInput)
    penalties = django_filters.BooleanFilter(label=_("Pénalités de retard"),
                                             method="filter_penalties",
                                             widget=forms.CheckboxInput)
    mission = django_filters.BooleanFilter(label=_("Passés par la mission des achats"),
                                           method="filter_mission", widget=forms.CheckboxInput)
    to_sign = django_filters.BooleanFilter(label=_("Bons de commande à signer"),
                                           method="filter_to_sign", widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"), method="filter_sort", empty_label=None, widget=LeanSelect,
        choices=[("due_at", _("Échéance la plus proche")),
                 ("-submitted_at", _("Dépôt le plus récent")),
                 ("-amount", _("Montant décroissant")),
                 ("reference", _("Référence"))],
    )

    class Meta:
        form = QueueFilterForm

    def __init__(self, data=None, *args, user=None, **kwargs):
        data = data.copy() if data is not None else None
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["requesting_service"].queryset = services_served_by(
            centres_of(user)).order_by("code")
        self.filters["assigned_to"].queryset = centre_members(user)
        self.filters["agent_group"].extra["choices"] = self._group_choices()

    def _group_choices(self) -> list[tuple[str, str]]:
        """« File générale », then the groups of the user's centres (named with their centre's
        code when the user works for several)."""
        groups = centre_agent_groups(self.user)
        several = len({group.centre_id for group in groups}) > 1
        return [(GENERAL_QUEUE, _("File générale"))] + [
            (str(group.pk), str(group) if several else group.name) for group in groups]

    def lists_every_open_case(self) -> bool:
        """True when the filters keep every open case of the queue (the default view): its
        number is then the open tab's count."""
        if not self.is_valid():
            return False
        narrowing = {name: value for name, value in self.form.cleaned_data.items()
                     if name != "sort" and value not in (None, "", False)}
        return narrowing == {"state": OPEN}

    def folded(self) -> dict:
        """What the folded filters hold: how many narrow the list (the disclosure says so,
        closed) and whether one is in error (then it opens, the error must be seen)."""
        self.is_valid()
        cleaned = getattr(self.form, "cleaned_data", {})
        active = sum(1 for name in FOLDED_FILTERS
                     if cleaned.get(name) not in (None, "", False)
                     and not (name == "sort" and cleaned[name] == "due_at"))
        return {"active": active,
                "errors": any(name in self.form.errors for name in FOLDED_FILTERS)}

    def current_tab(self) -> str | None:
        """The tab whose view the filters show (`QUEUE_TABS`), refinements aside: a search or
        a type chosen inside « À traiter » is still that tab. None for a view no tab gives."""
        self.is_valid()  # cleans the form once; its valid fields are kept even if others fail
        cleaned = getattr(self.form, "cleaned_data", {})
        if "state" in self.form.errors:
            return None
        view = {"state": cleaned.get("state") or OPEN}
        view.update({flag: True for flag in TAB_FLAGS if cleaned.get(flag)})
        return next((key for key, params in QUEUE_TABS if params == view), None)

    def filter_state(self, queryset, name, value):
        if value == ALL:
            return queryset
        if value == OPEN:
            return queryset.filter(state__in=OPEN_STATES)
        return queryset.filter(state=value)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(subject__icontains=value)
                               | Q(purchase_request__tiers__name__icontains=value)
                               | Q(tiers_request__name__icontains=value)
                               | Q(tiers_request__siret__startswith=value.replace(" ", "")))

    def filter_assigned_to(self, queryset, name, value):
        return queryset.filter(assigned_to=value) if value else queryset

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assigned_to=self.user) if value else queryset

    def filter_my_groups(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(agent_group_id__in=agent_group_ids_of(self.user))

    def filter_agent_group(self, queryset, name, value):
        if not value:
            return queryset
        if value == GENERAL_QUEUE:
            return queryset.filter(agent_group__isnull=True)
        # One of the choices (the form refused any other): a group of the user's centres.
        return queryset.filter(agent_group_id=int(value))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return overdue_cases(queryset)

    def filter_penalties(self, queryset, name, value):
        # Cases whose kind calls for penalties (a service-done statement the supplier was
        # late for: the centre applies penalties).
        return queryset.filter(kinds.queue_filter("penalties")) if value else queryset

    def filter_mission(self, queryset, name, value):
        # Cases whose kind went through the purchasing mission's circuit.
        return queryset.filter(kinds.queue_filter("mission")) if value else queryset

    def filter_to_sign(self, queryset, name, value):
        return without_order_form(queryset) if value else queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["due_at"]))
