"""Decision letters: on a catalogue case's completion or rejection, the letter its form's
editors wrote is filled in, drawn to PDF and signed PAdES like an order form.

Who signs: the agent who took the decision, with their own credential, as an order form is
signed by the agent who signs it (documents.services); when they have no usable credential,
a head of the processing centre who has one (the centre's responsable signs in its name);
failing both, the centre member who asks again from the case page. Nobody else's key is ever
used: without any, no letter is issued and the case page tells the centre why.
"""

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from cases.models import Case, CaseEvent
from cases.services import lock_case
from documents.credentials import signing_problem
from documents.models import IssuedDocument
from documents.services import DocumentError, document_issue
from portal.models import Role
from portal.selectors import user_has_role

from .selectors import (
    decision_event,
    decision_of,
    letter_of,
    letter_text,
    placeholder_values,
)

logger = logging.getLogger(__name__)


def on_case_transitioned(sender, event: CaseEvent, **kwargs) -> None:
    """Receiver of cases.signals.case_transitioned: a decision on a catalogue case queues its
    letter once the transition is committed (nothing is read or drawn in the transaction)."""
    if decision_of(event) is None or event.case.procedure_id is None:
        return
    case_id = event.case_id
    transaction.on_commit(lambda: async_task(
        "decisions.tasks.issue_letter", case_id, task_name=f"courrier-{event.pk}",
        group="courriers"))


def may_issue(user, case: Case) -> bool:
    """The centre's members may ask for a letter that could not be issued."""
    return case.processing_centre_id is not None and user_has_role(
        user, case.processing_centre, Role.CSP_AGENT, Role.CSP_HEAD)


def _signer(case: Case, decider, requested_by, at: datetime):
    heads = (get_user_model().objects
             .filter(memberships__service=case.processing_centre_id,
                     memberships__role=Role.CSP_HEAD, is_active=True)
             .distinct().order_by("pk"))
    problem = None
    for candidate in [decider, *heads, requested_by]:
        if candidate is None or not candidate.is_active:
            continue
        problem = signing_problem(candidate, at=at)
        if problem is None:
            return candidate
    raise DocumentError(_("Le courrier de décision n'a pas pu être signé : ni l'agent qui a "
                          "décidé ni un responsable du centre n'a de certificat de signature "
                          "utilisable (%(problem)s).")
                        % {"problem": problem or _("aucun signataire")})


@transaction.atomic
def decision_letter_issue(*, case: Case, at: datetime | None = None,
                          requested_by=None) -> IssuedDocument | None:
    """The signed letter of the case's decision: issued once, the same document on every
    later call (a retried task); None when the case is not decided or its form has no letter
    for that decision. DocumentError (French message) when nobody can sign it."""
    case = lock_case(case)
    event = decision_event(case)
    decision = decision_of(event) if event is not None else None
    if decision is None:
        return None
    existing = letter_of(case, decision)
    if existing is not None:
        return existing
    text = letter_text(case, decision)
    if not text:
        return None
    at = at or timezone.now()
    signer = _signer(case, event.actor, requested_by, at)
    value_of = placeholder_values(case, event)

    def render(signatory):
        # Imported here: reportlab and pyHanko weigh ~30 MB, loaded only where documents are
        # drawn.
        from .pdf import render_decision_letter

        return render_decision_letter(case, letter_html=text, value_of=value_of,
                                      accepted=decision.accepted, decided_at=event.created_at,
                                      signatory=signatory, issued_at=at)

    filename = "courrier-acceptation.pdf" if decision.accepted else "courrier-refus.pdf"
    return document_issue(case=case, actor=signer, at=at, kind=decision.kind,
                          filename=filename, render=render)


def decision_letter_run(case_id: int) -> str:
    """The task's work: issue the letter, or log why not (the case page shows it too)."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return "dossier introuvable"
    try:
        document = decision_letter_issue(case=case)
    except DocumentError as exc:
        logger.warning("Courrier de décision du dossier %s non émis : %s", case.reference,
                       exc.message)
        return exc.message
    return f"courrier {document.pk}" if document else "aucun courrier"
