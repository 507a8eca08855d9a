"""Demo expert opinions: the purchasing mission's demo login (`mda`) is asked for its
opinion on two requests in progress at the Centre Est — one answered (and shared with the
requester), one waiting, due in a few working days (its « Avis demandés » page and home card
show it). Through the services, like any opinion. Idempotent: nothing is done when demo
opinions exist."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases import sla
from cases.models import Case, CaseKind
from cases.workflow import State
from opinions.models import ExpertOpinion
from opinions.services import opinion_answer, opinion_ask, opinion_share

EXPERT = "mda"
CENTRE = "CSPEST"
QUESTIONS = (
    ("Le montant de cette demande approche le seuil de la mission : un marché existant "
     "couvre-t-il déjà ces fournitures, ou faut-il une mise en concurrence ?",
     "Le marché interministériel de fournitures de bureau (lot 2) couvre ces articles : "
     "commande possible sur ce marché, sans nouvelle procédure. Vérifiez seulement les prix "
     "unitaires du bordereau."),
    ("Le fournisseur proposé est-il titulaire d'un marché de la mission pour ce type de "
     "prestation ? Merci de préciser la référence si c'est le cas.", None),
)


def _cases():
    return (Case.objects.filter(processing_centre__code=CENTRE, state=State.IN_PROGRESS,
                                kind=CaseKind.PURCHASE_REQUEST, assigned_to__isnull=False)
            .select_related("assigned_to", "processing_centre").order_by("pk"))


def seed_opinions(*, now=None) -> int:
    """The two opinions; returns how many were created (0: already there, or no case)."""
    now = now or timezone.now()
    expert = get_user_model().objects.filter(username=EXPERT).first()
    if expert is None or ExpertOpinion.objects.filter(expert=expert).exists():
        return 0
    cases = list(_cases()[:len(QUESTIONS)])
    created = 0
    with transaction.atomic():
        for case, (question, answer) in zip(cases, QUESTIONS, strict=False):
            today = timezone.localdate(now)
            opinion = opinion_ask(case=case, actor=case.assigned_to, expert_email=expert.email,
                                  question=question, today=today,
                                  deadline=sla.working_day_after(today, 3 if answer else 2))
            if answer:
                opinion_answer(opinion=opinion, actor=expert, answer=answer,
                               at=now + timedelta(minutes=5))
                opinion_share(opinion=opinion, actor=case.assigned_to,
                              at=now + timedelta(minutes=10))
            created += 1
    return created
