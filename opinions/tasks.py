"""django-q2 task run every morning (scheduled by this app's migration)."""

from .services import opinion_reminders as run


def opinion_reminders() -> str:
    return f"{run()} rappel(s) d'avis d'experts"
