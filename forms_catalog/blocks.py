"""The fields an editor can put in a catalogue form, as StreamField blocks.

Every input block has a label, a help text and a "required" flag, and may be shown only
when an earlier yes/no or choice field has a given value. A block's StreamField id is the
key its answer is stored under: relabelling or reordering fields never mixes up answers.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class InputBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Libellé"), max_length=200)
    help_text = blocks.CharBlock(label=_("Aide"), required=False, max_length=500)
    required = blocks.BooleanBlock(label=_("Obligatoire"), required=False, default=True)
    show_if_field = blocks.CharBlock(
        label=_("Afficher seulement si le champ…"), required=False, max_length=200,
        help_text=_("Libellé exact d'un champ oui/non ou à choix placé avant celui-ci."))
    show_if_value = blocks.CharBlock(
        label=_("…a pour valeur"), required=False, max_length=200,
        help_text=_("« oui », « non » ou l'un des choix proposés."))

    class Meta:
        icon = "form"


class ChoiceInputBlock(InputBlock):
    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choix"), max_length=200),
                               label=_("Choix proposés"), min_num=1)


class SectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=200)

    class Meta:
        icon = "title"
        label = _("Titre de section")


class ExplanationBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Texte"))

    class Meta:
        icon = "help"
        label = _("Explication")


class StepBreakBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre de l'étape suivante"), max_length=100)

    class Meta:
        icon = "arrow-right"
        label = _("Nouvelle étape")


def _input(label, icon="form"):
    return InputBlock(label=label, icon=icon)


class FieldStream(blocks.StreamBlock):
    text = _input(_("Texte court"))
    long_text = _input(_("Texte long"), "pilcrow")
    integer = _input(_("Nombre entier"), "order")
    decimal = _input(_("Nombre décimal"), "order")
    amount = _input(_("Montant en euros"), "order")
    date = _input(_("Date"), "date")
    choice = ChoiceInputBlock(label=_("Choix unique"), icon="list-ul")
    multiple_choice = ChoiceInputBlock(label=_("Choix multiples"), icon="list-ul")
    yes_no = _input(_("Oui / non"), "tick")
    email = _input(_("Adresse électronique"), "mail")
    phone = _input(_("Téléphone"), "mobile-alt")
    siret = _input(_("SIRET"), "site")
    iban = _input(_("IBAN"), "cog")
    file = _input(_("Fichier"), "doc-full")
    section = SectionBlock()
    explanation = ExplanationBlock()
    step_break = StepBreakBlock()
