"""StreamField blocks of the convention's articles and of procedure sheets."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.typed_table_block.blocks import TypedTableBlock


class Party(blocks.ChoiceBlock):
    choices = [("sp", _("Service prescripteur")), ("csp", _("Centre de services partagés")),
               ("both", _("Les deux parties"))]


class DelayUnit(blocks.ChoiceBlock):
    choices = [("working_days", _("jours ouvrés")), ("calendar_days", _("jours calendaires")),
               ("months", _("mois"))]


class CommitmentBlock(blocks.StructBlock):
    """An obligation of one party, with its delay (shown as such on the page)."""

    party = Party(label=_("Partie engagée"))
    text = blocks.TextBlock(label=_("Engagement"))
    delay = blocks.IntegerBlock(label=_("Délai"), min_value=0, required=False)
    unit = DelayUnit(label=_("Unité"), required=False)

    class Meta:
        icon = "tick-inverse"
        label = _("Engagement")
        template = "conventions/blocks/commitment.html"


class ArticleStream(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("Titre d'article"), form_classname="title",
                               template="conventions/blocks/heading.html")
    paragraph = blocks.RichTextBlock(label=_("Texte"),
                                     features=["bold", "italic", "ol", "ul", "link"])
    table = TypedTableBlock([
        ("text", blocks.CharBlock(label=_("Texte"))),
        ("number", blocks.DecimalBlock(label=_("Nombre"))),
    ], label=_("Tableau"), template="conventions/blocks/table.html")
    commitment = CommitmentBlock()


class ProcedureStepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Étape"))
    actor = blocks.CharBlock(label=_("Acteur"), help_text=_("Ex. « agent du service "
                                                            "prescripteur », « CSP »."))
    description = blocks.TextBlock(label=_("Ce qui est fait"), required=False)
    delay = blocks.IntegerBlock(label=_("Délai (jours ouvrés)"), min_value=0, required=False)

    class Meta:
        icon = "list-ol"
        label = _("Étape")
        template = "conventions/blocks/procedure_step.html"
