"""What decisions adds to the case page (cases/kinds.py): the signed decision letter for
everyone who sees the case (and in its documents list); for the centre, a letter its form
calls for but that is not issued yet, with a button to issue it."""

from cases.kinds import CasePagePart

from .selectors import decision_event, decision_of, letter_of, letter_text
from .services import may_issue


def letter_part(case, user, transitions) -> dict | None:
    if case.procedure_id is None:  # only catalogue forms have letters
        return None
    event = decision_event(case)
    decision = decision_of(event) if event is not None else None
    if decision is None:
        return None
    letter = letter_of(case, decision)
    if letter is not None:
        return {"decision_letter": letter, "certificates": [letter]}
    if may_issue(user, case) and letter_text(case, decision):
        return {"decision_letter_missing": True}
    return None


LETTER = CasePagePart("decisions/_letter.html", letter_part, slot="follow_up")
