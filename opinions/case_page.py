"""What the expert opinions add to the case page (cases/kinds.py): the opinions the user
may read (all for the centre, their own for an expert, the shared answers for the requesting
service), the form to ask one for the centre, the form to answer for the expert."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.kinds import CasePagePart

from .forms import AnswerForm, AskForm
from .models import ExpertOpinion, OpinionFile
from .selectors import reads_all, visible_opinions
from .services import default_deadline, may_ask, may_share

ASK_LABEL = _("Demander un avis")
# The panel's links carry the very labels of the buttons they lead to (the actions panel
# accounts for every action the page offers).
ANSWER_LABEL = _("Donner mon avis")
SHARE_LABEL = _("Partager avec le demandeur")


@dataclass
class OpinionView:
    """One opinion as this reader sees it."""

    opinion: ExpertOpinion
    question_visible: bool  # the centre and the expert; the requester reads the answer only
    can_answer: bool
    can_share: bool
    question_file: OpinionFile | None
    answer_file: OpinionFile | None
    answer_form: AnswerForm | None = None


def answer_form(pk: int, data=None, files=None) -> AnswerForm:
    """The answer form of one opinion (its own field ids: an expert may have two on a page)."""
    return AnswerForm(data, files, auto_id=f"id_opinion{pk}_%s")


def _files(opinion):
    found = {record.part: record for record in opinion.files.all()}
    return found.get(OpinionFile.Part.QUESTION), found.get(OpinionFile.Part.ANSWER)


def opinions_part(case, user, transitions) -> dict | None:
    centre = reads_all(user, case)
    asks = may_ask(user, case)
    shares = centre and may_share(user, case)
    views = []
    for opinion in visible_opinions(user=user, case=case, centre=centre):
        mine = opinion.expert_id == user.pk
        question_file, answer_file = _files(opinion)
        views.append(OpinionView(
            opinion=opinion, question_visible=centre or mine,
            can_answer=mine and not opinion.is_answered,
            can_share=shares and opinion.is_answered and not opinion.shared_with_requester,
            question_file=question_file if (centre or mine) else None,
            answer_file=answer_file,
            answer_form=answer_form(opinion.pk) if mine and not opinion.is_answered else None))
    if not views and not asks:
        return None
    links = []
    if asks:
        links.append({"label": ASK_LABEL, "url": "#avis", "icon": "fr-icon-questionnaire-line"})
    if any(view.can_answer for view in views):
        links.append({"label": ANSWER_LABEL, "url": "#avis", "icon": "fr-icon-chat-check-line"})
    if any(view.can_share for view in views):
        links.append({"label": SHARE_LABEL, "url": "#avis", "icon": "fr-icon-share-line"})
    return {
        "opinions": views,
        "opinions_centre": centre,
        "opinion_ask_form": AskForm(initial={"deadline": default_deadline()}) if asks else None,
        "case_links": links,
    }


OPINIONS = CasePagePart("opinions/_opinions.html", opinions_part, slot="follow_up")
