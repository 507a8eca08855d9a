"""The case workflow as data: states, and the transitions (source, action, target, who, guard).

`cases.services.transition()` is the only code that reads this table to change a case.
`who` and `guard` name rules in `cases.permissions.RULES`; a transition applies when the
case is in one of its sources, the actor satisfies `who`, and the guard (if any) holds.
When several rows share a source and an action, the first whose guard holds wins.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    AWAITING_VALIDATION = "awaiting_validation", _("En attente de validation")
    SUBMITTED = "submitted", _("À traiter")
    IN_PROGRESS = "in_progress", _("En cours de traitement")
    INFO_REQUESTED = "info_requested", _("Information demandée au service")
    AWAITING_CST = "awaiting_cst", _("En attente de la CST")
    COMPLETED = "completed", _("Terminé")
    REJECTED = "rejected", _("Rejeté")
    CANCELLED = "cancelled", _("Annulé")


class Action(models.TextChoices):
    CREATE = "create", _("Création du brouillon")
    SUBMIT = "submit", _("Déposer")
    VALIDATE = "validate", _("Valider")
    RETURN = "return", _("Renvoyer au demandeur")
    CLAIM = "claim", _("Prendre en charge")
    ASSIGN = "assign", _("Attribuer")
    RELEASE = "release", _("Remettre dans la corbeille")
    REQUEST_INFO = "request_info", _("Demander une information")
    ANSWER = "answer", _("Répondre")
    COMPLETE = "complete", _("Terminer")
    REJECT = "reject", _("Rejeter")
    CANCEL = "cancel", _("Annuler la demande")
    SIGN = "sign", _("Signer le bon de commande")
    SEND_TO_CST = "send_to_cst", _("Transmettre à la CST")
    CST_VALIDATE = "cst_validate", _("Valider le tiers")
    CST_RETURN = "cst_return", _("Renvoyer au centre")
    CERTIFY = "certify", _("Certifier le service fait")


# How each action reads in a case's history (the Action labels are button labels).
EVENT_LABELS = {
    Action.CREATE: _("Brouillon créé"),
    Action.SUBMIT: _("Demande déposée"),
    Action.VALIDATE: _("Demande validée par l'ordonnateur"),
    Action.RETURN: _("Demande renvoyée au demandeur"),
    Action.CLAIM: _("Dossier pris en charge"),
    Action.ASSIGN: _("Dossier attribué"),
    Action.RELEASE: _("Dossier remis dans la corbeille"),
    Action.REQUEST_INFO: _("Information demandée au service"),
    Action.ANSWER: _("Réponse du service"),
    Action.COMPLETE: _("Dossier terminé"),
    Action.REJECT: _("Dossier rejeté"),
    Action.CANCEL: _("Demande annulée"),
    Action.SIGN: _("Bon de commande signé"),
    Action.SEND_TO_CST: _("Transmis à la cellule de supervision des tiers"),
    Action.CST_VALIDATE: _("Tiers validé par la CST et enregistré dans l'annuaire"),
    Action.CST_RETURN: _("Renvoyé au centre par la CST"),
    Action.CERTIFY: _("Service fait certifié (ordre de payer)"),
}


def event_label(action: str) -> str:
    """How an event reads in a case's history."""
    try:
        return str(EVENT_LABELS[Action(action)])
    except (KeyError, ValueError):
        return action


# States in which the contractual clock does not run.
PAUSED_STATES = frozenset({State.INFO_REQUESTED, State.AWAITING_CST})
OPEN_STATES = frozenset({State.SUBMITTED, State.IN_PROGRESS, State.INFO_REQUESTED,
                         State.AWAITING_CST})
# Open and not paused: a case in these states is late once its due date has passed.
CLOCK_RUNNING_STATES = OPEN_STATES - PAUSED_STATES
FINAL_STATES = frozenset({State.COMPLETED, State.REJECTED, State.CANCELLED})


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    action: Action
    target: State
    who: str
    guard: str | None = None
    # Named inputs the actor must give (validated by the service before anything changes).
    requires: tuple[str, ...] = ()
    # Optional inputs.
    accepts: tuple[str, ...] = ()
    # Kinds the row applies to; None means every kind.
    kinds: frozenset[str] | None = None


def _t(sources, action, target, who, **kwargs) -> Transition:
    if isinstance(sources, State):
        sources = {sources}
    return Transition(frozenset(sources), action, target, who, **kwargs)


S = State
TRANSITIONS: tuple[Transition, ...] = (
    _t(S.DRAFT, Action.SUBMIT, S.SUBMITTED, "creator", guard="creator_may_commit"),
    _t(S.DRAFT, Action.SUBMIT, S.AWAITING_VALIDATION, "creator"),
    _t(S.AWAITING_VALIDATION, Action.VALIDATE, S.SUBMITTED, "ordonnateur",
       guard="delegation_covers_amount", accepts=("comment",)),
    _t(S.AWAITING_VALIDATION, Action.RETURN, S.DRAFT, "ordonnateur", requires=("comment",)),
    _t(S.SUBMITTED, Action.CLAIM, S.IN_PROGRESS, "centre_agent"),
    _t({S.SUBMITTED, S.IN_PROGRESS}, Action.ASSIGN, S.IN_PROGRESS, "centre_head",
       requires=("assignee",), accepts=("comment",)),
    _t(S.IN_PROGRESS, Action.RELEASE, S.SUBMITTED, "assignee_or_head", accepts=("comment",)),
    _t(S.IN_PROGRESS, Action.REQUEST_INFO, S.INFO_REQUESTED, "assignee", requires=("comment",)),
    _t(S.INFO_REQUESTED, Action.ANSWER, S.IN_PROGRESS, "requesting_member",
       requires=("comment",)),
    _t(S.IN_PROGRESS, Action.COMPLETE, S.COMPLETED, "assignee", requires=("ej_number",),
       accepts=("comment",), kinds=frozenset({"purchase_request"})),
    _t(S.IN_PROGRESS, Action.COMPLETE, S.COMPLETED, "assignee", accepts=("comment",),
       kinds=frozenset({"generic"})),
    # A fixed-asset request is done once its record exists in Chorus.
    _t(S.IN_PROGRESS, Action.COMPLETE, S.COMPLETED, "assignee", requires=("asset_number",),
       accepts=("comment",), kinds=frozenset({"fixed_asset"})),
    # Certifying a service-done statement is the order to pay; it issues a signed certificate.
    _t(S.IN_PROGRESS, Action.CERTIFY, S.COMPLETED, "assignee", accepts=("comment",),
       kinds=frozenset({"service_done"})),
    _t(S.IN_PROGRESS, Action.RETURN, S.DRAFT, "assignee", requires=("comment",),
       kinds=frozenset({"service_done", "fixed_asset"})),
    _t(S.IN_PROGRESS, Action.REJECT, S.REJECTED, "assignee", requires=("comment",)),
    # Signing issues the order form; the case stays completed.
    _t(S.COMPLETED, Action.SIGN, S.COMPLETED, "centre_signatory", guard="order_form_unsigned",
       kinds=frozenset({"purchase_request"})),
    # Tiers: the centre checks, then the CST validates and the directory record is written.
    _t(S.IN_PROGRESS, Action.SEND_TO_CST, S.AWAITING_CST, "assignee", guard="tiers_unique",
       accepts=("comment",), kinds=frozenset({"tiers"})),
    _t(S.AWAITING_CST, Action.CST_VALIDATE, S.COMPLETED, "cst_member", accepts=("comment",),
       kinds=frozenset({"tiers"})),
    _t(S.AWAITING_CST, Action.CST_RETURN, S.IN_PROGRESS, "cst_member", requires=("comment",),
       kinds=frozenset({"tiers"})),
    _t(S.DRAFT, Action.CANCEL, S.CANCELLED, "creator", accepts=("comment",)),
    _t({S.AWAITING_VALIDATION, S.SUBMITTED}, Action.CANCEL, S.CANCELLED, "requesting_member",
       requires=("comment",)),
)


def transitions_for(state: str, action: str, kind: str) -> list[Transition]:
    return [
        t for t in TRANSITIONS
        if t.action == action and state in t.sources and (t.kinds is None or kind in t.kinds)
    ]


def actions_from(state: str, kind: str) -> list[Action]:
    seen: list[Action] = []
    for t in TRANSITIONS:
        if state in t.sources and (t.kinds is None or kind in t.kinds) and t.action not in seen:
            seen.append(t.action)
    return seen
