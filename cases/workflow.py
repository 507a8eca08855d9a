"""The case workflow as data: states, and the transitions (source, action, target, who, guard).

`cases.services.transition()` is the only code that reads this table to change a case.
These are the rows every kind shares; a kind adds its own (completing it, signing, its
supervision…) in its KindSpec, read before these (`cases.kinds.transitions_for`).
`who` and `guard` name rules in `cases.permissions.RULES` or in the kind's own rules; a
transition applies when the case is in one of its sources, the actor satisfies `who`, and the
guard (if any) holds. When several rows share a source and an action, the first whose guard
holds wins.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    AWAITING_VALIDATION = "awaiting_validation", _("En attente de validation")
    # The purchasing mission's circuit, before the centre (a purchase at or above its threshold).
    AT_MISSION = "at_mission", _("À la mission des achats")
    MISSION_INFO = "mission_info", _("Information demandée par la mission des achats")
    SUBMITTED = "submitted", _("À traiter")
    IN_PROGRESS = "in_progress", _("En cours de traitement")
    INFO_REQUESTED = "info_requested", _("Information demandée au service")
    AWAITING_CST = "awaiting_cst", _("En attente de la CST")
    AWAITING_VISA = "awaiting_visa", _("En attente du visa")
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
    MISSION_ACCEPT = "mission_accept", _("Accepter pour la mission des achats")
    VISA_GRANT = "visa_grant", _("Enregistrer le visa")
    VISA_REFUSE = "visa_refuse", _("Enregistrer le refus de visa")


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
    Action.MISSION_ACCEPT: _("Demande acceptée par la mission des achats"),
    Action.VISA_GRANT: _("Visa du contrôleur budgétaire enregistré"),
    Action.VISA_REFUSE: _("Visa refusé par le contrôleur budgétaire"),
}


def event_label(action: str) -> str:
    """How an event reads in a case's history."""
    try:
        return str(EVENT_LABELS[Action(action)])
    except (KeyError, ValueError):
        return action


# States in which the contractual clock does not run (a question to the SP, the CST's check,
# the budget controller's visa).
PAUSED_STATES = frozenset({State.INFO_REQUESTED, State.AWAITING_CST, State.AWAITING_VISA})
# Open at the centre. A case at the purchasing mission has not reached the centre yet: its
# delay starts when the mission accepts it.
OPEN_STATES = frozenset({State.SUBMITTED, State.IN_PROGRESS, State.INFO_REQUESTED,
                         State.AWAITING_CST, State.AWAITING_VISA})
BEFORE_CENTRE_STATES = frozenset({State.DRAFT, State.AWAITING_VALIDATION, State.AT_MISSION,
                                  State.MISSION_INFO})
# Open and not paused: a case in these states is late once its due date has passed.
CLOCK_RUNNING_STATES = OPEN_STATES - PAUSED_STATES
FINAL_STATES = frozenset({State.COMPLETED, State.REJECTED, State.CANCELLED})
# The centre's queue: a case is in it once it reached the centre (submitted and, if need be,
# validated by an ordonnateur and accepted by the purchasing mission), final ones included.
# Values, in the order of State (the queue's state filter lists them in this order).
QUEUE_STATES = tuple(s.value for s in State if s not in BEFORE_CENTRE_STATES)
# A request whose amounts are not committed (nor its number held): a draft, one returned to
# its author for correction, a rejected or cancelled one. It counts from its submission on.
NOT_COMMITTED_STATES = frozenset({State.DRAFT, State.REJECTED, State.CANCELLED})
# A request not pending: a draft or a final one (a check for duplicates ignores it); it is
# pending from its submission until it is completed, rejected or cancelled.
NOT_PENDING_STATES = FINAL_STATES | {State.DRAFT}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[State]
    action: Action
    target: State
    who: str
    # A rule name, or several that must all hold (the first refusal is the one shown).
    guard: str | tuple[str, ...] | None = None
    # Named inputs the actor must give (validated by the service before anything changes).
    requires: tuple[str, ...] = ()
    # Optional inputs. A row taking "anomaly" classifies the case in its typology of
    # anomalies (cases/anomalies.py; "anomaly_text" describes an « Autre »).
    accepts: tuple[str, ...] = ()
    # Kinds the row applies to; None means every kind. A kind's own rows are in its KindSpec
    # (cases/kinds.py), with kinds=None or its own code only.
    kinds: frozenset[str] | None = None
    # (input, message) for a required input of the kind's own (the core's are in services).
    messages: tuple[tuple[str, str], ...] = ()


def row(sources, action, target, who, **kwargs) -> Transition:
    """A row of the table (sources: one state or several)."""
    if isinstance(sources, State):
        sources = {sources}
    return Transition(frozenset(sources), action, target, who, **kwargs)


S = State
TRANSITIONS: tuple[Transition, ...] = (
    row(S.DRAFT, Action.SUBMIT, S.SUBMITTED, "creator", guard="creator_may_commit"),
    row(S.DRAFT, Action.SUBMIT, S.AWAITING_VALIDATION, "creator"),
    row(S.AWAITING_VALIDATION, Action.VALIDATE, S.SUBMITTED, "ordonnateur",
        guard="delegation_covers_amount", accepts=("comment",)),
    row(S.AWAITING_VALIDATION, Action.RETURN, S.DRAFT, "ordonnateur",
        requires=("comment", "anomaly"), accepts=("anomaly_text",)),
    row(S.SUBMITTED, Action.CLAIM, S.IN_PROGRESS, "centre_agent"),
    row({S.SUBMITTED, S.IN_PROGRESS}, Action.ASSIGN, S.IN_PROGRESS, "centre_head",
        requires=("assignee",), accepts=("comment",)),
    row(S.IN_PROGRESS, Action.RELEASE, S.SUBMITTED, "assignee_or_head", accepts=("comment",)),
    row(S.IN_PROGRESS, Action.REQUEST_INFO, S.INFO_REQUESTED, "assignee",
        requires=("comment", "anomaly"), accepts=("anomaly_text",)),
    row(S.INFO_REQUESTED, Action.ANSWER, S.IN_PROGRESS, "requesting_member",
        requires=("comment",)),
    row(S.IN_PROGRESS, Action.REJECT, S.REJECTED, "assignee",
        requires=("comment", "anomaly"), accepts=("anomaly_text",)),
    row(S.DRAFT, Action.CANCEL, S.CANCELLED, "creator", accepts=("comment",)),
    row({S.AWAITING_VALIDATION, S.SUBMITTED}, Action.CANCEL, S.CANCELLED, "requesting_member",
        requires=("comment",)),
)


def guards_of(transition: Transition) -> tuple[str, ...]:
    guard = transition.guard
    if guard is None:
        return ()
    return (guard,) if isinstance(guard, str) else tuple(guard)
