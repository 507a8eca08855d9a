"""Queue filters (django-filter). The base queryset always comes from cases.selectors."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from documents.selectors import without_order_form
from portal.models import Service
from portal.selectors import centres_of

from .models import CaseKind
from .selectors import QUEUE_STATES, overdue_cases
from .workflow import OPEN_STATES, State

OPEN, ALL = "open", "all"
SORTS = {
    "due_at": ("due_at", "pk"),
    "-submitted_at": ("-submitted_at", "-pk"),
    "-amount": ("-amount", "pk"),
    "reference": ("reference",),
}


class QueueFilterForm(DsfrBaseForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = "cases/_filter_field.html"


class CaseQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Recherche"), method="filter_text",
                                  help_text=_("Référence, objet ou fournisseur"))
    state = django_filters.ChoiceFilter(
        label=_("État"), empty_label=None, method="filter_state",
        choices=[(OPEN, _("Dossiers en cours")), (ALL, _("Tous les dossiers"))]
        + [(s, State(s).label) for s in QUEUE_STATES],
    )
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=CaseKind.choices,
                                       empty_label=_("Tous les types"))
    requesting_service = django_filters.ModelChoiceFilter(
        label=_("Service prescripteur"), queryset=Service.objects.none(),
        empty_label=_("Tous les services"),
    )
    mine = django_filters.BooleanFilter(label=_("Mes dossiers"), method="filter_mine",
                                        widget=forms.CheckboxInput)
    overdue = django_filters.BooleanFilter(label=_("En retard"), method="filter_overdue",
                                           widget=forms.CheckboxInput)
    penalties = django_filters.BooleanFilter(label=_("Pénalités de retard"),
                                             method="filter_penalties",
                                             widget=forms.CheckboxInput)
    to_sign = django_filters.BooleanFilter(label=_("Bons de commande à signer"),
                                           method="filter_to_sign", widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"), method="filter_sort", empty_label=None,
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
        self.filters["requesting_service"].queryset = Service.objects.filter(
            processing_centre__in=centres_of(user)).order_by("code")

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

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assigned_to=self.user) if value else queryset

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return overdue_cases(queryset)

    def filter_penalties(self, queryset, name, value):
        # Service-done statements the supplier was late for: the centre applies penalties.
        return queryset.filter(service_done__penalties=True) if value else queryset

    def filter_to_sign(self, queryset, name, value):
        return without_order_form(queryset) if value else queryset

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["due_at"]))
