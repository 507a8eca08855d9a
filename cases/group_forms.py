"""Forms of a centre head's pages on the centre's agent groups (cases/group_views.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from portal.models import AgentGroup
from portal.selectors import centre_agents

from .forms import PkMultipleChoiceField, as_pk

NAME_MESSAGES = {"required": _("Donnez un nom au groupe."),
                 "max_length": _("Le nom tient en %(limit_value)d caractères au plus.")}


class AgentGroupCreateForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom du nouveau groupe"), max_length=AgentGroup.NAME_MAX,
                           error_messages=NAME_MESSAGES,
                           help_text=_("Par exemple « Achats informatiques »."))
    centre = forms.TypedChoiceField(
        label=_("Centre"), coerce=int,
        error_messages={"invalid_choice": _("Choisissez un centre dont vous êtes responsable."),
                        "required": _("Choisissez le centre du groupe.")})

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.centres = {centre.pk: centre for centre in centres}
        self.fields["centre"].choices = [(pk, str(c)) for pk, c in self.centres.items()]
        if len(self.centres) == 1:  # the only choice: not asked
            self.fields["centre"].widget = forms.HiddenInput()
            self.fields["centre"].initial = next(iter(self.centres))

    def clean_centre(self):
        value = self.cleaned_data["centre"]
        if as_pk(value) is None or value not in self.centres:
            raise forms.ValidationError(self.fields["centre"].error_messages["invalid_choice"])
        return self.centres[value]


class AgentGroupForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom du groupe"), max_length=AgentGroup.NAME_MAX,
                           error_messages=NAME_MESSAGES)
    members = PkMultipleChoiceField(
        label=_("Membres"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Les agents qui traitent les dossiers orientés vers ce groupe."),
        error_messages={"invalid_choice": _("Cette personne n'est pas agent du centre."),
                        "invalid_pk_value": _("Cette personne n'est pas agent du centre.")})

    def __init__(self, *args, group: AgentGroup, **kwargs):
        kwargs.setdefault("initial", {"name": group.name,
                                      "members": list(group.members.values_list("pk",
                                                                               flat=True))})
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = centre_agents(group.centre)
        self.fields["members"].label_from_instance = (
            lambda user: user.get_full_name() or user.get_username())
