"""Who may see and act on a case.

Visibility is a guardian object permission held through a direct-FK table: the requesting
service's group gets `view_case` on submission, the processing centre's group `view_case` and
`process_case`; the creator of a draft holds it personally. Actor rules (`who` and `guard` in
the workflow table) are plain functions of (user, case) returning a refusal message or None.
"""

import operator
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Value
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from common.versioned_cache import bump, cached_for, person_version, service_version
from portal.models import CENTRE_ROLES, SP_ROLES, Role
from portal.selectors import delegation_ceiling, user_has_role

from . import kinds
from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from .reads import read_once, reads_once

VIEW = "view_case"
PROCESS = "process_case"
CHANGE = "change_case"


_PERMISSION_IDS: dict[str, int] = {}


@receiver(post_migrate)
def _forget_permission_ids(**kwargs):
    # A flushed and migrated database gives permissions new ids.
    _PERMISSION_IDS.clear()


def permission_id(codename: str) -> int:
    if codename not in _PERMISSION_IDS:
        _PERMISSION_IDS.update(Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Case),
        ).values_list("codename", "pk"))
    return _PERMISSION_IDS[codename]


def _access(user) -> tuple[list[int], set[int]]:
    """(the user's group ids, the ids of the case permissions the user holds directly on
    some case), read once per user object, from the cache (common.versioned_cache) under the
    person's version, which their memberships and personal grants bump."""
    access = getattr(user, "_case_access", None)
    if access is None:
        access = user._case_access = cached_for(user, "cases:access",
                                                lambda: (_read_access(user), None))
    return access


def _read_access(user) -> tuple[list[int], set[int]]:
    rows = user.groups.values_list("pk", Value("group")).union(
        CaseUserObjectPermission.objects.filter(user=user)
        .values_list("permission_id", Value("direct")))
    groups = sorted(pk for pk, source in rows if source == "group")
    return groups, {pk for pk, source in rows if source == "direct"}


def visible_cases(user, perm: str = VIEW):
    """Cases on which the user holds `perm`, personally or through a group — what guardian's
    get_objects_for_user(with_superuser=False, accept_global_perms=False) returns, written as
    EXISTS on the direct-FK permission tables, with the permission and group ids as values
    and the personal permissions looked up only for those who hold some: a centre agent's
    queue is then one semi-join the planner can stop after its page (bench/README.md)."""
    if not user.is_authenticated:
        return Case.objects.none()
    wanted = permission_id(perm)
    groups, direct = _access(user)
    held = []
    if wanted in direct:
        held.append(Exists(CaseUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission_id=wanted)))
    if groups:
        held.append(Exists(CaseGroupObjectPermission.objects.filter(
            content_object=OuterRef("pk"), group_id__in=groups, permission_id=wanted)))
    if not held:
        return Case.objects.none()
    return Case.objects.filter(reduce(operator.or_, held))


def can_view(user, case: Case) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "_case_access", None) is not None:
        return visible_cases(user).filter(pk=case.pk).exists()
    # The user's groups and personal permissions not read yet (a service called outside a
    # page, a transition): one query asks both for this case, rather than two.
    wanted = permission_id(VIEW)
    return Case.objects.filter(pk=case.pk).filter(
        Exists(CaseUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission_id=wanted))
        | Exists(CaseGroupObjectPermission.objects.filter(
            content_object=OuterRef("pk"), group__user=user, permission_id=wanted)),
    ).exists()


def _grant(case: Case, *, user=None, service=None, perms: tuple[str, ...]) -> None:
    """What guardian's assign_perm writes (one row per holder, permission and case, never
    twice), without its per-call lookups: the direct-FK rows at once. The holder's cached
    figures are recomputed (common.versioned_cache)."""
    if user is not None:
        bump([person_version(user.pk)])
        CaseUserObjectPermission.objects.bulk_create(
            [CaseUserObjectPermission(user=user, permission_id=permission_id(perm),
                                      content_object=case) for perm in perms],
            ignore_conflicts=True)
        user.__dict__.pop("_case_access", None)
        return
    bump([service_version(service.pk)])
    rows = [CaseGroupObjectPermission(group_id=service.group_id,
                                      permission_id=permission_id(perm), content_object=case)
            for perm in perms]
    pending = case.__dict__.get("_pending_group_grants")
    if pending is not None:
        pending.extend(rows)
    else:
        CaseGroupObjectPermission.objects.bulk_create(rows, ignore_conflicts=True)


@contextmanager
def grants_together(case: Case):
    """The groups' grants made on `case` in this block written in one statement at its end
    (a submission grants its service's group, then its centre's): nothing in the block
    may read them back. Nothing is written if the block raises."""
    if "_pending_group_grants" in case.__dict__:
        yield
        return
    pending = case.__dict__["_pending_group_grants"] = []
    try:
        yield
    finally:
        case.__dict__.pop("_pending_group_grants", None)
    if pending:
        CaseGroupObjectPermission.objects.bulk_create(pending, ignore_conflicts=True)


def grant_creator(case: Case) -> None:
    _grant(case, user=case.created_by, perms=(VIEW, CHANGE))


def grant_requesting_service(case: Case) -> None:
    _grant(case, service=case.requesting_service, perms=(VIEW,))


def grant_processing_centre(case: Case) -> None:
    _grant(case, service=case.processing_centre, perms=(VIEW, PROCESS))


def grant_party(case: Case, service) -> None:
    """A party of the convention's circuits (the purchasing mission, the budget controller)
    sees the case from the moment it reaches them, and keeps its history afterwards."""
    _grant(case, service=service, perms=(VIEW,))


def grant_viewer(case: Case, user) -> None:
    """One person sees one case, personally (an expert asked for an opinion on it): the
    case page and its pieces, nothing else — no queue, no other case, no action (the
    workflow's rules are roles, which a personal grant does not give)."""
    _grant(case, user=user, perms=(VIEW,))


def euros_text(amount: Decimal) -> str:
    """An amount as messages write it ("1 234,50 €")."""
    return number_format(amount, decimal_pos=2, force_grouping=True) + " €"


# --- rules: each returns None when satisfied, else the message shown to the user ----------

Rule = Callable[..., str | None]


def creator(user, case) -> str | None:
    if case.created_by_id != user.pk or not user_has_role(user, case.requesting_service,
                                                          *SP_ROLES):
        return _("Seul l'auteur de la demande peut effectuer cette action.")
    return None


def requesting_member(user, case) -> str | None:
    if not user_has_role(user, case.requesting_service, *SP_ROLES):
        return _("Seuls les agents du service demandeur peuvent effectuer cette action.")
    return None


def ordonnateur(user, case) -> str | None:
    if not user_has_role(user, case.requesting_service, Role.ORDONNATEUR):
        return _("Seul un ordonnateur du service demandeur peut effectuer cette action.")
    return None


def centre_agent(user, case) -> str | None:
    if not user_has_role(user, case.processing_centre, Role.CSP_AGENT, Role.CSP_HEAD):
        return _("Seuls les agents du centre qui traite ce dossier peuvent le prendre en charge.")
    return None


def centre_head(user, case) -> str | None:
    if not user_has_role(user, case.processing_centre, Role.CSP_HEAD):
        return _("Seul le responsable du centre peut attribuer un dossier.")
    return None


def assignee(user, case) -> str | None:
    if case.assigned_to_id != user.pk or not user_has_role(user, case.processing_centre,
                                                           *CENTRE_ROLES):
        return _("Seul l'agent en charge du dossier peut effectuer cette action.")
    return None


def assignee_or_head(user, case) -> str | None:
    if assignee(user, case) is None or centre_head(user, case) is None:
        return None
    return _("Seul l'agent en charge du dossier ou le responsable du centre peut le remettre "
             "dans la corbeille.")


def delegation_refusal(ceiling: Decimal | None, amount: Decimal) -> str | None:
    """None when a delegation of `ceiling` (None: none in force) covers `amount`: a ceiling
    equal to the amount covers it, one cent less does not."""
    if ceiling is None:
        return _("Vous n'avez pas de délégation de signature en vigueur pour ce service.")
    if ceiling < amount:
        return _("Votre délégation de signature (plafond %(ceiling)s) ne couvre pas le montant "
                 "de la demande (%(amount)s).") % {"ceiling": euros_text(ceiling),
                                                    "amount": euros_text(amount)}
    return None


def _ceiling(user, case) -> Decimal | None:
    """`user`'s delegation ceiling for the case's service (once per reads_once block)."""
    return read_once(case, ("delegation_ceiling", user.pk),
                     lambda: delegation_ceiling(user, case.requesting_service))


def delegation_covers_amount(user, case, amount: Decimal | None = None) -> str | None:
    """None when `user`'s delegation covers the case's amount (or `amount`, a draft's figure
    not yet recorded)."""
    return delegation_refusal(_ceiling(user, case), case.amount if amount is None else amount)


def creator_may_commit(user, case, amount: Decimal | None = None) -> str | None:
    """Whether a submission goes straight to the centre. A catalogue form may waive the
    ordonnateur's validation (always, or up to an amount); otherwise a request within the
    creator's own delegation needs no ordonnateur. `amount`: the draft's figure, for the
    summary shown before it is recorded."""
    amount = case.amount if amount is None else amount
    spec = kinds.get(case.kind)
    if spec.validation == kinds.Validation.ALWAYS:
        return str(spec.validation_refusal)
    policy = (case.extra or {}).get("validation")
    if policy is None and spec.validation == kinds.Validation.NEVER:
        # It commits no money (a supplier record): no ordonnateur unless the catalogue asks.
        return None
    if policy is not None:
        if not policy.get("required"):
            return None
        above = policy.get("above")
        if above is not None and amount <= Decimal(above):
            return None
    return delegation_covers_amount(user, case, amount)


@dataclass(frozen=True)
class DelegationView:
    """What a person's delegation says of an amount, for the pages to show it: the amount,
    their ceiling (None: no delegation in force), and why it does not do (None: it does)."""

    amount: Decimal
    ceiling: Decimal | None
    refusal: str | None

    @property
    def covered(self) -> bool:
        return self.refusal is None


def submission_outlook(user, case, amount: Decimal) -> DelegationView:
    """Before submission: whether the draft, at `amount`, will go straight to the centre
    (refusal None) or wait for an ordonnateur (refusal says why) — the rule submit applies."""
    with reads_once(case):  # the ceiling shown is the one the rule reads
        return DelegationView(amount=amount, ceiling=_ceiling(user, case),
                              refusal=creator_may_commit(user, case, amount))


def validation_outlook(user, case) -> DelegationView:
    """For an ordonnateur looking at a case awaiting validation: the amount beside their own
    ceiling, and whether their delegation covers it."""
    ceiling = delegation_ceiling(user, case.requesting_service)
    return DelegationView(amount=case.amount, ceiling=ceiling,
                          refusal=delegation_refusal(ceiling, case.amount))


RULES: dict[str, Rule] = {
    "creator": creator,
    "requesting_member": requesting_member,
    "ordonnateur": ordonnateur,
    "centre_agent": centre_agent,
    "centre_head": centre_head,
    "assignee": assignee,
    "assignee_or_head": assignee_or_head,
    "delegation_covers_amount": delegation_covers_amount,
    "creator_may_commit": creator_may_commit,
}
