"""django-q2 task run every morning (scheduled by this app's migration)."""

from .services import daily_reminders as run


def daily_reminders() -> str:
    report = run()
    return (f"{report.agents} relance(s) d'agents, {report.statements} constatation(s), "
            f"{report.lists} liste(s) de services faits manquants")
