"""Reads on expert opinions: who sees which on a case page, the expert's list, a file for
whoever may download it, and the restitutions' figures."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, F, Q

from cases import permissions
from cases.models import Case
from common.versioned_cache import cached_for
from portal.models import CENTRE_ROLES, SP_ROLES
from portal.selectors import user_has_role

from .models import ExpertOpinion, OpinionFile


def reads_all(user, case: Case) -> bool:
    """The centre processing the case reads every opinion asked on it."""
    return (user_has_role(user, case.processing_centre, *CENTRE_ROLES)
            and permissions.visible_cases(user, permissions.PROCESS).filter(pk=case.pk).exists())


def visible_opinions(*, user, case: Case, centre: bool | None = None):
    """The opinions on `case` the user may read: all for the centre; their own for an expert;
    the shared answers for the requesting service. `centre`: reads_all(), when known."""
    opinions = (ExpertOpinion.objects.filter(case=case)
                .select_related("expert", "asked_by", "shared_by").prefetch_related("files"))
    if centre if centre is not None else reads_all(user, case):
        return opinions
    mine = Q(expert=user)
    if user_has_role(user, case.requesting_service, *SP_ROLES):
        mine |= Q(shared_with_requester=True)
    return opinions.filter(mine)


def opinion_for_expert(*, user, pk) -> ExpertOpinion:
    """The user's own opinion request (ExpertOpinion.DoesNotExist otherwise)."""
    return (ExpertOpinion.objects.select_related("case", "case__processing_centre",
                                                 "case__requesting_service")
            .get(pk=pk, expert=user, case__in=permissions.visible_cases(user)))


def opinion_for_centre(*, user, pk) -> ExpertOpinion:
    """An opinion on a case the user processes at its centre (DoesNotExist otherwise)."""
    opinion = (ExpertOpinion.objects.select_related("case", "case__processing_centre")
               .get(pk=pk, case__in=permissions.visible_cases(user, permissions.PROCESS)))
    if not user_has_role(user, opinion.case.processing_centre, *CENTRE_ROLES):
        raise ExpertOpinion.DoesNotExist
    return opinion


def opinion_file_for_user(*, user, pk, part: str) -> OpinionFile:
    """The file of an opinion's question or answer, for the centre and the expert; the
    answer's for the requesting service once shared (DoesNotExist otherwise)."""
    record = (OpinionFile.objects.select_related("opinion__case__processing_centre",
                                                 "opinion__case__requesting_service")
              .get(opinion_id=pk, part=part,
                   opinion__case__in=permissions.visible_cases(user)))
    opinion = record.opinion
    if opinion.expert_id == user.pk or reads_all(user, opinion.case):
        return record
    if (part == OpinionFile.Part.ANSWER and opinion.shared_with_requester
            and user_has_role(user, opinion.case.requesting_service, *SP_ROLES)):
        return record
    raise OpinionFile.DoesNotExist


def opinions_asked_of(user):
    """The « Avis demandés » page: the user's requests, unanswered first (by deadline), then
    the answered ones (newest first); only on cases the user still sees."""
    return (ExpertOpinion.objects.filter(expert=user, case__in=permissions.visible_cases(user))
            .select_related("case", "asked_by")
            .order_by(F("answered_at").desc(nulls_first=True), "deadline", "pk"))


def open_count(user) -> int:
    """How many opinion requests wait for the user's answer (the home page's card)."""
    # Cached: asking (a personal grant) and answering bump the person's version.
    return cached_for(user, "opinions:open", lambda: (
        ExpertOpinion.objects.filter(expert=user, answered_at__isnull=True).count(), None))


# --- restitutions -------------------------------------------------------------------------


@dataclass(frozen=True)
class OpinionFigure:
    centre: str
    asked: int
    answered: int
    answered_late: int  # answered after the deadline day
    unanswered_late: int  # no answer and the deadline day is over

    @property
    def late(self) -> int:
        return self.answered_late + self.unanswered_late


def opinion_figures(*, services, start: datetime, end: datetime, today: date,
                    kind: str | None = None) -> list[OpinionFigure]:
    """Opinions asked in [start, end) on the cases of `services`, per processing centre:
    how many, answered, late. An answer given on the deadline day is on time; one given the
    day after is late; an unanswered opinion is late once its deadline day is over (judged
    `today`, whatever the period: lateness is a fact as of now)."""
    opinions = ExpertOpinion.objects.filter(case__requesting_service__in=services,
                                            created_at__gte=start, created_at__lt=end)
    if kind:
        opinions = opinions.filter(case__kind=kind)
    rows = (opinions.order_by().values("case__processing_centre__code").annotate(
        asked=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        answered_late=Count("pk", filter=Q(answered_at__isnull=False,
                                           answered_at__date__gt=F("deadline"))),
        unanswered_late=Count("pk", filter=Q(answered_at__isnull=True, deadline__lt=today))))
    return sorted((OpinionFigure(centre=row["case__processing_centre__code"],
                                 asked=row["asked"], answered=row["answered"],
                                 answered_late=row["answered_late"],
                                 unanswered_late=row["unanswered_late"]) for row in rows),
                  key=lambda figure: figure.centre)
