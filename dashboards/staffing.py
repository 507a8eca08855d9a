"""Staffing (« Dimensionnement »): each centre's acts over the last twelve months against the
reference number of acts an agent handles in a year (3,000 in the 2009 instruction; the
`reference_acts_per_agent` of the centre's convention in force today).

What counts as an act. The 2009 instruction counts the documents a centre keys into Chorus;
the portal's nearest record is the journal of the cases (CaseEvent). One act is one event
of a decision the centre records on a case of its own:
- a case closed by the centre: completed (`complete`: EJ keyed, fixed-asset record created),
  certified (`certify`: a service-done statement, the order to pay), rejected (`reject`);
- a supplier record keyed and sent to the CST (`send_to_cst`): the centre's work on a tiers
  request (the CST's validation that completes the case is the CST's act, not the centre's);
  a record sent back by the CST and sent again counts again, as it is keyed again;
- an order form signed (`sign`).
Claims, questions, answers and releases are steps of the work, not acts. An agent's acts are
the acts whose event names them as actor; acts by someone who is no longer one of the
centre's agents count for the centre only.

The window: from midnight (Paris) on the same day twelve months ago (28 February for a
29 February) to now; an act at exactly that midnight counts. A centre whose first case was
submitted later than that is younger than the window: its window starts at midnight on that
first day, and its acts are annualised (acts × 365 / days elapsed since the window's first
day, at least one). The agents: the centre's active members in the role of agent or head.

The year-end peak compares the acts of October to December, per month, with the monthly
mean of the year: (acts of October–December / 3) / (annualised acts / 12). A twelve-month
window always holds three months of October–December (split across two years at its edges);
a younger window gives the peak only once it holds a whole October–December.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from cases.models import Case, CaseEvent
from cases.workflow import Action
from conventions.selectors import centre_convention_in_force
from portal.models import Membership, Role, Service
from portal.selectors import services_of_user, steers_all_centres

ACT_ACTIONS = (Action.COMPLETE, Action.CERTIFY, Action.REJECT, Action.SEND_TO_CST, Action.SIGN)
AGENT_ROLES = (Role.CSP_AGENT, Role.CSP_HEAD)
YEAR_END_MONTHS = (10, 11, 12)
DEFAULT_REFERENCE = 3000


def staffing_scope(user):
    """(the centres whose staffing `user` sees, whether all of them as a steering user)."""
    centres = Service.objects.filter(kind=Service.Kind.SHARED_CENTRE)
    if steers_all_centres(user):
        return centres.order_by("code"), True
    return centres.filter(pk__in=services_of_user(user, [Role.CSP_HEAD])).order_by("code"), False


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    days: int
    full: bool

    @property
    def first_day(self) -> date:
        return timezone.localdate(self.start)

    def annualised(self, acts: int) -> float:
        return float(acts) if self.full else acts * 365 / self.days

    @property
    def holds_year_end(self) -> bool:
        """Whether the window holds three months of October–December."""
        if self.full:
            return True
        year = self.first_day.year
        return self.start <= _midnight(date(year, 10, 1)) and (
            self.end >= _midnight(date(year + 1, 1, 1)))


def window(*, now: datetime, first_submission: datetime | None) -> Window:
    today = timezone.localdate(now)
    start_day = _year_before(today)
    start = _midnight(start_day)
    if first_submission is None or first_submission <= start:
        return Window(start=start, end=now, days=(today - start_day).days, full=True)
    first_day = timezone.localdate(first_submission)
    return Window(start=_midnight(first_day), end=now, days=max(1, (today - first_day).days),
                  full=False)


@dataclass
class AgentLoad:
    name: str
    acts: int
    annual: float
    reference: int

    @property
    def share_of_reference(self) -> float:
        """The agent's annualised acts as a percentage of the reference."""
        return round(100 * self.annual / self.reference, 1)


@dataclass
class CentreStaffing:
    centre: Service
    window: Window
    reference: int
    acts: int = 0
    year_end_acts: int = 0
    agents: list[AgentLoad] = field(default_factory=list)
    # Acts by people who are not (or no longer) among the centre's agents.
    others: int = 0

    @property
    def annual(self) -> float:
        return self.window.annualised(self.acts)

    @property
    def needed(self) -> float:
        """The agents the centre's volume needs, at the reference, to one decimal."""
        return round(self.annual / self.reference, 1)

    @property
    def actual(self) -> int:
        return len(self.agents)

    @property
    def peak(self) -> float | None:
        """(acts of October–December / 3) / (annualised acts / 12), to two decimals."""
        if not self.acts or not self.window.holds_year_end:
            return None
        return round((self.year_end_acts / 3) / (self.annual / 12), 2)


def _first_submissions(centre_ids: list[int]) -> dict[int, datetime]:
    """{centre id: its first case's submission}: the first of each served service, each read
    from the index of received cases (a grouped minimum would read every case)."""
    first = (Case.objects.filter(requesting_service=OuterRef("pk"),
                                 processing_centre=OuterRef("processing_centre"),
                                 submitted_at__isnull=False)
             .order_by("submitted_at").values("submitted_at")[:1])
    result: dict[int, datetime] = {}
    for centre_id, submitted in (Service.objects.filter(processing_centre__in=centre_ids)
                                 .annotate(first=Subquery(first))
                                 .values_list("processing_centre", "first")):
        if submitted is not None and (centre_id not in result or submitted < result[centre_id]):
            result[centre_id] = submitted
    return result


def _reference(centre: Service, today: date) -> int:
    convention = centre_convention_in_force(centre=centre, on=today)
    return convention.reference_acts_per_agent if convention else DEFAULT_REFERENCE


def _agents(centre_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """{centre id: [(user id, name)]} of the active agents and heads, by name."""
    rows = (Membership.objects.filter(service__in=centre_ids, role__in=AGENT_ROLES,
                                      user__is_active=True)
            .values_list("service", "user", "user__first_name", "user__last_name",
                         "user__username")
            .order_by("user__last_name", "user__first_name", "user").distinct())
    result: dict[int, list[tuple[int, str]]] = {}
    for centre_id, user_id, first, last, username in rows:
        people = result.setdefault(centre_id, [])
        if all(user_id != known for known, _name in people):
            people.append((user_id, f"{first} {last}".strip() or username))
    return result


def staffing(*, centres, now: datetime | None = None) -> list[CentreStaffing]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    centres = list(centres)
    ids = [centre.pk for centre in centres]
    firsts = _first_submissions(ids)
    result = {centre.pk: CentreStaffing(
        centre=centre, window=window(now=now, first_submission=firsts.get(centre.pk)),
        reference=_reference(centre, today)) for centre in centres}
    earliest = min((item.window.start for item in result.values()), default=now)
    # Events happen after their case's submission: a younger centre has none before its
    # window, and one query serves every centre.
    acts = (CaseEvent.objects.filter(action__in=ACT_ACTIONS, created_at__gte=earliest,
                                     created_at__lte=now, case__processing_centre__in=ids)
            .values("case__processing_centre", "actor")
            .annotate(n=Count("pk"),
                      year_end=Count("pk", filter=Q(created_at__month__in=YEAR_END_MONTHS)))
            .order_by())
    by_actor: dict[tuple[int, int | None], int] = {}
    for row in acts:
        item = result[row["case__processing_centre"]]
        item.acts += row["n"]
        item.year_end_acts += row["year_end"]
        by_actor[(item.centre.pk, row["actor"])] = row["n"]
    agents = _agents(ids)
    for centre_id, item in result.items():
        members = agents.get(centre_id, [])
        for user_id, name in members:
            done = by_actor.get((centre_id, user_id), 0)
            item.agents.append(AgentLoad(name=name, acts=done,
                                         annual=item.window.annualised(done),
                                         reference=item.reference))
        item.others = item.acts - sum(agent.acts for agent in item.agents)
    return [result[centre.pk] for centre in centres]
