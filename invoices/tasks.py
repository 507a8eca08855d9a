"""django-q2 task: an uploaded invoice extract imported in the background."""

from .jobs import invoice_import_run


def run_import(job_id: int) -> None:
    invoice_import_run(job_id)
