from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from documents.forms import UploadField

from .models import ANSWER_MAX_LENGTH, QUESTION_MAX_LENGTH

DATE_INVALID = _("Saisissez une date valide (jj/mm/aaaa).")


class AskForm(DsfrBaseForm):
    expert_email = forms.EmailField(
        label=_("Adresse électronique de l'expert"), max_length=254,
        help_text=_("Toute personne ayant un compte sur le portail (mission des achats, "
                    "référent métier…). Elle ne verra que ce dossier."),
        error_messages={"required": _("Indiquez l'adresse électronique de l'expert."),
                        "invalid": _("Saisissez une adresse électronique valide.")})
    question = forms.CharField(
        label=_("Question posée"), max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Écrivez la question posée à l'expert."),
                        "max_length": _("La question compte au plus %(limit_value)d "
                                        "caractères (%(show_value)d saisis).")})
    deadline = forms.DateField(
        label=_("Avis attendu au plus tard le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez la date à laquelle l'avis est attendu."),
                        "invalid": DATE_INVALID})
    question_file = UploadField(label=_("Pièce jointe à la question"), required=False)


class AnswerForm(DsfrBaseForm):
    answer = forms.CharField(
        label=_("Votre avis"), max_length=ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Une seule réponse est possible : relisez-la avant de l'envoyer."),
        error_messages={"required": _("Écrivez votre avis."),
                        "max_length": _("L'avis compte au plus %(limit_value)d caractères "
                                        "(%(show_value)d saisis).")})
    answer_file = UploadField(label=_("Pièce jointe à l'avis"), required=False)
