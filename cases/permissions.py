"""Who may see and act on a case.

Visibility is a guardian object permission held through a direct-FK table: the requesting
service's group gets `view_case` on submission, the processing centre's group `view_case` and
`process_case`; the creator of a draft holds it personally. Actor rules (`who` and `guard` in
the workflow table) are plain functions of (user, case) returning a refusal message or None.
"""

from collections.abc import Callable
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, get_objects_for_user

from portal.models import CENTRE_ROLES, SP_ROLES, Role
from portal.selectors import delegation_ceiling, user_has_role

from .models import Case

VIEW = "view_case"
PROCESS = "process_case"
CHANGE = "change_case"


def visible_cases(user, perm: str = VIEW):
    if not user.is_authenticated:
        return Case.objects.none()
    return get_objects_for_user(user, f"cases.{perm}", klass=Case, with_superuser=False,
                                accept_global_perms=False)


def can_view(user, case: Case) -> bool:
    return visible_cases(user).filter(pk=case.pk).exists()


def grant_creator(case: Case) -> None:
    assign_perm(VIEW, case.created_by, case)
    assign_perm(CHANGE, case.created_by, case)


def grant_requesting_service(case: Case) -> None:
    assign_perm(VIEW, case.requesting_service.group, case)


def grant_processing_centre(case: Case) -> None:
    assign_perm(VIEW, case.processing_centre.group, case)
    assign_perm(PROCESS, case.processing_centre.group, case)


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


def centre_signatory(user, case) -> str | None:
    if not user_has_role(user, case.processing_centre, Role.CSP_AGENT, Role.CSP_HEAD):
        return _("Seuls les agents du centre qui traite ce dossier peuvent signer son bon de "
                 "commande.")
    return None


def order_form_unsigned(user, case) -> str | None:
    if case.issued_documents.filter(kind="order_form").exists():
        return _("Le bon de commande de ce dossier est déjà signé.")
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


def cst_member(user, case) -> str | None:
    if not user_has_role(user, case.processing_centre, Role.CST):
        return _("Seule la cellule de supervision des tiers du centre peut effectuer cette "
                 "action.")
    return None


def tiers_unique(user, case) -> str | None:
    # suppliers builds on cases: import it here, not above.
    from suppliers.services import directory_conflict

    return directory_conflict(case)


def delegation_covers_amount(user, case) -> str | None:
    ceiling = delegation_ceiling(user, case.requesting_service)
    if ceiling is None:
        return _("Vous n'avez pas de délégation de signature en vigueur pour ce service.")
    if ceiling < case.amount:
        return _("Votre délégation de signature (plafond %(ceiling)s) ne couvre pas le montant "
                 "de la demande (%(amount)s).") % {"ceiling": euros_text(ceiling),
                                                    "amount": euros_text(case.amount)}
    return None


def creator_may_commit(user, case) -> str | None:
    """Whether a submission goes straight to the centre. A catalogue form may waive the
    ordonnateur's validation (always, or up to an amount); otherwise a request within the
    creator's own delegation needs no ordonnateur."""
    if case.kind == "service_done":
        return _("Une constatation du service fait est toujours validée par un ordonnateur.")
    policy = (case.extra or {}).get("validation")
    if policy is None and case.kind == "tiers":
        # A supplier record commits no money: no ordonnateur unless the catalogue asks.
        return None
    if policy is not None:
        if not policy.get("required"):
            return None
        above = policy.get("above")
        if above is not None and case.amount <= Decimal(above):
            return None
    return delegation_covers_amount(user, case)


RULES: dict[str, Rule] = {
    "creator": creator,
    "requesting_member": requesting_member,
    "ordonnateur": ordonnateur,
    "centre_agent": centre_agent,
    "centre_signatory": centre_signatory,
    "order_form_unsigned": order_form_unsigned,
    "centre_head": centre_head,
    "assignee": assignee,
    "assignee_or_head": assignee_or_head,
    "delegation_covers_amount": delegation_covers_amount,
    "cst_member": cst_member,
    "tiers_unique": tiers_unique,
    "creator_may_commit": creator_may_commit,
}
