from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm
from dsfr.widgets import InlineRadioSelect

from .models import COMMENT_MAX_LENGTH, MAX_SCORE, MIN_SCORE

SCORE_MESSAGE = _("Choisissez une note de 1 à 5.")


class RatingForm(DsfrBaseForm):
    # Radio buttons, read as a group with its legend: the DSFR's accessible rating.
    score = forms.TypedChoiceField(
        label=_("Votre note (1 : pas satisfait, 5 : très satisfait)"),
        choices=[(str(n), str(n)) for n in range(MIN_SCORE, MAX_SCORE + 1)], coerce=int,
        widget=InlineRadioSelect,
        error_messages={"required": SCORE_MESSAGE, "invalid_choice": SCORE_MESSAGE})
    comment = forms.CharField(
        label=_("Commentaire"), required=False, max_length=COMMENT_MAX_LENGTH,
        help_text=_("1 000 caractères au plus."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Le commentaire ne peut dépasser 1 000 caractères "
                                        "(%(show_value)d saisis).")})
