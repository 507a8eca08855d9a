"""The fields an editor can put in a catalogue form, as StreamField blocks.

Every input block has a label, a help text and a "required" flag, and may be shown only
when conditions on earlier fields hold (« Conditions d'affichage »: rules on a field named
by its label, combined with « et » or « ou »; the simple « Afficher seulement si… » pair of
the first forms still works and counts as one more rule). A block's StreamField id is the
key its answer is stored under: relabelling or reordering fields never mixes up answers.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .conditions import AND, COMBINE_LABELS, OPERATOR_LABELS
from .schema import MAX_FILES, MAX_ROWS


class RuleBlock(blocks.StructBlock):
    field = blocks.CharBlock(label=_("Champ"), max_length=200,
                             help_text=_("Libellé exact d'un champ placé avant celui-ci."))
    operator = blocks.ChoiceBlock(label=_("Condition"), choices=list(OPERATOR_LABELS.items()),
                                  default="equals")
    value = blocks.CharBlock(
        label=_("Valeur"), required=False, max_length=200,
        help_text=_("« oui », « non », l'un des choix, ou un nombre ; vide pour « est rempli » "
                    "et « n'est pas rempli »."))

    class Meta:
        icon = "cog"
        label = _("Règle")


class ConditionsBlock(blocks.StructBlock):
    combine = blocks.ChoiceBlock(label=_("Afficher le champ si"),
                                 choices=list(COMBINE_LABELS.items()), default=AND)
    rules = blocks.ListBlock(RuleBlock(), label=_("Règles"), default=[])

    class Meta:
        icon = "cog"
        label = _("Conditions d'affichage")
        collapsed = True


class SubFieldBlock(blocks.StructBlock):
    """A field of a repetition block: no condition, no nesting."""

    label = blocks.CharBlock(label=_("Libellé"), max_length=200)
    help_text = blocks.CharBlock(label=_("Aide"), required=False, max_length=500)
    required = blocks.BooleanBlock(label=_("Obligatoire"), required=False, default=True)

    class Meta:
        icon = "form"


class SubChoiceBlock(SubFieldBlock):
    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choix"), max_length=200),
                               label=_("Choix proposés"), min_num=1)


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
    conditions = ConditionsBlock(required=False)

    class Meta:
        icon = "form"


class ChoiceInputBlock(InputBlock):
    choices = blocks.ListBlock(blocks.CharBlock(label=_("Choix"), max_length=200),
                               label=_("Choix proposés"), min_num=1)


class BoundedNumberBlock(InputBlock):
    minimum = blocks.DecimalBlock(label=_("Minimum"), required=False, max_digits=18,
                                  decimal_places=6)
    maximum = blocks.DecimalBlock(label=_("Maximum"), required=False, max_digits=18,
                                  decimal_places=6)


class PatternTextBlock(InputBlock):
    pattern = blocks.CharBlock(
        label=_("Motif (expression régulière)"), max_length=200,
        help_text=_("La réponse entière doit correspondre, par exemple [A-Z]{2}[0-9]{6}."))
    pattern_message = blocks.CharBlock(
        label=_("Message si la réponse ne correspond pas"), max_length=200,
        help_text=_("Par exemple : deux lettres majuscules puis six chiffres."))


class DateRangeBlock(InputBlock):
    earliest_days = blocks.IntegerBlock(
        label=_("Au plus tôt (jours par rapport au jour de saisie)"), required=False,
        min_value=-36500, max_value=36500, help_text=_("Par exemple -30 : pas avant il y a "
                                                       "30 jours ; 0 : pas avant aujourd'hui."))
    latest_days = blocks.IntegerBlock(
        label=_("Au plus tard (jours par rapport au jour de saisie)"), required=False,
        min_value=-36500, max_value=36500, help_text=_("Par exemple 365 : pas après un an."))


class FilesBlock(InputBlock):
    max_files = blocks.IntegerBlock(label=_("Nombre maximal de fichiers"), default=3,
                                    min_value=1, max_value=MAX_FILES)


class RowFieldStream(blocks.StreamBlock):
    text = SubFieldBlock(label=_("Texte court"))
    long_text = SubFieldBlock(label=_("Texte long"), icon="pilcrow")
    integer = SubFieldBlock(label=_("Nombre entier"), icon="order")
    decimal = SubFieldBlock(label=_("Nombre décimal"), icon="order")
    amount = SubFieldBlock(label=_("Montant en euros"), icon="order")
    date = SubFieldBlock(label=_("Date"), icon="date")
    choice = SubChoiceBlock(label=_("Choix unique"), icon="list-ul")
    yes_no = SubFieldBlock(label=_("Oui / non"), icon="tick")
    email = SubFieldBlock(label=_("Adresse électronique"), icon="mail")
    phone = SubFieldBlock(label=_("Téléphone"), icon="mobile-alt")


class RepetitionBlock(InputBlock):
    min_rows = blocks.IntegerBlock(label=_("Nombre minimal de répétitions"), default=1,
                                   min_value=0, max_value=MAX_ROWS)
    max_rows = blocks.IntegerBlock(label=_("Nombre maximal de répétitions"), default=5,
                                   min_value=1, max_value=MAX_ROWS)
    fields = RowFieldStream(label=_("Champs répétés"), min_num=1)


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
    files = FilesBlock(label=_("Plusieurs fichiers"), icon="doc-full")
    repetition = RepetitionBlock(label=_("Bloc répété"), icon="list-ol")
    address = _input(_("Adresse postale"), "home")
    commune = _input(_("Commune (avec son code postal)"), "site")
    department = _input(_("Département"), "site")
    country = _input(_("Pays"), "globe")
    nir = _input(_("Numéro de sécurité sociale (NIR)"), "user")
    vat = _input(_("Numéro de TVA intracommunautaire"), "site")
    bounded_number = BoundedNumberBlock(label=_("Nombre borné"), icon="order")
    pattern_text = PatternTextBlock(label=_("Texte avec motif"), icon="code")
    date_range = DateRangeBlock(label=_("Période (du … au …)"), icon="date")
    case_link = _input(_("Lien vers une autre de vos demandes"), "link")
    section = SectionBlock()
    explanation = ExplanationBlock()
    step_break = StepBreakBlock()
