"""What messaging adds to the core's case pages and lists (cases/kinds.py)."""

from cases.kinds import CasePagePart

from .forms import MessageForm
from .selectors import case_messages, last_read
from .services import may_write, messages_mark_read


def thread(case, user, transitions) -> dict:
    """The thread, read by the user as it is shown; a form when they may write."""
    read_before = last_read(case, user)
    messages = list(case_messages(case))
    if messages:
        messages_mark_read(case=case, user=user)
    writable = may_write(user, case)
    return {"thread": messages, "read_before": read_before, "can_write": writable,
            "message_form": MessageForm() if writable else None}


THREAD = CasePagePart("messaging/_thread.html", thread, slot="thread")
