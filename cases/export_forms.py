"""The export chooser: which catalogue form, which columns, how repetitions are written."""

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from forms_catalog.models import ProcedureFormPage

from . import export_columns
from .models import ExportTemplate

FORMATS = [("csv", "CSV"), ("xlsx", "XLSX")]


def grouped_choices(columns: list[export_columns.Column]) -> list:
    groups: dict[str, list] = {}
    for column in columns:
        groups.setdefault(column.group, []).append((column.key, column.label))
    return list(groups.items())


class ExportChoiceForm(DsfrBaseForm):
    procedure = forms.ModelChoiceField(
        label=_("Formulaire du catalogue"), required=False,
        queryset=ProcedureFormPage.objects.none(),
        empty_label=_("Tous les dossiers (sans les champs d'un formulaire)"),
        help_text=_("Choisir un formulaire n'exporte que ses dossiers et propose ses champs "
                    "(et ses annotations privées) comme colonnes."))
    columns = forms.MultipleChoiceField(
        label=_("Colonnes"), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une colonne."),
                        "invalid_choice": _("La colonne « %(value)s » n'est pas proposée "
                                            "pour ce choix de formulaire.")})
    repetition = forms.ChoiceField(
        label=_("Blocs répétés"), choices=ExportTemplate.Repetition.choices,
        initial=ExportTemplate.Repetition.JOIN, widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choisissez comment écrire les répétitions.")})
    fmt = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="csv",
                            widget=forms.RadioSelect,
                            error_messages={"invalid_choice": _("Choisissez CSV ou XLSX.")})
    name = forms.CharField(label=_("Nom du modèle"), required=False, max_length=100,
                           help_text=_("Pour enregistrer ce choix de colonnes et le "
                                       "réutiliser."))

    def __init__(self, *args, user, scope: str, procedures, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.scope = user, scope
        self.fields["procedure"].queryset = procedures
        self.fields["procedure"].error_messages["invalid_choice"] = _(
            "Ce formulaire n'existe pas ou n'est plus publié.")
        self.fields["columns"].choices = grouped_choices(
            export_columns.available(user=user, scope=scope, procedure=self.chosen_procedure()))

    def chosen_procedure(self):
        """The form chosen in the submitted data (valid or not yet validated), else the
        initial one: its fields are offered as columns."""
        field = self.fields["procedure"]
        raw = self.data.get(self.add_prefix("procedure")) if self.is_bound else None
        if raw in (None, ""):
            return None if self.is_bound else self.initial.get("procedure")
        try:
            return field.clean(raw)
        except forms.ValidationError:
            return None

    def chosen_columns(self) -> list[export_columns.Column]:
        return export_columns.resolve(self.cleaned_data["columns"], user=self.user,
                                      scope=self.scope,
                                      procedure=self.cleaned_data["procedure"])
