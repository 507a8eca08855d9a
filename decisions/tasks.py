"""django-q2 tasks of the decisions app: thin wrappers around services."""

from . import services


def issue_letter(case_id: int) -> str:
    return services.decision_letter_run(case_id)
